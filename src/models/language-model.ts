import { hostTensor, type HostTensor } from '../runtime/graph/dtype';
import { mulberry32 } from '../runtime/random';
import { Graph } from '../runtime/graph/graph';
import type { CompiledGraph, SessionManager } from '../runtime/session/session-manager';
import type { ModelConfig } from './config';
import { tapName, type ForwardGraph, type ForwardOptions, type TapRequest } from './graph/forward-options';
import { buildGpt2 } from './gpt2/gpt2';
import { buildLlama } from './llama/llama';
import { argmaxOf, logSoftmaxAt } from './logits';
import { adjustedLogits, sampleToken, tokenLogprob, type SamplingOptions, type TokenLogprob } from './sampling';

/** Per-sequence low-rank MLP deltas for routed edits: factors by layer (see ForwardOptions.editHooks). */
export type EditDeltas = Map<number, { u: HostTensor; v: HostTensor }>;

/** A state that replaces the residual stream after `layer` at the prompt's last token (GRACE). */
export interface PromptEndReplacement {
  layer: number;
  /** [d_model] */
  value: Float32Array;
}

/** Per-sequence replacements (an empty list: none), or undefined for the plain graph. */
export type Replacements = ReadonlyArray<readonly PromptEndReplacement[]>;

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Generation stops at any of these token ids (the eos token is always one). */
  stopIds?: number[];
  /**
   * Log-probabilities of the chosen tokens (after penalties and bias, before temperature), with
   * this many top alternatives (0: the chosen token's only); passed to `onStep`.
   */
  logprobs?: number;
  /**
   * Called after every step with each sequence's new token (undefined once it has stopped), and
   * its log-probability when `logprobs` is set. Returning true ends generation for every sequence
   * (a closed stream); an array ends the sequences it marks true (their stop strings).
   */
  onStep?: (tokens: Array<number | undefined>, logprobs: Array<TokenLogprob | undefined>) => boolean | readonly boolean[] | void;
}

export interface TargetScore {
  /** log p(target token | prefix) per target token. */
  logprobs: number[];
  /** The model's argmax at each target position. */
  argmax: number[];
  /** Fraction of target tokens the argmax gets right (KnowEdit's token accuracy). */
  accuracy: number;
}

/**
 * A causal language model on the runtime: builds its forward graphs once per option set, and
 * offers generation with a KV cache, teacher-forced target scoring and hidden-state taps.
 */
export class LanguageModel {
  private readonly compiled = new Map<string, Promise<{ forward: ForwardGraph; compiled: CompiledGraph }>>();
  private readonly builtGraphs = new Map<string, Promise<CompiledGraph>>();

  constructor(
    readonly config: ModelConfig,
    readonly weights: Map<string, HostTensor>,
    private readonly sessions: SessionManager,
  ) {}

  /**
   * Another model of this architecture on the same sessions (SERAC's counterfactual model beside
   * the base model, or a copy being trained), so its graphs share the thread budget and cache.
   */
  sibling(weights: Map<string, HostTensor>, config: ModelConfig = this.config): LanguageModel {
    return new LanguageModel(config, weights, this.sessions);
  }

  /** Builds (without compiling) a forward graph, e.g. for editors that add a loss and take gradients. */
  buildForward(options: ForwardOptions = {}, graph = new Graph(`${this.config.modelType}_forward`)): ForwardGraph {
    return this.config.family === 'gpt2' ? buildGpt2(graph, this.config, this.weights, options) : buildLlama(graph, this.config, this.weights, options);
  }

  /** Compiles a graph built on this model (e.g. an editor's loss and gradients) with the model's sessions. */
  compile(graph: Graph): Promise<CompiledGraph> {
    return this.sessions.load(graph);
  }

  /**
   * A graph built on this model, built and compiled on first use under `key` (an editor's loss
   * graph per layer, say); a failed compile is forgotten, so the next call tries again.
   */
  compileOnce(key: string, build: () => Graph): Promise<CompiledGraph> {
    let entry = this.builtGraphs.get(key);
    if (!entry) {
      entry = this.sessions.load(build());
      entry.catch(() => this.builtGraphs.delete(key));
      this.builtGraphs.set(key, entry);
    }
    return entry;
  }

  /** The compiled forward graph for an option set (built and compiled on first use). */
  forward(options: ForwardOptions): Promise<{ forward: ForwardGraph; compiled: CompiledGraph }> {
    const key = JSON.stringify(options);
    let entry = this.compiled.get(key);
    if (!entry) {
      entry = (async () => {
        const forward = this.buildForward(options);
        const g = forward.graph;
        if (forward.logits) g.output(forward.logits, 'logits');
        forward.presents.forEach((p, l) => {
          g.output(p.key, `present.${l}.key`);
          g.output(p.value, `present.${l}.value`);
        });
        for (const [name, value] of forward.taps) g.output(value, name);
        return { forward, compiled: await this.sessions.load(g) };
      })();
      entry.catch(() => this.compiled.delete(key));
      this.compiled.set(key, entry);
    }
    return entry;
  }

  /**
   * Logits for every position of each sequence (right-padded internally): [batch][position][vocab]
   * as one flat Float32Array with its shape.
   */
  async logits(sequences: number[][], deltas?: EditDeltas[], replacements?: { at: Replacements; promptEnds: number[] }): Promise<HostTensor> {
    const batch = rightPadded(sequences);
    const layers = replacedLayers(replacements?.at);
    const { compiled } = await this.forward({ logits: 'all', editHooks: deltas !== undefined, ...(layers.length ? { residualReplace: layers } : {}) });
    const width = Math.max(...sequences.map((s) => s.length));
    const replaceFeeds = layers.length ? this.replacementFeeds(replacements!.at, layers, width, replacements!.promptEnds) : {};
    const out = await compiled.run({ ...batch.feeds, ...this.deltaFeeds(deltas, sequences.length), ...replaceFeeds });
    return out.logits;
  }

  /** Teacher-forced scoring of `target` after `prompt`, one pair per sequence, in one batch. */
  async scoreTargets(pairs: Array<{ prompt: number[]; target: number[] }>, deltas?: EditDeltas[], replacements?: Replacements): Promise<TargetScore[]> {
    if (pairs.some((p) => p.prompt.length === 0 || p.target.length === 0)) throw new Error('scoreTargets: prompt and target need at least one token');
    const logits = await this.logits(
      pairs.map((p) => [...p.prompt, ...p.target]),
      deltas,
      replacements && { at: replacements, promptEnds: pairs.map((p) => p.prompt.length - 1) },
    );
    const [, seq, vocab] = logits.shape;
    const data = logits.data as Float32Array;
    return pairs.map(({ prompt, target }, b) => {
      const logprobs: number[] = [];
      const argmax: number[] = [];
      target.forEach((token, i) => {
        const offset = (b * seq + prompt.length - 1 + i) * vocab;
        const row = data.subarray(offset, offset + vocab);
        logprobs.push(logSoftmaxAt(row, token));
        argmax.push(argmaxOf(row));
      });
      const correct = argmax.filter((t, i) => t === target[i]).length;
      return { logprobs, argmax, accuracy: correct / target.length };
    });
  }

  /**
   * Hidden states at one layer and position per sequence (negative positions count from the end),
   * or their mean over the sequence's tokens ('mean').
   */
  async hidden(sequences: number[][], tap: TapRequest, position: number | 'mean' = -1): Promise<Float32Array[]> {
    const batch = rightPadded(sequences);
    const { compiled } = await this.forward({ logits: 'none', taps: [tap] });
    const out = (await compiled.run(batch.feeds))[tapName(tap)];
    const [, seq, width] = out.shape;
    const data = out.data as Float32Array;
    return sequences.map((s, b) => {
      if (position === 'mean') {
        const mean = new Float32Array(width);
        for (let p = 0; p < s.length; p++) for (let d = 0; d < width; d++) mean[d] += data[(b * seq + p) * width + d] / s.length;
        return mean;
      }
      const p = position < 0 ? s.length + position : position;
      if (p < 0 || p >= s.length) throw new Error(`position ${position} is outside a sequence of ${s.length} tokens`);
      const offset = (b * seq + p) * width;
      return (out.data as Float32Array).slice(offset, offset + width);
    });
  }

  /**
   * Generates continuations for a batch of prompts with a KV cache: the prompts are left-padded
   * and prefilled once, then each step feeds one token per sequence.
   */
  async generate(prompts: number[][], options: GenerateOptions, deltas?: EditDeltas[], replacements?: Replacements): Promise<number[][]> {
    if (options.maxNewTokens < 1) return prompts.map(() => []);
    return (await this.prefill(prompts, { deltas, replacements })).continue(options);
  }

  /**
   * Runs the prompts once (left-padded, filling the KV cache) and samples nothing yet. `taps` are
   * read from this same pass, so a caller can look at the prompts' hidden states before it
   * decides whether to continue (the daemon reads a request's hidden-state key this way).
   */
  async prefill(prompts: number[][], options: { deltas?: EditDeltas[]; replacements?: Replacements; taps?: TapRequest[] } = {}): Promise<PrefilledGeneration> {
    if (prompts.length === 0) throw new Error('empty batch');
    const { deltas, replacements, taps = [] } = options;
    const layers = replacedLayers(replacements);
    const { compiled } = await this.forward({ cache: true, logits: 'last', editHooks: deltas !== undefined, ...(layers.length ? { residualReplace: layers } : {}), ...(taps.length ? { taps } : {}) });
    const batchSize = prompts.length;
    const width = Math.max(...prompts.map((p) => p.length));
    const mask = prompts.map((p) => [...Array(width - p.length).fill(0), ...p.map(() => 1)]);
    const ids = prompts.map((p) => [...Array(width - p.length).fill(0), ...p]);
    const positions = mask.map((row) => positionsFromMask(row));
    const deltaFeeds = this.deltaFeeds(deltas, batchSize);
    // Left padding puts every prompt's last token at width − 1; later steps replace nothing.
    const prefillReplacements = layers.length ? this.replacementFeeds(replacements!, layers, width, prompts.map(() => width - 1)) : {};
    const stepReplacements = layers.length ? this.replacementFeeds(prompts.map(() => []), layers, 1, []) : {};
    const out = await compiled.run({
      input_ids: int64Matrix(ids),
      attention_mask: int64Matrix(mask),
      position_ids: int64Matrix(positions),
      ...this.emptyCache(batchSize),
      ...deltaFeeds,
      ...prefillReplacements,
    });
    const tapped: Record<string, HostTensor> = {};
    for (const tap of taps) tapped[tapName(tap)] = out[tapName(tap)];
    return new PrefilledGeneration(compiled, this.config, prompts.map((p) => p.length), out, tapped, { mask, positions, stepFeeds: { ...deltaFeeds, ...stepReplacements } });
  }

  /** Past keys and values of length 0 for every layer: the cache a prefill (or a frozen prefix) starts from. */
  emptyCache(batch: number): Record<string, HostTensor> {
    const kvHeads = this.config.family === 'llama' ? this.config.kvHeads : this.config.heads;
    const headDim = this.config.family === 'llama' ? this.config.headDim : this.config.dModel / this.config.heads;
    const feeds: Record<string, HostTensor> = {};
    for (let l = 0; l < this.config.layers; l++) {
      feeds[`past.${l}.key`] = hostTensor('float32', [batch, kvHeads, 0, headDim]);
      feeds[`past.${l}.value`] = hostTensor('float32', [batch, kvHeads, 0, headDim]);
    }
    return feeds;
  }

  /** `resid.replace.{l}` values and masks: each sequence's replacement at its prompt's last position. */
  private replacementFeeds(replacements: Replacements, layers: readonly number[], width: number, promptEnds: readonly number[]): Record<string, HostTensor> {
    const d = this.config.dModel;
    const batch = replacements.length;
    const feeds: Record<string, HostTensor> = {};
    for (const layer of layers) {
      const value = hostTensor('float32', [batch, width, d]);
      const mask = hostTensor('float32', [batch, width]);
      replacements.forEach((list, b) => {
        for (const r of list) {
          if (r.layer !== layer) continue;
          if (r.value.length !== d) throw new Error(`a replacement state has ${r.value.length} values, the model's width is ${d}`);
          (value.data as Float32Array).set(r.value, (b * width + promptEnds[b]) * d);
          mask.data[b * width + promptEnds[b]] = 1;
        }
      });
      feeds[`resid.replace.${layer}`] = value;
      feeds[`resid.replace.${layer}.mask`] = mask;
    }
    return feeds;
  }

  /** Stacks per-sequence deltas into batched factors; sequences without an edit get rank-0 zeros. */
  private deltaFeeds(deltas: EditDeltas[] | undefined, batch: number): Record<string, HostTensor> {
    if (!deltas) return {};
    if (deltas.length !== batch) throw new Error(`${deltas.length} delta sets for a batch of ${batch}`);
    const feeds: Record<string, HostTensor> = {};
    const dModel = this.config.dModel;
    const dFF = this.config.dFF;
    for (let l = 0; l < this.config.layers; l++) {
      // At least rank 1: onnxruntime's MatMul over an empty inner dimension does not zero its
      // output (seen on the CPU provider), and a zero rank-1 factor costs two thin products.
      const rank = Math.max(1, ...deltas.map((d) => d.get(l)?.u.shape[1] ?? 0));
      const u = hostTensor('float32', [batch, dModel, rank]);
      const v = hostTensor('float32', [batch, dFF, rank]);
      deltas.forEach((d, b) => {
        const factors = d.get(l);
        if (!factors) return;
        copyPaddedColumns(factors.u, u, b, dModel, rank);
        copyPaddedColumns(factors.v, v, b, dFF, rank);
      });
      feeds[`delta.${l}.U`] = u;
      feeds[`delta.${l}.V`] = v;
    }
    return feeds;
  }
}

function copyPaddedColumns(src: HostTensor, dst: HostTensor, b: number, rows: number, rank: number): void {
  const [srcRows, srcRank] = src.shape;
  if (srcRows !== rows) throw new Error(`delta factor has ${srcRows} rows, the layer needs ${rows}`);
  for (let r = 0; r < rows; r++) for (let c = 0; c < srcRank; c++) dst.data[(b * rows + r) * rank + c] = src.data[r * srcRank + c];
}

/** The layers any sequence replaces a state at, ascending. */
function replacedLayers(replacements: Replacements | undefined): number[] {
  return [...new Set((replacements ?? []).flatMap((list) => list.map((r) => r.layer)))].sort((a, b) => a - b);
}

/** Right-padded batch feeds for full-sequence (uncached) forward passes. */
export function rightPadded(sequences: number[][]): { feeds: Record<string, HostTensor> } {
  if (sequences.length === 0) throw new Error('empty batch');
  const width = Math.max(...sequences.map((s) => s.length));
  const ids = sequences.map((s) => [...s, ...Array(width - s.length).fill(0)]);
  const mask = sequences.map((s) => [...s.map(() => 1), ...Array(width - s.length).fill(0)]);
  return { feeds: { input_ids: int64Matrix(ids), attention_mask: int64Matrix(mask), position_ids: int64Matrix(mask.map(positionsFromMask)) } };
}

/** Positions count real tokens only, so left padding does not shift them (HF's convention). */
function positionsFromMask(mask: number[]): number[] {
  let next = 0;
  return mask.map((m) => (m ? next++ : 0));
}

function int64Matrix(rows: number[][]): HostTensor {
  return hostTensor('int64', [rows.length, rows[0].length], rows.flat());
}

function eosIds(config: ModelConfig): number[] {
  const eos = config.eosTokenId;
  return eos === undefined ? [] : Array.isArray(eos) ? eos : [eos];
}

/**
 * A generation whose prompts have been run once (the prefill, its KV cache and last logits kept)
 * with no token sampled yet. `continue` samples and decodes; it can be called once.
 */
export class PrefilledGeneration {
  private consumed = false;

  constructor(
    private readonly compiled: CompiledGraph,
    private readonly config: ModelConfig,
    private readonly promptLengths: readonly number[],
    private readonly prefillOut: Record<string, HostTensor>,
    private readonly taps: Record<string, HostTensor>,
    private readonly state: { mask: number[][]; positions: number[][]; stepFeeds: Record<string, HostTensor> },
  ) {}

  /** Each prompt's state at a tap read by the prefill: at `position` (negative: from the end) or the mean over the prompt. */
  hidden(tap: TapRequest, position: number | 'mean' = -1): Float32Array[] {
    const out = this.taps[tapName(tap)];
    if (!out) throw new Error(`the prefill did not read ${tapName(tap)}`);
    const [, width, d] = out.shape;
    const data = out.data as Float32Array;
    return this.promptLengths.map((length, b) => {
      const first = width - length; // left padding
      if (position === 'mean') {
        const mean = new Float32Array(d);
        for (let p = first; p < width; p++) for (let j = 0; j < d; j++) mean[j] += data[(b * width + p) * d + j] / length;
        return mean;
      }
      const p = position < 0 ? length + position : position;
      if (p < 0 || p >= length) throw new Error(`position ${position} is outside a sequence of ${length} tokens`);
      const offset = (b * width + first + p) * d;
      return data.slice(offset, offset + d);
    });
  }

  /** Samples from the prefill's logits and decodes up to `maxNewTokens` tokens per prompt. */
  async continue(options: GenerateOptions): Promise<number[][]> {
    if (this.consumed) throw new Error('a prefilled generation continues once');
    this.consumed = true;
    const stop = new Set([...(options.stopIds ?? []), ...eosIds(this.config)]);
    const random = options.seed === undefined ? Math.random : mulberry32(options.seed);
    const { mask, positions: firstPositions, stepFeeds } = this.state;
    let positions = firstPositions;
    let ids: number[][] = [];
    let out = this.prefillOut;
    const outputs: number[][] = this.promptLengths.map(() => []);
    const done = this.promptLengths.map(() => false);
    const counts = this.promptLengths.map(() => new Map<number, number>());
    for (let step = 0; step < options.maxNewTokens && done.includes(false); step++) {
      if (step > 0) {
        const past: Record<string, HostTensor> = {};
        for (let l = 0; l < this.config.layers; l++) {
          past[`past.${l}.key`] = out[`present.${l}.key`];
          past[`past.${l}.value`] = out[`present.${l}.value`];
        }
        out = await this.compiled.run({ input_ids: int64Matrix(ids), attention_mask: int64Matrix(mask), position_ids: int64Matrix(positions), ...past, ...stepFeeds });
      }
      const vocab = out.logits.shape[2];
      const emitted: Array<number | undefined> = this.promptLengths.map(() => undefined);
      const logprobs: Array<TokenLogprob | undefined> = this.promptLengths.map(() => undefined);
      const next = this.promptLengths.map((_, b) => {
        const row = adjustedLogits((out.logits.data as Float32Array).subarray(b * vocab, (b + 1) * vocab), options, counts[b]);
        const token = sampleToken(row, options, random);
        if (done[b]) return token;
        if (stop.has(token)) done[b] = true;
        else {
          outputs[b].push(token);
          emitted[b] = token;
          counts[b].set(token, (counts[b].get(token) ?? 0) + 1);
          if (options.logprobs !== undefined) logprobs[b] = tokenLogprob(row, token, options.logprobs);
        }
        return token;
      });
      const ended = options.onStep?.(emitted, logprobs);
      if (ended === true) break;
      if (Array.isArray(ended)) ended.forEach((end, b) => end && (done[b] = true));
      ids = next.map((t) => [t]);
      positions = positions.map((row) => [row[row.length - 1] + 1]);
      for (const row of mask) row.push(1);
    }
    return outputs;
  }
}
