/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ: Householder bidiagonalization, then
 * implicit-shift QR on the bidiagonal matrix.
 */
import { bidiagonalize } from './bidiagonalize';
import { bidiagonalQr } from './bidiagonal-qr';
import { transpose, type DenseMatrix } from './dense-matrix';
import { MatrixShapeError, assertFinite } from './errors';

export interface Svd {
  /** m×r with orthonormal columns, r = min(m, n). */
  u: DenseMatrix;
  /** Singular values, descending, ≥ 0 (length r). */
  s: Float64Array;
  /** n×r with orthonormal columns. */
  v: DenseMatrix;
}

export function svd(a: DenseMatrix): Svd {
  if (a.rows === 0 || a.cols === 0) throw new MatrixShapeError(`svd: expected a non-empty matrix, got ${a.rows}x${a.cols}`);
  if (a.data.length !== a.rows * a.cols) {
    throw new MatrixShapeError(`svd: data has ${a.data.length} entries, ${a.rows}x${a.cols} needs ${a.rows * a.cols}`);
  }
  assertFinite('svd', a);
  // The algorithm wants m ≥ n and works on the transpose; a wide A is handled as Aᵀ = V·S·Uᵀ,
  // whose transpose is A's own row-major data.
  const tall = a.rows >= a.cols;
  const m = tall ? a.rows : a.cols;
  const n = tall ? a.cols : a.rows;
  const at = tall ? transpose(a).data : a.data.slice();
  const b = bidiagonalize(at, m, n);
  bidiagonalQr(b, m, n);
  const left = transpose({ rows: n, cols: m, data: b.ut }); // m×n
  const right = transpose({ rows: n, cols: n, data: b.vt }); // n×n
  return tall ? { u: left, s: b.s, v: right } : { u: right, s: b.s, v: left };
}
