import { Module } from '@nestjs/common';
import { CompletionsController } from './completions.controller';
import { CompletionsService } from './completions.service';
import { ModelsController } from './models.controller';
import { ServedModelsService } from './served-models.service';

/** OpenAI's inference routes (completions, chat, models), routed through the edit memory. */
@Module({ controllers: [CompletionsController, ModelsController], providers: [CompletionsService, ServedModelsService], exports: [CompletionsService] })
export class InferenceModule {}
