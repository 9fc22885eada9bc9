/** A·X = B for a general square A, via LU with partial pivoting. */
import { zeros, type DenseMatrix } from './dense-matrix';
import { assertRhs, assertSquare } from './errors';
import { lu } from './lu';
import { solveLowerInPlace, solveUpperInPlace } from './triangular-solve';

/** X for d×d `a` and d×k `b`. Throws SingularMatrixError (with the column) for singular A. */
export function solve(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  assertSquare('solve', a);
  assertRhs('solve', a, b);
  const { lu: f, pivots } = lu(a);
  const n = a.rows;
  const k = b.cols;
  const x = zeros(n, k);
  // X starts as P·B.
  for (let i = 0; i < n; i++) x.data.set(b.data.subarray(pivots[i] * k, (pivots[i] + 1) * k), i * k);
  solveLowerInPlace(f.data, n, x.data, k, true);
  solveUpperInPlace(f.data, n, x.data, k);
  return x;
}
