/**
 * Input checks and the errors they throw. Each names the operation and what was wrong, so an
 * editor failing deep inside a solve reports e.g. "solveSpd: matrix is not positive definite (pivot 17 …)".
 */
import type { DenseMatrix } from './dense-matrix';

/** A shape the operation cannot take (non-square, mismatched rows, empty). */
export class MatrixShapeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'MatrixShapeError';
  }
}

/** Cholesky met a pivot ≤ 0 (or NaN): the leading (pivot+1)×(pivot+1) block is not positive definite. */
export class NotPositiveDefiniteError extends RangeError {
  constructor(
    readonly op: string,
    /** 0-based index of the failing diagonal entry. */
    readonly pivot: number,
    readonly value: number,
  ) {
    super(`${op}: matrix is not positive definite (pivot ${pivot} is ${value}; leading ${pivot + 1}x${pivot + 1} block fails)`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/** LU found no nonzero pivot in a column: the matrix is singular. */
export class SingularMatrixError extends RangeError {
  constructor(
    readonly op: string,
    /** 0-based column with no usable pivot. */
    readonly column: number,
  ) {
    super(`${op}: matrix is singular (no nonzero pivot in column ${column})`);
    this.name = 'SingularMatrixError';
  }
}

/** An iteration (QL, bidiagonal QR) that did not converge; not expected for finite input. */
export class ConvergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConvergenceError';
  }
}

export function assertSquare(op: string, a: DenseMatrix): void {
  if (a.rows !== a.cols) throw new MatrixShapeError(`${op}: expected a square matrix, got ${a.rows}x${a.cols}`);
  if (a.data.length !== a.rows * a.cols) {
    throw new MatrixShapeError(`${op}: data has ${a.data.length} entries, ${a.rows}x${a.cols} needs ${a.rows * a.cols}`);
  }
}

export function assertFinite(op: string, a: DenseMatrix): void {
  for (let i = 0; i < a.data.length; i++) {
    if (!Number.isFinite(a.data[i])) {
      const c = Math.max(a.cols, 1);
      throw new RangeError(`${op}: entry (${Math.floor(i / c)}, ${i % c}) is ${a.data[i]}`);
    }
  }
}

/**
 * Square, finite and symmetric. The symmetric routines read only the lower triangle; this
 * catches a caller passing a matrix that is not symmetric at all, while letting through the
 * rounding asymmetry of K·Kᵀ computed in floating point (tolerance: 1e-8 of the largest entry).
 */
export function assertSymmetric(op: string, a: DenseMatrix): void {
  assertSquare(op, a);
  assertFinite(op, a);
  const n = a.rows;
  const d = a.data;
  let scale = 0;
  for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]));
  const tol = 1e-8 * scale;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const diff = Math.abs(d[i * n + j] - d[j * n + i]);
      if (diff > tol) throw new RangeError(`${op}: matrix is not symmetric (entries (${i}, ${j}) and (${j}, ${i}) differ by ${diff})`);
    }
  }
}

export function assertRhs(op: string, a: DenseMatrix, b: DenseMatrix): void {
  if (b.rows !== a.rows) {
    throw new MatrixShapeError(`${op}: right-hand side has ${b.rows} rows, matrix is ${a.rows}x${a.cols}`);
  }
  if (b.data.length !== b.rows * b.cols) {
    throw new MatrixShapeError(`${op}: right-hand side data has ${b.data.length} entries, needs ${b.rows * b.cols}`);
  }
}
