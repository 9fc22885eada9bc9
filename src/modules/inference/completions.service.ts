import { BadRequestException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { combineDeltas, keyedEffects, viewOf } from '../../memory/edit-effects';
import { getMethod } from '../../editors/builtin-methods';
import { promptKeys, unit } from '../../editors/keys/hidden-keys';
import type { GenerateOptions, LanguageModel, PrefilledGeneration } from '../../models/language-model';
import { tapName } from '../../models/graph/forward-options';
import type { ChatMessage } from '../../models/tokenizer/chat-template';
import type { KeyReader, MemoryEditRecord } from '../../memory/edit-memory';
import { EditMemoryService } from '../edits/edit-memory.service';
import { ModelService } from '../model/model.service';
import type { GenerationSettings } from './completion-request';

/** One generated token, with its log-probability when the request asked for them. */
export interface GeneratedToken {
  id: number;
  /** The token decoded on its own (a piece of a multi-byte character decodes to U+FFFD). */
  text: string;
  /** Where the token starts in its choice's text. */
  offset: number;
  logprob?: number;
  top?: Array<{ text: string; logprob: number }>;
}

/** One finished sequence of a request. */
export interface GeneratedChoice {
  text: string;
  finish: 'stop' | 'length';
  /** The tokens of `text` (filled when log-probabilities were asked for). */
  tokens: GeneratedToken[];
  /** Tokens generated, those cut by a stop string included. */
  completionTokens: number;
}

/** New text of one sequence while it streams, with the tokens that made it. */
export interface ChoiceDelta {
  index: number;
  text: string;
  tokens: GeneratedToken[];
}

/** A prefill run to read a request's keys, kept for its generation to continue. */
interface KeptPrefill {
  generation: PrefilledGeneration;
  weightsVersion: number;
}

/**
 * How a prepared request generates: its length and sampling settings (OpenAI's, resolved), and
 * the request field its prompt came from, named in a context-length error.
 */
export type PrepareOptions = Partial<GenerationSettings> & Pick<GenerationSettings, 'maxTokens'> & { promptField?: 'prompt' | 'messages' };

/** A request resolved against the edit memory, ready to generate. */
export interface PreparedCompletion {
  id: string;
  created: number;
  model: string;
  edits: string[];
  /** Partial names in the request that fit several edited people: none of their edits was applied. */
  ambiguous: Array<{ mention: string; people: number }>;
  promptTokens: number;
  /** One greedy-or-sampled sequence; `onText` gets each new piece of text and may return true to stop (the client went away). */
  run(onText?: (delta: string) => boolean | void): Promise<{ text: string; finish: 'stop' | 'length'; promptTokens: number; completionTokens: number }>;
  /** `count` sequences in one batch; `onDelta` as `run`'s `onText`, per sequence. */
  generate(count: number, onDelta?: (delta: ChoiceDelta) => boolean | void): Promise<GeneratedChoice[]>;
}

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

  /** A completions request's prompts as text: token-id prompts are decoded (and re-encoded when run). */
  async promptTexts(prompt: string | string[] | number[] | number[][]): Promise<string[]> {
    if (typeof prompt === 'string') return [prompt];
    if (prompt.every((p) => typeof p === 'string')) return prompt as string[];
    const { tokenizer } = await this.models.get();
    const lists = prompt.every((p) => typeof p === 'number') ? [prompt as number[]] : (prompt as number[][]);
    return lists.map((ids, i) => {
      const unknown = ids.find((id) => id >= tokenizer.vocabSize);
      if (unknown !== undefined) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `token ${unknown} is outside the vocabulary (${tokenizer.vocabSize} tokens)`, errors: [{ path: lists.length > 1 ? `prompt[${i}]` : 'prompt', message: `holds token ${unknown}, outside the vocabulary`, code: 'invalid_value' }] });
      return tokenizer.decode(ids);
    });
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
   * Reads a request's hidden-state keys over its text, for the keyed operations (MELO blocks,
   * GRACE entries) the memory selects by them. When the text routed nothing and is the prompt,
   * the keys come from the generation's own prefill (kept in `prefill`), so that a request no
   * keyed operation selects continues that prefill and costs no extra pass; otherwise one forward
   * pass per kind of key.
   */
  private keyReader(prompt: string, scopeText: string, prefill: { kept?: KeptPrefill }, promptField?: 'prompt' | 'messages'): KeyReader {
    return async (specs, routed) => {
      const { serving: model, tokenizer } = await this.models.get();
      if (routed.edits.length === 0 && routed.records.length === 0 && scopeText === prompt) {
        const plainIds = fitting(tokenizer.encode(prompt), model.config.maxPositions, promptField);
        const taps = [...new Map(specs.map((spec) => [tapName(spec.tap), spec.tap])).values()];
        const kept = await this.models.reading(async () => ({ generation: await model.prefill([plainIds], { taps }), weightsVersion: this.models.weightsVersion }));
        prefill.kept = kept;
        return specs.map((spec) => unit(kept.generation.hidden(spec.tap, spec.position === 'mean' ? 'mean' : -1)[0]));
      }
      const keys: Float32Array[] = [];
      for (const spec of specs) keys.push((await this.models.reading(() => promptKeys(model, tokenizer, [scopeText], spec)))[0]);
      return keys;
    };
  }

  /**
   * The prompt as the memory records' method reads it (MeLLo/PokeMQA: the decomposition trace up
   * to "Final answer:"), when the request names a record's subject; the records the reading
   * retrieved are reported as applied. Otherwise the prompt as given.
   */
  private async readMemory(prompt: string, records: readonly MemoryEditRecord[]): Promise<{ prompt: string; records: MemoryEditRecord[]; answerer?: LanguageModel }> {
    if (!records.length) return { prompt, records: [] };
    const { serving: model, tokenizer } = await this.models.get();
    // Records of both methods are one memory; the newest record's method reads it.
    const method = getMethod(records[records.length - 1].edit.operation.method);
    const reader = method.reader?.({ model, tokenizer, retriever: this.memory.retriever, knowledge: this.models.knowledge() }, this.models.methods.hparams(method.name));
    if (!reader) return { prompt, records: [] };
    const [read] = await this.models.reading(() => reader.prepare([{ prompt, memory: records.map((r) => r.record) }]));
    // SERAC: the in-scope request is answered by the method's counterfactual model, not the serving model.
    const answerer = reader.answerer ? await reader.answerer() : undefined;
    return { prompt: read, records: records.filter((r) => read.includes(r.record.text)), answerer };
  }

  /** Resolves the edits in scope of `scopeText` and returns a runnable generation of `prompt`. */
  async prepare(prompt: string, scopeText: string, options: PrepareOptions, modelName: string): Promise<PreparedCompletion> {
    const { serving: model, tokenizer } = await this.models.get();
    // One question to the memory: what applies to this request.
    const prefill: { kept?: KeptPrefill } = {};
    const resolved = await this.memory.resolve(scopeText, this.keyReader(prompt, scopeText, prefill, options.promptField));
    // A selected keyed operation changes the prompt's pass: the prefill is redone with it applied.
    const prefilled = resolved.keyed.length ? undefined : prefill.kept;
    const read = await this.readMemory(prompt, resolved.records);
    const { edits, keyed: selected } = resolved;
    // The counterfactual model (SERAC) answers without the serving model's deltas or prefill.
    const answering = read.answerer ?? model;
    const view = viewOf([...edits, ...selected].map((e) => e.operation));
    const { contexts } = view;
    // A selected MELO block is applied like any routed delta; a GRACE entry replaces a state.
    const keyed = keyedEffects(view.keyed);
    const deltas = view.deltas.length || keyed.deltas.length ? combineDeltas([...view.deltas, ...keyed.deltas]) : undefined;
    let ids = tokenizer.encode([...contexts, read.prompt].join(' '));
    // A long trace keeps its end (the final answer's line), leaving room for a short answer.
    if (read.prompt !== prompt) ids = ids.slice(Math.max(0, ids.length - (model.config.maxPositions - Math.min(options.maxTokens, 16))));
    fitting(ids, model.config.maxPositions, options.promptField);
    const maxNewTokens = Math.min(options.maxTokens, model.config.maxPositions - ids.length);
    const stops = options.stop ?? [];
    const decode = (tokens: readonly number[]) => tokenizer.decode(tokens.filter((t) => t < tokenizer.vocabSize), { skipSpecialTokens: true });

    const generate = async (count: number, onDelta?: (delta: ChoiceDelta) => boolean | void): Promise<GeneratedChoice[]> => {
      const wantTokens = options.logprobs !== undefined;
      const sequences = Array.from({ length: count }, () => ({ generated: [] as number[], tokens: [] as GeneratedToken[], full: '', sent: '', tokensSent: 0, stopped: false }));
      let aborted = false;
      /** The sequence's text up to its first stop string (and whether one was found). */
      const visible = (seq: (typeof sequences)[number]) => {
        const cut = Math.min(...stops.map((s) => seq.full.indexOf(s)).filter((i) => i >= 0), Infinity);
        if (cut !== Infinity) seq.stopped = true;
        return cut === Infinity ? seq.full : seq.full.slice(0, cut);
      };
      /** Sends the sequence's text not sent yet (with its tokens); `ready` is how far it may go. */
      const flush = (index: number, ready: string) => {
        const seq = sequences[index];
        if (ready.length <= seq.sent.length || !ready.startsWith(seq.sent)) return;
        const tokens = seq.tokens.slice(seq.tokensSent).filter((t) => t.offset < ready.length);
        seq.tokensSent += tokens.length;
        aborted = onDelta?.({ index, text: ready.slice(seq.sent.length), tokens }) === true || aborted;
        seq.sent = ready;
      };
      const generation: GenerateOptions = {
        maxNewTokens,
        temperature: options.temperature ?? 0,
        topP: options.topP ?? 1,
        seed: options.seed,
        greedy: (options.temperature ?? 0) === 0,
        presencePenalty: options.presencePenalty,
        frequencyPenalty: options.frequencyPenalty,
        logitBias: options.logitBias,
        logprobs: options.logprobs,
        onStep: (step, logprobs) => {
          step.forEach((token, b) => {
            if (token === undefined) return;
            const seq = sequences[b];
            seq.generated.push(token);
            // Decoding the text so far is only needed to stream it, to find a stop string or to place tokens.
            if (!onDelta && !stops.length && !wantTokens) return;
            const offset = seq.full.length;
            seq.full = decode(seq.generated);
            const lp = logprobs[b];
            if (wantTokens) seq.tokens.push({ id: token, text: decode([token]), offset, logprob: lp?.logprob, top: lp?.top.map((t) => ({ text: decode([t.token]), logprob: t.logprob })) });
            const text = visible(seq);
            // Hold back a trailing replacement character: the next token may complete it.
            if (onDelta) flush(b, text.endsWith('\uFFFD') ? text.slice(0, -1) : text);
          });
          return aborted || sequences.map((seq) => seq.stopped);
        },
      };
      await this.models.reading(() =>
        // The prefill that read the keys is still good unless the weights changed since.
        count === 1 && prefilled && prefilled.weightsVersion === this.models.weightsVersion && !read.answerer
          ? prefilled.generation.continue(generation)
          : answering.generate(
              Array.from({ length: count }, () => ids),
              generation,
              deltas && !read.answerer ? sequences.map(() => deltas) : undefined,
              keyed.replacements.length && !read.answerer ? sequences.map(() => keyed.replacements) : undefined,
            ),
      );
      return sequences.map((seq, index) => {
        if (!seq.full && seq.generated.length) seq.full = decode(seq.generated);
        const text = visible(seq);
        flush(index, text);
        return { text, finish: seq.stopped || seq.generated.length < maxNewTokens ? 'stop' : 'length', tokens: seq.tokens.filter((t) => t.offset < text.length), completionTokens: seq.generated.length };
      });
    };

    return {
      id: `cmpl-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: modelName,
      edits: [...edits.map((e) => e.id), ...selected.map((e) => e.id), ...read.records.map((r) => r.edit.id)],
      ambiguous: resolved.ambiguous,
      promptTokens: ids.length,
      generate,
      run: async (onText) => {
        const [choice] = await generate(1, onText && ((delta) => onText(delta.text)));
        return { text: choice.text, finish: choice.finish, promptTokens: ids.length, completionTokens: choice.completionTokens };
      },
    };
  }
}

/**
 * The prompt's tokens, or 400 when they leave no room for a token in the model's context, with
 * OpenAI's code for it, which clients check to shorten a conversation and retry.
 */
function fitting(ids: number[], maxPositions: number, promptField: 'prompt' | 'messages' = 'prompt'): number[] {
  if (maxPositions - ids.length < 1) {
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `the prompt is ${ids.length} tokens with its edits; the model's context holds ${maxPositions}`, code: 'context_length_exceeded', param: promptField });
  }
  return ids;
}
