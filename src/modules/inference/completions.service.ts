import { BadRequestException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { combineDeltas, keyedEffects, viewOf } from '../../memory/edit-effects';
import { getMethod } from '../../editors/builtin-methods';
import { promptKeys, unit } from '../../editors/keys/hidden-keys';
import type { GenerateOptions, PrefilledGeneration } from '../../models/language-model';
import { tapName } from '../../models/graph/forward-options';
import { loadHparams } from '../../editors/registry';
import type { ChatMessage } from '../../models/tokenizer/chat-template';
import { EditMemoryService, type ActiveEdit, type ActiveRecord } from '../edits/edit-memory.service';
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

/** A request resolved against the edit memory, ready to generate. */
export interface PreparedCompletion {
  id: string;
  created: number;
  model: string;
  edits: string[];
  /** `onText` gets each new piece of text; returning true stops generating (the client went away). */
  run(onText?: (delta: string) => boolean | void): Promise<{ text: string; finish: 'stop' | 'length'; promptTokens: number; completionTokens: number }>;
}

type GenerationOptions = Omit<CompletionRequest, 'prompt' | 'stream' | 'user' | 'model'>;

/**
 * Completions through the scope check: exactly the in-scope edits are applied to each request.
 * Text is produced incrementally (for SSE) and cut at the first stop string.
 */
@Injectable()
export class CompletionsService {
  constructor(
    private readonly models: ModelService,
    private readonly memory: EditMemoryService,
  ) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    const prepared = await this.prepare(request.prompt, request.prompt, request, request.model);
    const out = await prepared.run();
    return {
      id: prepared.id,
      object: 'text_completion',
      created: prepared.created,
      model: prepared.model,
      choices: [{ index: 0, text: out.text, finish_reason: out.finish, logprobs: null }],
      usage: { prompt_tokens: out.promptTokens, completion_tokens: out.completionTokens, total_tokens: out.promptTokens + out.completionTokens },
      ked: { edits: prepared.edits },
    };
  }

  /**
   * The prompt text of a conversation: the model's chat template when it has one; otherwise the
   * messages' contents one per line (a base model such as the fixture continues plain text).
   */
  async chatPrompt(messages: readonly ChatMessage[]): Promise<string> {
    const { tokenizer } = await this.models.get();
    try {
      return tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
    } catch {
      return messages.map((m) => m.content).join('\n');
    }
  }

  /**
   * The keyed operations (MELO blocks, GRACE entries) the request's hidden-state key selects, only
   * while such operations are live. The keys are read over the request's text: from the
   * generation's own prefill when `plainIds` (the prompt's tokens, which nothing else changes) are
   * given, so that a request no keyed operation selects continues that prefill and costs no extra
   * pass; otherwise by one forward pass per kind of key.
   */
  private async selectKeyed(scopeText: string, plainIds?: number[]): Promise<{ selected: ActiveEdit[]; prefilled?: { generation: PrefilledGeneration; weightsVersion: number } }> {
    const specs = this.memory.keySpecs();
    if (!specs.length || !scopeText) return { selected: [] };
    const { serving: model, tokenizer } = await this.models.get();
    let keys: Float32Array[];
    let prefilled: { generation: PrefilledGeneration; weightsVersion: number } | undefined;
    if (plainIds) {
      const taps = [...new Map(specs.map((spec) => [tapName(spec.tap), spec.tap])).values()];
      prefilled = await this.models.reading(async () => ({ generation: await model.prefill([plainIds], { taps }), weightsVersion: this.models.weightsVersion }));
      keys = specs.map((spec) => unit(prefilled!.generation.hidden(spec.tap, spec.position === 'mean' ? 'mean' : -1)[0]));
    } else {
      keys = [];
      for (const spec of specs) keys.push((await this.models.reading(() => promptKeys(model, tokenizer, [scopeText], spec)))[0]);
    }
    const selected: ActiveEdit[] = [];
    for (const [i, spec] of specs.entries()) {
      const edit = await this.memory.keyedFor(keys[i], spec);
      if (edit && !selected.includes(edit)) selected.push(edit);
    }
    // A selected operation changes the prompt's pass: the prefill is redone with it applied.
    return { selected, prefilled: selected.length ? undefined : prefilled };
  }

  /**
   * The prompt as the memory records' method reads it (MeLLo/PokeMQA: the decomposition trace up
   * to "Final answer:"), when the request names a record's subject; the records the reading
   * retrieved are reported as applied. Otherwise the prompt as given.
   */
  private async readMemory(prompt: string, scopeText: string): Promise<{ prompt: string; records: ActiveRecord[] }> {
    const records = await this.memory.recordsFor(scopeText);
    if (!records.length) return { prompt, records: [] };
    const { serving: model, tokenizer } = await this.models.get();
    // Records of both methods are one memory; the newest record's method reads it.
    const method = getMethod(records[records.length - 1].edit.operation.method);
    const reader = method.reader?.({ model, tokenizer, retriever: this.memory.retriever, knowledge: this.models.knowledge() }, loadHparams(method));
    if (!reader) return { prompt, records: [] };
    const [read] = await this.models.reading(() => reader.prepare([{ prompt, memory: records.map((r) => r.record) }]));
    return { prompt: read, records: records.filter((r) => read.includes(r.record.text)) };
  }

  /** Resolves the edits in scope of `scopeText` and returns a runnable generation of `prompt`. */
  async prepare(prompt: string, scopeText: string, options: GenerationOptions, modelName: string): Promise<PreparedCompletion> {
    const { serving: model, tokenizer } = await this.models.get();
    const edits = await this.memory.inScope(scopeText);
    const read = await this.readMemory(prompt, scopeText);
    // Nothing in scope by text and the scope text is the prompt: the keys can come from the prefill.
    const plain = edits.length === 0 && read.prompt === prompt && scopeText === prompt;
    const plainIds = plain ? fitting(tokenizer.encode(prompt), model.config.maxPositions) : undefined;
    const { selected, prefilled } = await this.selectKeyed(scopeText, plainIds);
    const view = viewOf([...edits, ...selected].map((e) => e.operation));
    const { contexts } = view;
    // A selected MELO block is applied like any routed delta; a GRACE entry replaces a state.
    const keyed = keyedEffects(view.keyed ?? []);
    const deltas = [...view.deltas, ...keyed.deltas];
    let ids = tokenizer.encode([...contexts, read.prompt].join(' '));
    // A long trace keeps its end (the final answer's line), leaving room for a short answer.
    if (read.prompt !== prompt) ids = ids.slice(Math.max(0, ids.length - (model.config.maxPositions - Math.min(options.max_tokens, 16))));
    fitting(ids, model.config.maxPositions);
    const maxNewTokens = Math.min(options.max_tokens, model.config.maxPositions - ids.length);
    const stops = typeof options.stop === 'string' ? [options.stop] : (options.stop ?? []);
    return {
      id: `cmpl-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: modelName,
      edits: [...edits.map((e) => e.id), ...selected.map((e) => e.id), ...read.records.map((r) => r.edit.id)],
      run: async (onText) => {
        const generated: number[] = [];
        let sent = '';
        let stopped = false;
        let aborted = false;
        const visible = () => {
          const text = tokenizer.decode(generated.filter((t) => t < tokenizer.vocabSize), { skipSpecialTokens: true });
          const cut = Math.min(...stops.map((s) => text.indexOf(s)).filter((i) => i >= 0), Infinity);
          if (cut !== Infinity) stopped = true;
          return cut === Infinity ? text : text.slice(0, cut);
        };
        const generation: GenerateOptions = {
          maxNewTokens,
          temperature: options.temperature,
          topP: options.top_p,
          seed: options.seed,
          greedy: options.temperature === 0,
          onStep: ([token]) => {
            if (token === undefined) return;
            generated.push(token);
            // Decoding the text so far is only needed to stream it or to look for a stop string.
            if (!onText && !stops.length) return;
            const text = visible();
            // Hold back a trailing replacement character: the next token may complete it.
            const ready = text.endsWith('\uFFFD') ? text.slice(0, -1) : text;
            if (ready.length > sent.length && ready.startsWith(sent)) {
              aborted = onText?.(ready.slice(sent.length)) === true;
              sent = ready;
            }
            return stopped || aborted;
          },
        };
        await this.models.reading(() =>
          // The prefill that read the keys is still good unless the weights changed since.
          prefilled && prefilled.weightsVersion === this.models.weightsVersion
            ? prefilled.generation.continue(generation)
            : model.generate([ids], generation, deltas.length ? [combineDeltas(deltas)] : undefined, keyed.replacements.length ? [keyed.replacements] : undefined),
        );
        const text = visible();
        if (text.length > sent.length && text.startsWith(sent)) onText?.(text.slice(sent.length));
        return { text, finish: stopped || generated.length < maxNewTokens ? 'stop' : 'length', promptTokens: ids.length, completionTokens: generated.length };
      },
    };
  }
}

/** The prompt's tokens, or 400 when they leave no room for a token in the model's context. */
function fitting(ids: number[], maxPositions: number): number[] {
  if (maxPositions - ids.length < 1) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `the prompt is ${ids.length} tokens with its edits; the model's context holds ${maxPositions}` });
  return ids;
}
