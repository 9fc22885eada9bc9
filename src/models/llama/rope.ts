import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import type { Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import type { LlamaConfig } from '../config';

/**
 * Rotary position embeddings (Su et al. 2021) in Hugging Face's "rotate_half" convention: the
 * head's first and second halves are the two coordinates of each rotated pair.
 */
export function inverseFrequencies(config: LlamaConfig): Float64Array {
  const half = config.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / config.ropeTheta ** ((2 * i) / config.headDim);
  const scaling = config.ropeScaling;
  if (scaling?.type === 'linear') for (let i = 0; i < half; i++) inv[i] /= scaling.factor;
  if (scaling?.type === 'llama3') {
    // Llama 3.1: long wavelengths slowed by `factor`, short ones kept, a smooth blend between.
    const low = scaling.lowFreqFactor ?? 1;
    const high = scaling.highFreqFactor ?? 4;
    const original = scaling.originalMaxPositions ?? 8192;
    for (let i = 0; i < half; i++) {
      const wavelength = (2 * Math.PI) / inv[i];
      if (wavelength > original / low) inv[i] /= scaling.factor;
      else if (wavelength >= original / high) {
        const smooth = (original / wavelength - low) / (high - low);
        inv[i] = (1 - smooth) * (inv[i] / scaling.factor) + smooth * inv[i];
      }
    }
  }
  return inv;
}

/** cos and sin tables [maxPositions, headDim] (each half repeated, as HF concatenates freqs twice). */
export function ropeTables(config: LlamaConfig, dtype: 'float32' | 'float64' = 'float32'): { cos: HostTensor; sin: HostTensor } {
  const inv = inverseFrequencies(config);
  const half = config.headDim / 2;
  const n = config.maxPositions;
  // float64 tables for gradient checks; float32 for serving.
  const cos = hostTensor(dtype, [n, config.headDim]);
  const sin = hostTensor(dtype, [n, config.headDim]);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * inv[i];
      for (const j of [i, i + half]) {
        cos.data[p * config.headDim + j] = Math.cos(angle);
        sin.data[p * config.headDim + j] = Math.sin(angle);
      }
    }
  }
  return { cos, sin };
}

/** x·cos + rotate_half(x)·sin for x [batch, heads, seq, headDim]; cos/sin gathered per position. */
export function applyRope(x: Value, cos: Value, sin: Value, headDim: number): Value {
  const half = headDim / 2;
  const rotated = op.concat([op.neg(op.slice(x, [half], [headDim], [3])), op.slice(x, [0], [half], [3])], 3);
  return op.add(op.mul(x, cos), op.mul(rotated, sin));
}

/** Gathers the tables at the given positions: [batch, 1, seq, headDim], broadcasting over heads. */
export function ropeAt(table: Value, positions: Value): Value {
  return op.unsqueeze(op.gather(table, positions), [1]);
}
