import type { Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';

/**
 * The additive attention mask for `seq` new queries over `past + seq` keys: a key is visible when
 * it is not padding and not in the future (query i sits at absolute position past + i).
 * Returns [batch, 1, seq, past + seq] with 0 where visible and -1e9 where not.
 */
export function additiveAttentionMask(attentionMask: Value, ids: Value, dtype: 'float32' | 'float64' = 'float32'): Value {
  const g = ids.graph;
  const shape = op.shapeOf(ids);
  const seq = op.gather(shape, op.int64s(g, [1]));
  const total = op.gather(op.shapeOf(attentionMask), op.int64s(g, [1]));
  const past = op.sub(total, seq);
  // Lower triangle of a [seq, total] matrix offset by `past`: key j visible to query i iff j <= past + i.
  const ones = op.fill(op.concat([seq, total], 0), 1, dtype);
  const causal = op.greater(op.trilu(ones, false, op.reshape(past, [])), 0.5); // [seq, total]
  const keyVisible = op.greater(op.cast(op.unsqueeze(attentionMask, [1, 2]), dtype), 0.5); // [batch, 1, 1, total]
  const visible = op.and(causal, keyVisible);
  return op.where(visible, op.scalar(g, 0, dtype), op.scalar(g, -1e9, dtype));
}
