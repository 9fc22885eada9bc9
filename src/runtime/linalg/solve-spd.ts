/**
 * A·X = B for symmetric positive-definite A, via A = L·Lᵀ: half the flops of LU and no
 * pivoting. This is the solve MEMIT/AlphaEdit do with (K·Kᵀ + λ·C) on the left.
 */
import { choleskyOf } from './cholesky';
import { cloneMatrix, type DenseMatrix } from './dense-matrix';
import { assertRhs, assertSquare } from './errors';
import { solveLowerInPlace, solveLowerTransposeInPlace } from './triangular-solve';

/** X for d×d SPD `a` and d×k `b`. Throws NotPositiveDefiniteError (with the pivot) if A is not SPD. */
export function solveSpd(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  assertSquare('solveSpd', a);
  assertRhs('solveSpd', a, b);
  return solveCholesky(choleskyOf(a, 'solveSpd'), b);
}

/**
 * A·X = B given A's Cholesky factor L (A = L·Lᵀ, as `cholesky` returns it): two triangular
 * solves, O(d²·k). Lets a caller factor A once and solve against it many times.
 */
export function solveCholesky(l: DenseMatrix, b: DenseMatrix): DenseMatrix {
  assertSquare('solveCholesky', l);
  assertRhs('solveCholesky', l, b);
  const x = cloneMatrix(b);
  solveLowerInPlace(l.data, l.rows, x.data, x.cols, false);
  solveLowerTransposeInPlace(l.data, l.rows, x.data, x.cols);
  return x;
}
