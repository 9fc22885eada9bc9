import { Module } from '@nestjs/common';
import { InferenceModule } from '../inference/inference.module';
import { AuditsController } from './audits.controller';
import { AuditsService } from './audits.service';

/** Locality regression audits: scheduled (@nestjs/schedule, KED_AUDIT_CRON) and POST /v1/audits. */
@Module({ imports: [InferenceModule], controllers: [AuditsController], providers: [AuditsService], exports: [AuditsService] })
export class AuditsModule {}
