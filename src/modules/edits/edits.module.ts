import { Global, Module } from '@nestjs/common';
import { EditMemoryService } from './edit-memory.service';

/** The RASE edit memory shared by the worker (writes) and inference (routing). */
@Global()
@Module({ providers: [EditMemoryService], exports: [EditMemoryService] })
export class EditsModule {}
