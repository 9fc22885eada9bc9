import { BadRequestException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { combineDeltas } from '../../eval/applied-edits';
import type { DeltaOperation } from '../../editors/edit-operation';
import { EditMemoryService } from '../edits/edit-memory.service';
import { ModelService } from '../model/model.service';
import type { CompletionRequest } from './completion-request';

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: 'stop' | 'length'; logprobs: null }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** The edits routed into this request (none: the unedited model answered). */
  ked: { edits: string[] };
}

/** Completions through the scope check: exactly the in-scope edits are applied to each request. */
@Injectable()
export class CompletionsService {
  constructor(
    private readonly models: ModelService,
    private readonly memory: EditMemoryService,
  ) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    const { serving: model, tokenizer } = await this.models.get();
    const edits = this.memory.inScope(request.prompt);
    const contexts = edits.flatMap((e) => (e.operation.kind === 'context' ? [e.operation.text] : []));
    const deltas = edits.flatMap((e) => (e.operation.kind === 'delta' ? [e.operation as DeltaOperation] : []));
    const ids = tokenizer.encode([...contexts, request.prompt].join(' '));
    const room = model.config.maxPositions - ids.length;
    if (room < 1) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `"prompt" is ${ids.length} tokens with its edits; the model's context holds ${model.config.maxPositions}` });
    const maxNewTokens = Math.min(request.max_tokens, room);
    const [generated] = await model.generate([ids], { maxNewTokens, temperature: request.temperature, topP: request.top_p, seed: request.seed, greedy: request.temperature === 0 }, deltas.length ? [combineDeltas(deltas)] : undefined);
    let text = tokenizer.decode(generated.filter((t) => t < tokenizer.vocabSize), { skipSpecialTokens: true });
    let finish: 'stop' | 'length' = generated.length < maxNewTokens ? 'stop' : 'length';
    for (const stop of typeof request.stop === 'string' ? [request.stop] : (request.stop ?? [])) {
      const at = text.indexOf(stop);
      if (at >= 0) {
        text = text.slice(0, at);
        finish = 'stop';
      }
    }
    return {
      id: `cmpl-${randomUUID()}`,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
      usage: { prompt_tokens: ids.length, completion_tokens: generated.length, total_tokens: ids.length + generated.length },
      ked: { edits: edits.map((e) => e.id) },
    };
  }
}
