import { InvalidArgumentError } from 'commander';

/** A commander argument parser for positive integers that names the flag on bad input. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer (got "${value}")`);
    return n;
  };
}

/** A commander argument parser for whole numbers ≥ 0 that names the flag on bad input. */
export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a whole number ≥ 0 (got "${value}")`);
    return n;
  };
}
