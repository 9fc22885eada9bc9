import { Global, Module } from '@nestjs/common';
import { EditMemoryService } from './edit-memory.service';
import { EditsController } from './edits.controller';

/** The RASE edit memory shared by the worker (writes) and inference (routing); GET/DELETE /v1/edits. */
@Global()
@Module({ controllers: [EditsController], providers: [EditMemoryService], exports: [EditMemoryService] })
export class EditsModule {}
