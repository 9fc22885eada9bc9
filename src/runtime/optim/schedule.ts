/**
 * Learning-rate schedules as pure functions of the step.
 *
 * Step indexing is 0-based: `schedule(t)` is the learning rate for the (t+1)-th optimiser
 * update, i.e. pass `AdamW.stepCount` before calling `step()`. A run of `totalSteps` updates
 * uses t = 0 … totalSteps − 1. Steps past the end are allowed and hold the final value, so
 * an over-long loop decays no further instead of throwing or turning back up the cosine.
 */
import { HyperparameterError, requireNonNegative, requireStepCount } from './errors';

export type LrSchedule = (step: number) => number;

/** The same learning rate at every step. */
export function constant({ lr }: { lr: number }): LrSchedule {
  requireNonNegative('lr', lr);
  return (step) => {
    requireStepCount('step', step);
    return lr;
  };
}

/**
 * Linear warmup: lr(t) = peakLr·(t+1)/warmupSteps for t < warmupSteps, so the first update
 * already moves (t = 0 gives peakLr/warmupSteps) and t = warmupSteps − 1 reaches peakLr.
 * Returns undefined once warmup is over. warmupSteps = 0 means no warmup.
 */
function warmup(peakLr: number, warmupSteps: number, step: number): number | undefined {
  return step < warmupSteps ? (peakLr * (step + 1)) / warmupSteps : undefined;
}

/** Linear warmup to `peakLr`, then `peakLr` for ever. */
export function warmupConstant({ peakLr, warmupSteps }: { peakLr: number; warmupSteps: number }): LrSchedule {
  requireNonNegative('peakLr', peakLr);
  requireStepCount('warmupSteps', warmupSteps);
  return (step) => {
    requireStepCount('step', step);
    return warmup(peakLr, warmupSteps, step) ?? peakLr;
  };
}

export interface WarmupCosineOptions {
  readonly peakLr: number;
  readonly warmupSteps: number;
  /** Total number of updates, warmup included; the schedule reaches `minLr` at t = totalSteps. */
  readonly totalSteps: number;
  /** The floor the cosine decays to and stays at afterwards. Default 0. */
  readonly minLr?: number;
}

/**
 * Linear warmup (as in `warmupConstant`), then half a cosine from peakLr down to minLr
 * (Loshchilov & Hutter, "SGDR", eq. 5, one cycle without restarts):
 *   lr(t) = minLr + ½(peakLr − minLr)(1 + cos(π·(t − W)/(T − W)))   for W ≤ t < T,
 *   lr(t) = minLr                                                  for t ≥ T.
 * So lr(W) = peakLr, lr(W + (T − W)/2) = (peakLr + minLr)/2, and lr(T) = minLr, matching
 * Hugging Face's get_cosine_schedule_with_warmup when minLr = 0.
 */
export function warmupCosine({ peakLr, warmupSteps, totalSteps, minLr = 0 }: WarmupCosineOptions): LrSchedule {
  requireNonNegative('peakLr', peakLr);
  requireNonNegative('minLr', minLr);
  requireStepCount('warmupSteps', warmupSteps);
  requireStepCount('totalSteps', totalSteps);
  if (minLr > peakLr) throw new HyperparameterError('minLr', `must be <= peakLr (${peakLr}), got ${minLr}`);
  if (warmupSteps > totalSteps) {
    throw new HyperparameterError('warmupSteps', `must be <= totalSteps (${totalSteps}), got ${warmupSteps}`);
  }
  const decaySteps = totalSteps - warmupSteps;
  return (step) => {
    requireStepCount('step', step);
    const warm = warmup(peakLr, warmupSteps, step);
    if (warm !== undefined) return warm;
    if (step >= totalSteps) return minLr;
    const progress = (step - warmupSteps) / decaySteps; // in [0, 1): decaySteps > 0 here
    return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}
