import type { EditDeltas, LanguageModel, PromptEndReplacement, Replacements, TargetScore } from '../models/language-model';
import type { KedTokenizer } from '../models/tokenizer';
import { resolveView, type ProbeView } from './applied-edits';
import type { EvalCase } from './dataset/eval-case';
import type { DeltaOperation, HiddenKey } from '../editors/edit-operation';
import { keySpecId, promptKeys } from '../editors/keys/hidden-keys';
import type { MemoryReader } from '../editors/edit-method';
import { combineDeltas, keyedEffects, nearestKeyed } from '../memory/edit-effects';
import { mean, nGramEntropy } from './metrics';
import { logSoftmax } from './convsent-metric';
import { answerEnd, cutAnswer } from './answer-stop';
import { ProbeEncoder } from './probe-encoder';
import type { SentimentClassifier } from './sentiment/sentiment-classifier';

export interface MeasureOptions {
  model: LanguageModel;
  tokenizer: KedTokenizer;
  /** Sequences per forward pass (default 32). */
  batchSize?: number;
  /** Fluency: total tokens of prompt + generation, ROME's max_out_len (default 100). */
  fluencyTokens?: number;
  /** Skip fluency (generation is the slowest part). */
  skipFluency?: boolean;
  /**
   * The wild protocol (Yang et al. 2025): also generate each probe's answer, at most this many
   * tokens, and score it by exact match and containment (off when absent).
   */
  wildAnswerTokens?: number;
  /**
   * The method's reader of memory records (MeLLo): a probe that sees records is scored on the
   * prompt the reader makes of it (its decomposition trace up to "Final answer:").
   */
  reader?: MemoryReader;
  /** ConvSent's sentiment judge of generated answers (needed only for ConvSent records). */
  sentiment?: SentimentClassifier;
}

/** Score `answer` after `prompt`, as the probe's view of the edits shows it. */
export interface ScoreJob {
  view: ProbeView;
  prompt: string;
  answer: string;
}

/** A probe to answer by generation, under its view of the edits. */
export interface AnswerJob {
  view: ProbeView;
  prompt: string;
}

/** Batched teacher forcing and greedy generation of probes under their views. */
export class Scorer {
  private readonly encoder: ProbeEncoder;
  private readonly batchSize: number;

  constructor(private readonly options: MeasureOptions) {
    this.encoder = new ProbeEncoder(options.tokenizer, options.model.config.maxPositions);
    this.batchSize = options.batchSize ?? 32;
  }

  async score(given: readonly ScoreJob[]): Promise<TargetScore[]> {
    return this.teacherForced(given, (model, pairs, deltas, replacements) => model.scoreTargets(pairs, deltas, replacements));
  }

  /**
   * The next-token distribution (log-probabilities over the vocabulary) at every answer position
   * of each job, teacher-forced as in `score`: ConvSent's KL locality compares them before and
   * after an edit.
   */
  async distributions(given: readonly ScoreJob[]): Promise<Float64Array[][]> {
    return this.teacherForced(given, async (model, pairs, deltas, replacements) => {
      const logits = await model.logits(
        pairs.map((p) => [...p.prompt, ...p.target]),
        deltas,
        replacements && { at: replacements, promptEnds: pairs.map((p) => p.prompt.length - 1) },
      );
      const [, seq, vocab] = logits.shape;
      const data = logits.data as Float32Array;
      return pairs.map(({ prompt, target }, b) => target.map((_, i) => logSoftmax(data.subarray((b * seq + prompt.length - 1 + i) * vocab, (b * seq + prompt.length + i) * vocab))));
    });
  }

  /** Batched teacher-forced passes of (prompt, answer) pairs under each job's view of the edits. */
  private async teacherForced<R>(
    given: readonly ScoreJob[],
    pass: (model: LanguageModel, pairs: Array<{ prompt: number[]; target: number[] }>, deltas: EditDeltas[] | undefined, replacements: Replacements | undefined) => Promise<R[]>,
  ): Promise<R[]> {
    const jobs = await resolveJobs(given);
    const { prompts, read } = await this.readMemory(jobs);
    const { deltas, replacements } = await this.withKeyed(jobs);
    const out: R[] = new Array(jobs.length);
    for (const { model, at, baseEdits } of await this.answeringModels(read)) {
      for (let start = 0; start < at.length; start += this.batchSize) {
        const chunk = at.slice(start, start + this.batchSize);
        const pairs = chunk.map((i) => this.encoder.pair(jobs[i].view.contexts, prompts[i], jobs[i].answer));
        const scores = await pass(model, pairs, baseEdits ? routedDeltas(chunk.map((i) => deltas[i])) : undefined, baseEdits ? routedReplacements(chunk.map((i) => replacements[i])) : undefined);
        chunk.forEach((i, k) => (out[i] = scores[k]));
      }
    }
    return out;
  }

  /**
   * Which model answers which jobs: the base model, except jobs whose prompt a reader with its own
   * answering model made from memory records (SERAC's counterfactual model). Deltas and replaced
   * states are the base model's edits, so only the base model's jobs get them.
   */
  private async answeringModels(read: readonly boolean[]): Promise<Array<{ model: LanguageModel; at: number[]; baseEdits: boolean }>> {
    const answerer = this.options.reader?.answerer && read.some(Boolean) ? await this.options.reader.answerer() : undefined;
    const all = read.map((_, i) => i);
    if (!answerer) return [{ model: this.options.model, at: all, baseEdits: true }];
    return [
      { model: this.options.model, at: all.filter((i) => !read[i]), baseEdits: true },
      { model: answerer, at: all.filter((i) => read[i]), baseEdits: false },
    ].filter((g) => g.at.length);
  }

  /**
   * Wild answers (Yang et al. 2025): each probe's greedy continuation under its view, as the
   * daemon serves it (context prefixes joined by spaces, routed and keyed deltas, the memory
   * reader's prompt), cut at the first sentence or line (`answer-stop.ts`), the model's end token
   * or `maxTokens`. Batched with the KV cache; a sequence stops as soon as its answer has ended.
   */
  async answers(given: readonly AnswerJob[], maxTokens: number): Promise<string[]> {
    const { tokenizer } = this.options;
    const jobs = await resolveJobs(given);
    const { prompts, read } = await this.readMemory(jobs);
    const { deltas, replacements } = await this.withKeyed(jobs);
    const decode = (ids: readonly number[]) => tokenizer.decode(ids.filter((id) => id < tokenizer.vocabSize), { skipSpecialTokens: true });
    const out: string[] = new Array(jobs.length);
    for (const { model, at, baseEdits } of await this.answeringModels(read)) {
      const room = Math.max(1, Math.min(maxTokens, model.config.maxPositions - 1));
      for (let start = 0; start < at.length; start += this.batchSize) {
        const chunk = at.slice(start, start + this.batchSize);
        // Contexts are fitted to leave `room`; a long memory trace keeps its end (its "Final answer:"), as the daemon's does.
        const ids = chunk.map((i) => this.encoder.generationPrompt(jobs[i].view.contexts, prompts[i], room).slice(-(model.config.maxPositions - room)));
        const sofar: number[][] = chunk.map(() => []);
        const onStep = (step: Array<number | undefined>) =>
          step.map((token, b) => {
            if (token === undefined) return false;
            sofar[b].push(token);
            return answerEnd(decode(sofar[b]), false) !== undefined;
          });
        const generated = await model.generate(
          ids,
          { maxNewTokens: room, greedy: true, onStep },
          baseEdits ? routedDeltas(chunk.map((i) => deltas[i])) : undefined,
          baseEdits ? routedReplacements(chunk.map((i) => replacements[i])) : undefined,
        );
        chunk.forEach((i, k) => (out[i] = cutAnswer(decode(generated[k]))));
      }
    }
    return out;
  }

  /**
   * Each job's deltas plus what the keyed operation its prompt's hidden-state key selects adds:
   * a MELO block's delta, or a GRACE entry's replacement state. The selected operation is the
   * nearest key within its radius (the newest on a tie), or none. Keys are read once per prompt
   * and tap.
   */
  private async withKeyed(jobs: ReadonlyArray<{ prompt: string; view: ProbeView }>): Promise<{ deltas: DeltaOperation[][]; replacements: PromptEndReplacement[][] }> {
    const deltas = jobs.map((j) => [...j.view.deltas]);
    const replacements: PromptEndReplacement[][] = jobs.map(() => []);
    const specs = new Map<string, { spec: Pick<HiddenKey, 'tap' | 'position'>; prompts: Set<string> }>();
    for (const j of jobs) {
      for (const op of j.view.keyed ?? []) {
        const id = keySpecId(op.key);
        const entry = specs.get(id) ?? { spec: op.key, prompts: new Set<string>() };
        entry.prompts.add(j.prompt);
        specs.set(id, entry);
      }
    }
    if (!specs.size) return { deltas, replacements };
    const keys = new Map<string, Float32Array>();
    for (const [id, { spec, prompts }] of specs) {
      const list = [...prompts];
      const read = await promptKeys(this.options.model, this.options.tokenizer, list, spec, this.batchSize);
      list.forEach((prompt, i) => keys.set(`${id}\u0000${prompt}`, read[i]));
    }
    jobs.forEach((j, i) => {
      const best = nearestKeyed(j.view.keyed ?? [], (op) => keys.get(`${keySpecId(op.key)}\u0000${j.prompt}`)!);
      const effects = keyedEffects(best ? [best] : []);
      deltas[i].push(...effects.deltas);
      replacements[i].push(...effects.replacements);
    });
    return { deltas, replacements };
  }

  /**
   * Each job's prompt as the reader makes it where the job sees memory records, else as given.
   * One reading per (prompt, records) pair: a probe's aliases share it.
   */
  private async readMemory(jobs: ReadonlyArray<{ prompt: string; view: ProbeView }>): Promise<{ prompts: string[]; read: boolean[] }> {
    const prompts = jobs.map((j) => j.prompt);
    const read = jobs.map(() => false);
    const reader = this.options.reader;
    if (!reader) return { prompts, read };
    const keyed = new Map<string, { prompt: string; memory: NonNullable<ProbeView['memory']>; at: number[] }>();
    jobs.forEach((j, i) => {
      if (!j.view.memory?.length) return;
      const key = `${j.prompt}\u0000${j.view.memory.map((r) => r.text).join('\u0000')}`;
      const entry = keyed.get(key) ?? { prompt: j.prompt, memory: j.view.memory, at: [] };
      entry.at.push(i);
      keyed.set(key, entry);
    });
    const entries = [...keyed.values()];
    const made = await reader.prepare(entries);
    entries.forEach((e, k) =>
      e.at.forEach((i) => {
        prompts[i] = made[k];
        read[i] = true;
      }),
    );
    return { prompts, read };
  }

  /** ROME's fluency of each record: n-gram entropy of prompt + greedy continuation, averaged over its prompts. */
  async fluency(cases: readonly EvalCase[], viewOf: (c: EvalCase) => ProbeView): Promise<Map<number, number>> {
    const { model, tokenizer } = this.options;
    const total = Math.min(this.options.fluencyTokens ?? 100, model.config.maxPositions);
    const jobs = await resolveJobs(cases.flatMap((c) => c.fluencyPrompts.map((prompt) => ({ record: c.index, prompt, view: viewOf(c) }))));
    // A reader with its own answering model (SERAC) continues the prompts it makes from records with that model.
    const { prompts: made, read } = this.options.reader?.answerer ? await this.readMemory(jobs) : { prompts: jobs.map((j) => j.prompt), read: jobs.map(() => false) };
    const entropies = new Map<number, number[]>();
    const generationBatch = Math.max(1, Math.floor(this.batchSize / 2));
    for (const { model: answering, at, baseEdits } of await this.answeringModels(read)) {
      for (let start = 0; start < at.length; start += generationBatch) {
        const indices = at.slice(start, start + generationBatch);
        const chunk = indices.map((i) => jobs[i]);
        const room = Math.max(1, Math.min(...chunk.map((j) => total - this.encoder.promptLength(j.prompt))));
        const prompts = indices.map((i) => this.encoder.generationPrompt(jobs[i].view.contexts, made[i], room));
        const newTokens = Math.max(1, Math.min(room, answering.config.maxPositions - Math.max(...prompts.map((p) => p.length))));
        const keyed = baseEdits ? await this.withKeyed(chunk) : undefined;
        const generated = await answering.generate(prompts, { maxNewTokens: newTokens, greedy: true }, keyed && routedDeltas(keyed.deltas), keyed && routedReplacements(keyed.replacements));
        chunk.forEach((j, i) => {
          const text = `${j.prompt}${tokenizer.decode(generated[i].filter((id) => id < tokenizer.vocabSize), { skipSpecialTokens: true })}`;
          entropies.set(j.record, [...(entropies.get(j.record) ?? []), nGramEntropy(text)]);
        });
      }
    }
    return new Map([...entropies].map(([record, values]) => [record, mean(values)]));
  }
}

/** Jobs whose views route by prompt (the scope detector) with the selection made. */
async function resolveJobs<J extends { prompt: string; view: ProbeView }>(jobs: readonly J[]): Promise<J[]> {
  const out: J[] = [];
  for (const job of jobs) out.push(job.view.router ? { ...job, view: await resolveView(job.view, job.prompt) } : job);
  return out;
}

/** Per-sequence replacements for a batch, or undefined when no sequence has any (the plain graph). */
export function routedReplacements(perSequence: ReadonlyArray<readonly PromptEndReplacement[]>): Replacements | undefined {
  return perSequence.some((r) => r.length) ? perSequence : undefined;
}

/** Per-sequence deltas for a batch, or undefined when no sequence has any (the plain graph). */
export function routedDeltas(perSequence: ReadonlyArray<readonly DeltaOperation[]>): EditDeltas[] | undefined {
  return perSequence.some((d) => d.length) ? perSequence.map((d) => combineDeltas(d)) : undefined;
}
