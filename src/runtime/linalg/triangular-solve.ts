/**
 * Triangular solves T·X = B in place on a row-major n×k right-hand side. Every update is an
 * axpy between whole rows of B, and T is read along its rows, so nothing is strided.
 */
import { axpy } from './kernels';

/** L·X = B for lower-triangular L (row-major n×n); `unitDiagonal` skips the division (LU's L). */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array, k: number, unitDiagonal: boolean): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let p = 0; p < i; p++) {
      const lip = l[ri + p];
      if (lip !== 0) axpy(-lip, b, p * k, b, i * k, k);
    }
    if (!unitDiagonal) scaleRow(b, i * k, k, 1 / l[ri + i]);
  }
}

/** Lᵀ·X = B for lower-triangular L: column-oriented, so L is still read along its rows. */
export function solveLowerTransposeInPlace(l: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    scaleRow(b, i * k, k, 1 / l[ri + i]);
    for (let p = 0; p < i; p++) {
      const lip = l[ri + p];
      if (lip !== 0) axpy(-lip, b, i * k, b, p * k, k);
    }
  }
}

/** U·X = B for upper-triangular U (row-major n×n). */
export function solveUpperInPlace(u: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    for (let p = i + 1; p < n; p++) {
      const uip = u[ri + p];
      if (uip !== 0) axpy(-uip, b, p * k, b, i * k, k);
    }
    scaleRow(b, i * k, k, 1 / u[ri + i]);
  }
}

function scaleRow(b: Float64Array, offset: number, k: number, factor: number): void {
  for (let j = 0; j < k; j++) b[offset + j] *= factor;
}
