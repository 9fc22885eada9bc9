/**
 * Global gradient-norm clipping, as torch.nn.utils.clip_grad_norm_ with norm_type = 2: the L2
 * norm over all gradients together, and if it exceeds `maxNorm` every gradient is scaled by
 * the same factor, so the direction of the full update is kept.
 */
import { requirePositive } from './errors';

/** Gradients by name (the optimiser's form) or as a plain list. */
export type GradientSet = ReadonlyMap<string, Float32Array> | readonly Float32Array[];

/**
 * Clips `grads` in place and returns the norm they had before clipping (log it; a spike is
 * the usual early sign of divergence).
 *
 * Differences from PyTorch, both deliberate:
 * - the scale is maxNorm / norm, not maxNorm / (norm + 1e-6), so a clipped set has norm
 *   maxNorm (to float32 rounding) rather than just under it;
 * - a non-finite norm (some gradient is NaN or ±∞) leaves the gradients untouched instead of
 *   multiplying them all by NaN; the caller sees the returned norm and should skip the step.
 *
 * The sum of squares is accumulated in float64: float32 has 24 bits of mantissa and loses
 * small terms once the running sum is large, which a model's millions of entries reach.
 * float64 cannot overflow here either (float32 max² ≈ 1.2e77).
 */
export function clipGradNorm(grads: GradientSet, maxNorm: number): number {
  requirePositive('maxNorm', maxNorm);
  const list = grads instanceof Map ? [...grads.values()] : (grads as readonly Float32Array[]);
  let sumSq = 0;
  for (const g of list) {
    for (let i = 0; i < g.length; i++) sumSq += g[i] * g[i];
  }
  const norm = Math.sqrt(sumSq);
  if (Number.isFinite(norm) && norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const g of list) {
      for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
  }
  return norm;
}
