import { Global, Module } from '@nestjs/common';
import { EditMemoryService } from './edit-memory.service';
import { EditsController } from './edits.controller';
import { ModelVersionsController } from './model-versions.controller';
import { ModelVersionsService } from './model-versions.service';

/** The RASE edit memory shared by the worker (writes) and inference (routing); GET/DELETE /v1/edits, commits and model versions. */
@Global()
@Module({ controllers: [EditsController, ModelVersionsController], providers: [EditMemoryService, ModelVersionsService], exports: [EditMemoryService, ModelVersionsService] })
export class EditsModule {}
