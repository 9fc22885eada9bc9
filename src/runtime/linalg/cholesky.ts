/**
 * Cholesky factorization A = L·Lᵀ of a symmetric positive-definite matrix.
 *
 * Blocked and right-looking: factor a BLOCK-wide column panel, then subtract its outer product
 * from the trailing matrix. The update is the n³/3 bulk of the work, and done this way it is
 * short dot products between rows of a packed panel that stays in cache, instead of a
 * column sweep over the whole matrix per pivot (which is what makes ml-matrix's version slow
 * at d ≥ 1024).
 */
import { addGramLower } from './gram';
import { dot } from './kernels';
import { cloneMatrix, type DenseMatrix } from './dense-matrix';
import { NotPositiveDefiniteError, assertSymmetric } from './errors';

const BLOCK = 48;

/**
 * Returns L (lower triangular, zeros above the diagonal). Reads only A's lower triangle after
 * checking symmetry. Throws NotPositiveDefiniteError naming the first pivot that is ≤ 0.
 */
export function cholesky(a: DenseMatrix): DenseMatrix {
  return choleskyOf(a, 'cholesky');
}

/** cholesky under the caller's name (`op`) in error messages. */
export function choleskyOf(a: DenseMatrix, op: string): DenseMatrix {
  assertSymmetric(op, a);
  const l = cloneMatrix(a);
  factorInPlace(l.data, a.rows, op);
  return l;
}

/** Overwrites the lower triangle of the n×n row-major `d` with L and zeroes the upper. */
function factorInPlace(d: Float64Array, n: number, op: string): void {
  const panel = new Float64Array(n * BLOCK);
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(k0 + BLOCK, n);
    const w = k1 - k0;
    factorDiagonalBlock(d, n, k0, k1, op);
    // L21 = A21·L11⁻ᵀ, one row at a time (forward substitution against the rows of L11).
    for (let i = k1; i < n; i++) {
      const ri = i * n;
      for (let k = k0; k < k1; k++) {
        const s = d[ri + k] - dot(d, ri + k0, d, k * n + k0, k - k0);
        d[ri + k] = s / d[k * n + k];
      }
    }
    // Pack L21 contiguously (row i − k1 has w entries) so the update's dot products stream.
    for (let i = k1; i < n; i++) panel.set(d.subarray(i * n + k0, i * n + k1), (i - k1) * w);
    // A22 −= L21·L21ᵀ (lower triangle).
    addGramLower(d, k1 * n + k1, n, panel, n - k1, w, -1);
  }
  for (let i = 0; i < n; i++) d.fill(0, i * n + i + 1, (i + 1) * n);
}

/** Unblocked Cholesky of the diagonal block rows/cols [k0, k1), already updated by earlier panels. */
function factorDiagonalBlock(d: Float64Array, n: number, k0: number, k1: number, op: string): void {
  for (let j = k0; j < k1; j++) {
    const rj = j * n;
    for (let k = k0; k < j; k++) {
      d[rj + k] = (d[rj + k] - dot(d, rj + k0, d, k * n + k0, k - k0)) / d[k * n + k];
    }
    const pivot = d[rj + j] - dot(d, rj + k0, d, rj + k0, j - k0);
    // `!(pivot > 0)` also rejects NaN.
    if (!(pivot > 0)) throw new NotPositiveDefiniteError(op, j, pivot);
    d[rj + j] = Math.sqrt(pivot);
  }
}
