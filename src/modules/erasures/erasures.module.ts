import { Module } from '@nestjs/common';
import { InferenceModule } from '../inference/inference.module';
import { ErasuresController } from './erasures.controller';
import { ErasuresService } from './erasures.service';

/** Privacy erasure: POST /v1/erasures, GET /v1/erasures/:id. */
@Module({ imports: [InferenceModule], controllers: [ErasuresController], providers: [ErasuresService], exports: [ErasuresService] })
export class ErasuresModule {}
