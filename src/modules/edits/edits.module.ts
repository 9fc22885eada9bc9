import { Global, Module } from '@nestjs/common';
import { EditEventsService } from './edit-events.service';
import { EditMemoryService } from './edit-memory.service';
import { EditsController } from './edits.controller';
import { ModelVersionsController } from './model-versions.controller';
import { ModelVersionsService } from './model-versions.service';

/** The RASE edit memory shared by the worker (writes) and inference (routing); GET/DELETE /v1/edits, commits and model versions. */
@Global()
@Module({ controllers: [EditsController, ModelVersionsController], providers: [EditEventsService, EditMemoryService, ModelVersionsService], exports: [EditEventsService, EditMemoryService, ModelVersionsService] })
export class EditsModule {}
