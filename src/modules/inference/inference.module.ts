import { Module } from '@nestjs/common';
import { CompletionsController } from './completions.controller';
import { CompletionsService } from './completions.service';

/** POST /v1/completions (OpenAI shape), routed through the edit memory. */
@Module({ controllers: [CompletionsController], providers: [CompletionsService], exports: [CompletionsService] })
export class InferenceModule {}
