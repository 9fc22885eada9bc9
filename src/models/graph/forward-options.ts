import type { Graph, Value } from '../../runtime/graph/graph';

/** Hidden-state taps a forward graph can expose, per layer. */
export type TapKind =
  /** The residual stream after the block (HF's hidden_states[layer + 1]). */
  | 'resid'
  /** The input of the MLP's output projection (ROME's key k: post-activation, d_ff wide). */
  | 'mlp.key'
  /** The MLP's output before it is added to the residual stream (ROME's value v). */
  | 'mlp.out';

export interface TapRequest {
  kind: TapKind;
  layer: number;
}

export const tapName = (tap: TapRequest): string => `tap.${tap.kind}.${tap.layer}`;

export interface ForwardOptions {
  /**
   * Take past keys/values as inputs and return the updated cache (prefill: past length 0). With
   * `startAfter` l, only layers l+1.. take them (`past.{layer}.*`), and `presents[i]` is layer l+1+i.
   */
  cache?: boolean;
  /**
   * Which positions get LM-head logits: every position (scoring), the last (generation), none,
   * or `gathered`: only the positions fed as `logits.positions` [n] (int64 indices into the
   * flattened batch × seq), giving logits [n, vocab] (a loss that reads a few positions).
   */
  logits?: 'all' | 'last' | 'none' | 'gathered';
  /**
   * Start after layer l from a fed residual stream `resid.start` [batch, seq, d_model] (the
   * state after layer l) instead of the embeddings: only layers l+1.. run. A loss that changes
   * nothing below layer l+1 computes the frozen prefix once (with `stopAfter`) and reuses it.
   */
  startAfter?: number;
  /** Run the layers up to and including l only (with `logits: 'none'`): taps at or below l. */
  stopAfter?: number;
  taps?: TapRequest[];
  /**
   * Adds, on every MLP output, the low-rank edit delta h += (k·V)·Uᵀ with per-sequence factors
   * fed as inputs `delta.{l}.V` [batch, d_ff, r] and `delta.{l}.U` [batch, d_model, r]. Routed
   * edits change only the feeds, never the graph; r = 0 feeds cost next to nothing.
   */
  editHooks?: boolean;
  /**
   * Adds a fed tensor `resid.add.{l}` [batch, seq, d_model] to the residual stream after layer l
   * (`resid.add.embed` after the embeddings for l = -1). ROME/MEMIT optimise their value vectors
   * through it (gradient of the loss with respect to the feed); causal tracing corrupts the
   * subject's embeddings and restores a clean state at one layer and position with it.
   */
  residualAdd?: number[];
  /**
   * Replaces the residual stream after layer l where a fed mask says so: inputs
   * `resid.replace.{l}` [batch, seq, d_model] (the new states) and `resid.replace.{l}.mask`
   * [batch, seq] (1: replace, 0: keep). GRACE's codebook values replace the state at the
   * prompt's last token this way.
   */
  residualReplace?: number[];
  /** Bake the weights in as initializers (frozen) instead of feeding them as inputs. */
  frozenWeights?: boolean;
  /** Compute type; must match the weights' (float64 is for gradient checks). Default float32. */
  dtype?: 'float32' | 'float64';
  /** LoRA on named linear layers (HF names without `.weight`), trained factors fed as inputs. */
  lora?: { targets: string[]; rank: number; alpha: number };
}

/** The graph inputs and outputs of a forward pass. */
export interface ForwardGraph {
  graph: Graph;
  /** [batch, seq] int64 token ids. */
  ids: Value;
  /** [batch, past + seq] int64: 1 for real tokens, 0 for padding. */
  attentionMask: Value;
  /** [batch, seq] int64 positions (padding-aware; computed by the caller). */
  positions: Value;
  past: Array<{ key: Value; value: Value }>;
  presents: Array<{ key: Value; value: Value }>;
  deltas: Array<{ u: Value; v: Value }>;
  /** The residual-add inputs by layer (-1: embeddings). */
  residualAdds: Map<number, Value>;
  /** The `resid.start` input when the graph starts after a layer (`startAfter`). */
  residualStart?: Value;
  loraFactors: Map<string, { a: Value; b: Value }>;
  logits?: Value;
  taps: Map<string, Value>;
  /** Weight values by Hugging Face tensor name. */
  weights: Map<string, Value>;
}
