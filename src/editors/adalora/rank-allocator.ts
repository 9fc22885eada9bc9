/**
 * AdaLoRA's rank allocation (Zhang et al. 2023, §3.2–3.3): each singular value λᵢ of an adapter
 * P·diag(λ)·Q is kept or zeroed by the importance of its triplet (λᵢ, Pᵢ's column, Qᵢ's row),
 * against a budget of kept values that falls on a cubic schedule from the initial total rank to
 * the target one.
 */

export interface BudgetSchedule {
  /** Singular values kept at the start (every module's initial rank, summed). */
  initial: number;
  /** Kept at the end (the target average rank × modules). */
  target: number;
  /** Training steps in all. */
  steps: number;
  /** Steps at the full budget before pruning starts (t_i). */
  warmup: number;
  /** Steps at the target budget at the end (t_f). */
  final: number;
}

/** b(t): the initial budget during warmup, then a cubic fall to the target, held for the last `final` steps. */
export function budgetAt(step: number, s: BudgetSchedule): number {
  if (step < s.warmup) return s.initial;
  const falling = s.steps - s.warmup - s.final;
  if (falling <= 0 || step >= s.steps - s.final) return s.target;
  const left = 1 - (step - s.warmup) / falling;
  return s.target + Math.floor((s.initial - s.target) * left ** 3);
}

/**
 * Sensitivity smoothed over steps (§3.2): I = |w·∂L/∂w|, its moving average Ī (β₁), and the
 * moving average Ū (β₂) of |I − Ī|, the uncertainty; the importance of w is Ī·Ū.
 */
export class SmoothedSensitivity {
  private readonly mean: Float32Array;
  private readonly uncertainty: Float32Array;

  constructor(
    size: number,
    private readonly beta1: number,
    private readonly beta2: number,
  ) {
    this.mean = new Float32Array(size);
    this.uncertainty = new Float32Array(size);
  }

  update(weights: Float32Array, grads: Float32Array): void {
    for (let i = 0; i < weights.length; i++) {
      const sensitivity = Math.abs(weights[i] * grads[i]);
      this.mean[i] = this.beta1 * this.mean[i] + (1 - this.beta1) * sensitivity;
      this.uncertainty[i] = this.beta2 * this.uncertainty[i] + (1 - this.beta2) * Math.abs(sensitivity - this.mean[i]);
    }
  }

  importance(i: number): number {
    return this.mean[i] * this.uncertainty[i];
  }
}

/**
 * The importance of each triplet of one adapter: s(λᵢ) + mean over Pᵢ's column of s(P) + mean over
 * Qᵢ's row of s(Q). P is [rows × rank] (row-major), Q is [rank × cols].
 */
export function tripletImportance(lambda: SmoothedSensitivity, p: SmoothedSensitivity, q: SmoothedSensitivity, rank: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rank);
  for (let i = 0; i < rank; i++) {
    let ps = 0;
    for (let j = 0; j < rows; j++) ps += p.importance(j * rank + i);
    let qs = 0;
    for (let j = 0; j < cols; j++) qs += q.importance(i * cols + j);
    out[i] = lambda.importance(i) + ps / rows + qs / cols;
  }
  return out;
}

/** Which singular values stay: the `budget` most important across all adapters (ties keep the earlier). */
export function keepMask(importance: readonly Float64Array[], budget: number): boolean[][] {
  const all = importance.flatMap((scores, m) => [...scores].map((score, i) => ({ m, i, score })));
  all.sort((a, b) => b.score - a.score || a.m - b.m || a.i - b.i);
  const masks = importance.map((scores) => Array.from(scores, () => false));
  for (const { m, i } of all.slice(0, Math.max(0, budget))) masks[m][i] = true;
  return masks;
}
