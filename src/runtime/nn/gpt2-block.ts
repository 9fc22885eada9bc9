import { hostTensor, type DType, type HostTensor } from '../graph/dtype';
import type { Graph, Value } from '../graph/graph';
import * as op from '../ops';
import { gaussian, mulberry32 } from '../random';
import { attention, causalMask, geluTanh, layerNorm, linear, mergeHeads, splitHeads } from './layers';

/** Sizes of a GPT-2 style pre-norm transformer block. */
export interface BlockSize {
  dModel: number;
  heads: number;
  dFF: number;
}

export const BLOCK_PARAM_NAMES = ['ln1.g', 'ln1.b', 'attn.w_qkv', 'attn.b_qkv', 'attn.w_o', 'attn.b_o', 'ln2.g', 'ln2.b', 'mlp.w_in', 'mlp.b_in', 'mlp.w_out', 'mlp.b_out'] as const;
export type BlockParams = Record<(typeof BLOCK_PARAM_NAMES)[number], Value>;

/** Shapes of each block parameter. */
export function blockParamShapes({ dModel: d, dFF: f }: BlockSize): Record<(typeof BLOCK_PARAM_NAMES)[number], number[]> {
  return {
    'ln1.g': [d], 'ln1.b': [d], 'attn.w_qkv': [d, 3 * d], 'attn.b_qkv': [3 * d], 'attn.w_o': [d, d], 'attn.b_o': [d],
    'ln2.g': [d], 'ln2.b': [d], 'mlp.w_in': [d, f], 'mlp.b_in': [f], 'mlp.w_out': [f, d], 'mlp.b_out': [d],
  };
}

/** GPT-2-like random initialisation (normal(0, 0.02) weights, unit gains, zero biases), seeded. */
export function initBlockParams(size: BlockSize, dtype: DType, seed: number): Record<string, HostTensor> {
  const random = mulberry32(seed);
  const out: Record<string, HostTensor> = {};
  for (const [name, shape] of Object.entries(blockParamShapes(size))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      values[i] = name.endsWith('.g') ? 1 + 0.1 * gaussian(random) : name.includes('.b') ? 0.02 * gaussian(random) : 0.02 * gaussian(random);
    }
    out[name] = hostTensor(dtype, shape, values);
  }
  return out;
}

/**
 * x + attn(ln_1(x)), then + mlp(ln_2(x)), with causal attention: [B, T, d] -> [B, T, d].
 * Read it beside nanoGPT's Block.forward.
 */
export function gpt2Block(x: Value, p: BlockParams, { dModel, heads }: BlockSize): Value {
  const g: Graph = x.graph;
  const headDim = dModel / heads;
  const h = g.scope('attn', () => {
    const qkv = linear(layerNorm(x, p['ln1.g'], p['ln1.b']), p['attn.w_qkv'], p['attn.b_qkv']);
    const [q, k, v] = [0, 1, 2].map((i) => splitHeads(op.slice(qkv, [i * dModel], [(i + 1) * dModel], [2]), heads, headDim));
    const context = mergeHeads(attention(q, k, v, causalMask(x, 1)));
    return op.add(x, linear(context, p['attn.w_o'], p['attn.b_o']));
  });
  return g.scope('mlp', () => {
    const inner = geluTanh(linear(layerNorm(h, p['ln2.g'], p['ln2.b']), p['mlp.w_in'], p['mlp.b_in']));
    return op.add(h, linear(inner, p['mlp.w_out'], p['mlp.b_out']));
  });
}
