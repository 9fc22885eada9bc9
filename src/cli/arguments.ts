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

/** "0.05,0.1" → [0.05, 0.1]: comma-separated fractions from 0 to 1. */
export function fractionList(flag: string): (value: string) => number[] {
  return (value) => {
    const rates = value.split(',').map((part) => (part.trim() === '' ? NaN : Number(part)));
    if (rates.some((r) => !(r >= 0 && r <= 1))) throw new InvalidArgumentError(`${flag} takes comma-separated fractions from 0 to 1 (got "${value}")`);
    return rates;
  };
}
