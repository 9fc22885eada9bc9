import type { Value } from '../graph/graph';
import * as op from '../ops';

/**
 * Composite layers built from primitive ops: they need no gradient rules of their own, and
 * they read like the papers (nanoGPT's order: norm, attention, MLP, block).
 */

/** x·W + b, with W stored [in, out] (GPT-2's Conv1D layout). */
export function linear(x: Value, weight: Value, bias?: Value): Value {
  const y = op.matmul(x, weight);
  return bias ? op.add(y, bias) : y;
}

/** LayerNorm over the last axis (Ba et al.): (x - mean) / sqrt(var + eps) * gain + bias. */
export function layerNorm(x: Value, gain: Value, bias: Value, eps = 1e-5): Value {
  const centered = op.sub(x, op.reduceMean(x, [-1], true));
  const variance = op.reduceMean(op.mul(centered, centered), [-1], true);
  return op.add(op.mul(op.div(centered, op.sqrt(op.add(variance, eps))), gain), bias);
}

/** RMSNorm (Zhang & Sennrich), Llama's norm: x / sqrt(mean(x²) + eps) * gain. */
export function rmsNorm(x: Value, gain: Value, eps = 1e-6): Value {
  const meanSquare = op.reduceMean(op.mul(x, x), [-1], true);
  return op.mul(op.div(x, op.sqrt(op.add(meanSquare, eps))), gain);
}

/**
 * GELU, tanh approximation (GPT-2's "gelu_new"): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). In
 * float32, onnxruntime's fused FastGelu: one pass forward, and a gradient rule of its own (the
 * nine elementwise ops it stands for made the backward of an MLP more elementwise passes than
 * MatMuls). Its float64 kernel computes in float32 precision, so float64 graphs (gradient checks,
 * references) keep the ops.
 */
export function geluTanh(x: Value): Value {
  if (x.dtype === 'float32') return op.fastGelu(x);
  const inner = op.mul(op.add(x, op.mul(op.mul(op.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return op.mul(op.mul(x, 0.5), op.add(op.tanh(inner), 1));
}

/** SiLU (Llama's MLP gate): x·σ(x). */
export function silu(x: Value): Value {
  return op.mul(x, op.sigmoid(x));
}

/** Splits [B, T, H·D] into heads [B, H, T, D]. */
export function splitHeads(x: Value, heads: number, headDim: number): Value {
  const [batch, seq] = x.shape;
  return op.transpose(op.reshape(x, [batch, seq, heads, headDim]), [0, 2, 1, 3]);
}

/** Merges heads [B, H, T, D] back into [B, T, H·D]. */
export function mergeHeads(x: Value): Value {
  const [batch, heads, seq, headDim] = x.shape;
  const merged = op.transpose(x, [0, 2, 1, 3]);
  return op.reshape(merged, [batch, seq, typeof heads === 'number' && typeof headDim === 'number' ? heads * headDim : -1]);
}

/**
 * Scaled dot-product attention with an additive mask (0 where allowed, a large negative number
 * where not), shapes [B, H, Tq, D] x [B, H, Tk, D] -> [B, H, Tq, D].
 */
export function attention(q: Value, k: Value, v: Value, additiveMask?: Value): Value {
  const headDim = q.shape[q.rank - 1] as number;
  let scores = op.mul(op.matmul(q, op.transposeLast2(k)), 1 / Math.sqrt(headDim));
  if (additiveMask) scores = op.add(scores, additiveMask);
  return op.matmul(op.softmax(scores, -1), v);
}

/**
 * The causal mask for a sequence of length T (read from `like`'s axis): [T, T] with 0 on and
 * below the diagonal and -1e9 above, built at run time so T can be symbolic.
 */
export function causalMask(like: Value, seqAxis: number): Value {
  const g = like.graph;
  const seq = op.gather(op.shapeOf(like), op.int64s(g, [seqAxis]));
  const square = op.concat([seq, seq], 0);
  const upper = op.trilu(op.fill(square, -1e9, like.dtype), true, 1);
  return upper;
}
