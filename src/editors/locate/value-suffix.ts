import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import type { Row } from './value-optimizer';

/**
 * The window of each value-optimisation row that the layers above the edited one must recompute
 * per step: from the subject's last token (where δ is added) to the last position whose logits
 * the loss reads. Tokens before it never see δ (attention is causal), so their keys and values in
 * those layers come once from the frozen prefix, as a KV cache; tokens after it reach no logit the
 * loss reads, so they are dropped.
 */
export interface SuffixLayout {
  /** Each row's first window position (its subject's last token): also its cached past length. */
  starts: number[];
  /** Each row's window length. */
  lengths: number[];
  /** The cache's padded length (the longest start). */
  past: number;
  /** The window's padded width (the longest window). */
  width: number;
}

/** The last position of a row whose logits the loss reads: the last target's prediction, or the KL row's subject token. */
export function lastReadPosition(row: Row): number {
  return row.kind === 'kl' ? row.subjectIndex : row.promptLength + row.targets.length - 2;
}

export function suffixLayout(rows: readonly Row[]): SuffixLayout {
  const starts = rows.map((r) => r.subjectIndex);
  const lengths = rows.map((r, b) => lastReadPosition(r) - starts[b] + 1);
  if (lengths.some((n) => n < 1)) throw new Error('value optimisation: a row reads logits before its subject token');
  return { starts, lengths, past: Math.max(...starts), width: Math.max(...lengths) };
}

/**
 * The loss graph's feeds for the windows, cut from the frozen prefix's outputs over the full rows
 * (`resid` [rows, fullWidth, d] after the edited layer, `present.{l}.key|value` [rows, kvHeads,
 * fullWidth, headDim] for each layer above): the cache of each row's tokens before its window
 * (padding masked), the window's absolute positions (RoPE), and `base`, the residual stream
 * entering the layers above at the window's positions, to which δ is added at position 0.
 */
export function suffixFeeds(layout: SuffixLayout, prefix: Record<string, HostTensor>, layersAbove: readonly number[]): { feeds: Record<string, HostTensor>; base: Float32Array } {
  const builder = new SuffixFeedsBuilder(layout, layersAbove);
  builder.add(prefix, 0);
  return builder;
}

/**
 * `suffixFeeds` filled from prefix runs over consecutive slices of the rows, so that the prefix
 * need never run (and hold its outputs for) all the rows at once: `add(prefix, offset)` copies
 * the rows offset … offset + its batch − 1 from a run over just those rows.
 */
export class SuffixFeedsBuilder {
  readonly feeds: Record<string, HostTensor> = {};
  /** [rows, width, d], allocated with the first slice (d from its `resid`). */
  base = new Float32Array(0);

  constructor(
    private readonly layout: SuffixLayout,
    private readonly layersAbove: readonly number[],
  ) {
    const { starts, lengths, past, width } = layout;
    const rows = starts.length;
    const mask = new Array<number>(rows * (past + width)).fill(0);
    const positions = new Array<number>(rows * width).fill(0);
    for (let b = 0; b < rows; b++) {
      for (let j = 0; j < starts[b]; j++) mask[b * (past + width) + j] = 1;
      for (let i = 0; i < lengths[b]; i++) {
        mask[b * (past + width) + past + i] = 1;
        positions[b * width + i] = starts[b] + i;
      }
    }
    this.feeds.attention_mask = hostTensor('int64', [rows, past + width], mask);
    this.feeds.position_ids = hostTensor('int64', [rows, width], positions);
    // Only the layers above run, from `resid.start`: the ids give the window's shape, never an embedding.
    this.feeds.input_ids = hostTensor('int64', [rows, width], new Array<number>(rows * width).fill(0));
  }

  add(prefix: Record<string, HostTensor>, offset: number): void {
    const { starts, lengths, past, width } = this.layout;
    const rows = starts.length;
    const resid = prefix.resid;
    const [count, fullWidth, d] = resid.shape;
    if (!this.base.length) this.base = new Float32Array(rows * width * d);
    const source = resid.data as Float32Array;
    for (let c = 0; c < count; c++) {
      const b = offset + c;
      const from = (c * fullWidth + starts[b]) * d;
      this.base.set(source.subarray(from, from + lengths[b] * d), b * width * d);
    }
    for (const l of this.layersAbove) {
      for (const part of ['key', 'value'] as const) {
        const present = prefix[`present.${l}.${part}`];
        const [, heads, , headDim] = present.shape;
        const name = `past.${l}.${part}`;
        const cache = (this.feeds[name] ??= hostTensor('float32', [rows, heads, past, headDim]));
        const data = cache.data as Float32Array;
        const all = present.data as Float32Array;
        for (let c = 0; c < count; c++) {
          const b = offset + c;
          for (let h = 0; h < heads; h++) {
            const from = (c * heads + h) * fullWidth * headDim;
            data.set(all.subarray(from, from + starts[b] * headDim), (b * heads + h) * past * headDim);
          }
        }
      }
    }
  }
}
