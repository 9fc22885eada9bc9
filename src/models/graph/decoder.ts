import type { Graph, Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import { additiveAttentionMask } from './attention-mask';
import { tapName, type ForwardGraph, type ForwardOptions, type TapKind } from './forward-options';
import { WeightBinder } from './weight-binder';
import type { HostTensor } from '../../runtime/graph/dtype';

/** What a model family supplies to the shared decoder skeleton. */
export interface DecoderFamily {
  layers: number;
  dModel: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Token (and, for GPT-2, position) embeddings: [batch, seq, d]. */
  embed(w: WeightBinder, ids: Value, positions: Value): Value;
  /** q, k, v projections of the normed input, already split into heads: [batch, heads, seq, headDim]. */
  qkv(w: WeightBinder, layer: number, x: Value, positions: Value): { q: Value; k: Value; v: Value };
  /** The attention output projection back to d. */
  attnOut(w: WeightBinder, layer: number, context: Value): Value;
  norm(w: WeightBinder, where: { layer: number; which: 'attn' | 'mlp' } | 'final', x: Value): Value;
  /** The MLP up to its output projection's input (ROME's key k), and that projection. */
  mlpKey(w: WeightBinder, layer: number, x: Value): Value;
  mlpOut(w: WeightBinder, layer: number, key: Value): Value;
  lmHead(w: WeightBinder, h: Value): Value;
}

/**
 * The pre-norm decoder both families share: x += attn(norm(x)); x += mlp(norm(x)); logits.
 * Handles the KV cache, padding masks, grouped-query attention, taps and edit hooks once.
 */
export function buildDecoder(graph: Graph, family: DecoderFamily, weights: ReadonlyMap<string, HostTensor>, options: ForwardOptions): ForwardGraph {
  const w = new WeightBinder(graph, weights, options);
  const ids = graph.input('input_ids', 'int64', ['batch', 'seq']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch', 'total']);
  const positions = graph.input('position_ids', 'int64', ['batch', 'seq']);
  const taps = new Map<string, Value>();
  const wanted = new Set((options.taps ?? []).map(tapName));
  const tap = (kind: TapKind, layer: number, value: Value) => {
    const name = tapName({ kind, layer });
    if (wanted.has(name)) taps.set(name, value);
  };
  const past: ForwardGraph['past'] = [];
  const presents: ForwardGraph['presents'] = [];
  const deltas: ForwardGraph['deltas'] = [];
  const dtype = options.dtype ?? 'float32';
  const mask = op.unsqueeze(additiveAttentionMask(attentionMask, ids, dtype), [1]); // [batch, 1, 1, seq, total]
  const groups = family.heads / family.kvHeads;

  const residualAdds = new Map<number, Value>();
  const addResidual = (layer: number, x: Value): Value => {
    if (!options.residualAdd?.includes(layer)) return x;
    const input = graph.input(layer < 0 ? 'resid.add.embed' : `resid.add.${layer}`, dtype, ['batch', 'seq', x.shape[2]]);
    residualAdds.set(layer, input);
    return op.add(x, input);
  };
  for (const layer of options.residualAdd ?? []) {
    if (!Number.isInteger(layer) || layer < -1 || layer >= family.layers) throw new Error(`residualAdd: no layer ${layer} (the model has ${family.layers}; -1 is the embeddings)`);
  }
  const replaceResidual = (layer: number, x: Value): Value => {
    if (!options.residualReplace?.includes(layer)) return x;
    const value = graph.input(`resid.replace.${layer}`, dtype, ['batch', 'seq', x.shape[2]]);
    const where = op.unsqueeze(graph.input(`resid.replace.${layer}.mask`, dtype, ['batch', 'seq']), [2]);
    // x + m·(value − x): the fed value where the mask is 1, the stream untouched where it is 0.
    return op.add(x, op.mul(where, op.sub(value, x)));
  };
  for (const layer of options.residualReplace ?? []) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= family.layers) throw new Error(`residualReplace: no layer ${layer} (the model has ${family.layers})`);
  }

  const start = options.startAfter ?? -1;
  const stop = options.stopAfter ?? family.layers - 1;
  if (!Number.isInteger(start) || start < -1 || start >= family.layers - 1) throw new Error(`startAfter: no layer ${start} to start after (the model has ${family.layers})`);
  if (!Number.isInteger(stop) || stop <= start || stop >= family.layers) throw new Error(`stopAfter: layer ${stop} is not between startAfter and the model's last (${family.layers - 1})`);
  if (stop < family.layers - 1 && (options.logits ?? 'all') !== 'none') throw new Error('stopAfter needs logits: none');
  let residualStart: Value | undefined;
  let h: Value;
  if (start < 0) {
    h = addResidual(-1, graph.scope('embed', () => family.embed(w, ids, positions)));
  } else {
    h = residualStart = graph.input('resid.start', dtype, ['batch', 'seq', family.dModel]);
  }
  for (let layer = start + 1; layer <= stop; layer++) {
    h = graph.scope(`layer${layer}`, () => {
      const normed = family.norm(w, { layer, which: 'attn' }, h);
      let { q, k, v } = family.qkv(w, layer, normed, positions);
      if (options.cache) {
        const pastKey = graph.input(`past.${layer}.key`, dtype, ['batch', family.kvHeads, 'past', family.headDim]);
        const pastValue = graph.input(`past.${layer}.value`, dtype, ['batch', family.kvHeads, 'past', family.headDim]);
        past.push({ key: pastKey, value: pastValue });
        k = op.concat([pastKey, k], 2);
        v = op.concat([pastValue, v], 2);
        presents.push({ key: k, value: v });
      }
      // Grouped-query attention without copying k/v: query head h uses kv head floor(h / groups).
      const qGrouped = op.reshape(q, ['batch', family.kvHeads, groups, 'seq', family.headDim]);
      const scores = op.mul(op.matmul(qGrouped, op.transposeLast2(op.unsqueeze(k, [2]))), 1 / Math.sqrt(family.headDim));
      const probs = op.softmax(op.add(scores, mask), -1);
      const context = op.reshape(op.matmul(probs, op.unsqueeze(v, [2])), ['batch', family.heads, 'seq', family.headDim]);
      const merged = op.reshape(op.transpose(context, [0, 2, 1, 3]), ['batch', 'seq', family.heads * family.headDim]);
      const afterAttn = op.add(h, family.attnOut(w, layer, merged));

      const key = family.mlpKey(w, layer, family.norm(w, { layer, which: 'mlp' }, afterAttn));
      tap('mlp.key', layer, key);
      let mlpOut = family.mlpOut(w, layer, key);
      if (options.editHooks) {
        const dModel = mlpOut.shape[2];
        const deltaV = graph.input(`delta.${layer}.V`, dtype, ['batch', key.shape[2], `rank${layer}`]);
        const deltaU = graph.input(`delta.${layer}.U`, dtype, ['batch', dModel, `rank${layer}`]);
        deltas.push({ u: deltaU, v: deltaV });
        mlpOut = op.add(mlpOut, op.matmul(op.matmul(key, deltaV), op.transposeLast2(deltaU)));
      }
      tap('mlp.out', layer, mlpOut);
      const out = replaceResidual(layer, addResidual(layer, op.add(afterAttn, mlpOut)));
      tap('resid', layer, out);
      return out;
    });
  }

  let logits: Value | undefined;
  if ((options.logits ?? 'all') !== 'none') {
    logits = graph.scope('head', () => {
      if (options.logits === 'gathered') {
        const at = graph.input('logits.positions', 'int64', ['positions']);
        const rows = op.gather(op.reshape(h, [-1, family.dModel]), at); // [positions, d]
        return family.lmHead(w, family.norm(w, 'final', rows));
      }
      const last = options.logits === 'last' ? op.slice(h, [-1], [2 ** 62], [1]) : h;
      return family.lmHead(w, family.norm(w, 'final', last));
    });
  }
  for (const name of wanted) if (!taps.has(name)) throw new Error(`no such tap: ${name} (the model has ${family.layers} layers${start >= 0 || stop < family.layers - 1 ? `, ${start + 1} to ${stop} built` : ''})`);
  return { graph, ids, attentionMask, positions, past, presents, deltas, residualAdds, residualStart, loraFactors: w.loraFactors, logits, taps, weights: w.bound };
}
