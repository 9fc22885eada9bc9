import { Module } from '@nestjs/common';
import { FactsController } from './facts.controller';
import { FactWorkerService } from './fact-worker.service';
import { FactsService } from './facts.service';
import { NatsFactSourceService } from './nats-fact-source.service';

/** Fact ingestion (POST /v1/facts, JSON or NDJSON; GET /v1/facts/:id) and the worker that applies facts. */
@Module({ controllers: [FactsController], providers: [FactsService, FactWorkerService, NatsFactSourceService], exports: [FactsService] })
export class FactsModule {}
