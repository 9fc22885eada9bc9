import { Module } from '@nestjs/common';
import { FactsController } from './facts.controller';
import { FactsService } from './facts.service';

/** Fact ingestion: POST /v1/facts (JSON or NDJSON), GET /v1/facts/:id. */
@Module({ controllers: [FactsController], providers: [FactsService], exports: [FactsService] })
export class FactsModule {}
