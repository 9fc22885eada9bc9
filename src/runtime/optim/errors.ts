/**
 * The one error every optimiser/schedule/clipping check throws for a bad setting, so callers
 * (and config loading) can report which field was wrong without parsing the message.
 */
export class HyperparameterError extends RangeError {
  constructor(
    /** The offending field, as the caller spelled it: `lr`, `betas[0]`, `weightDecay`, … */
    readonly field: string,
    message: string,
  ) {
    super(`invalid ${field}: ${message}`);
    this.name = 'HyperparameterError';
  }
}

/** A finite number ≥ 0 (learning rates, eps, weight decay). NaN fails, so it cannot slip through. */
export function requireNonNegative(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HyperparameterError(field, `must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** A finite number > 0 (max norms). */
export function requirePositive(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HyperparameterError(field, `must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

/** An integer ≥ 0 (step indices and counts). */
export function requireStepCount(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new HyperparameterError(field, `must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

/** An exponential-moving-average coefficient in [0, 1): β = 1 would never forget and make 1 − βᵗ = 0. */
export function requireBeta(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new HyperparameterError(field, `must be in [0, 1), got ${String(value)}`);
  }
  return value;
}
