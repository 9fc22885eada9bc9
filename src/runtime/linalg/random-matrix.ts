/**
 * Seeded random matrices for the tests and the benchmark: reproducible without Math.random,
 * and cheap to build at d = 4096 (no O(d³) products).
 */
import { mulberry32 } from '../random';
import { zeros, type DenseMatrix } from './dense-matrix';

/** mulberry32 (see runtime/random.ts). */
export const seededRandom = mulberry32;

/** Entries uniform in [−1, 1). */
export function randomMatrix(rows: number, cols: number, seed: number): DenseMatrix {
  const next = seededRandom(seed);
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 2 * next() - 1;
  return m;
}

/** Symmetric, entries uniform in [−1, 1) plus `diagonalShift` on the diagonal. */
export function randomSymmetric(n: number, seed: number, diagonalShift = 0): DenseMatrix {
  const m = randomMatrix(n, n, seed);
  const d = m.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) d[j * n + i] = d[i * n + j];
    d[i * n + i] += diagonalShift;
  }
  return m;
}

/**
 * Symmetric positive definite: off-diagonal entries in [−1, 1) and diagonal n, so each row is
 * strictly diagonally dominant (Gershgorin puts every eigenvalue above 0).
 */
export function randomSpd(n: number, seed: number): DenseMatrix {
  return randomSymmetric(n, seed, n);
}
