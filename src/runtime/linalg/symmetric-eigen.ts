/**
 * Symmetric eigendecomposition A = U·Λ·Uᵀ: Householder tridiagonalization, then implicit QL on
 * the tridiagonal matrix with the rotations accumulated into Qᵀ.
 */
import { transpose, type DenseMatrix } from './dense-matrix';
import { assertSymmetric } from './errors';
import { tridiagonalize } from './tridiagonalize';
import { tridiagonalQl } from './tridiagonal-ql';

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Column j is the unit eigenvector of values[j]; the columns are orthonormal. */
  vectors: DenseMatrix;
}

/** Reads the lower triangle of `a` after checking it is symmetric. */
export function symmetricEigen(a: DenseMatrix): SymmetricEigen {
  const { values, vectorRows } = eigenRows(a, 'symmetricEigen');
  return { values, vectors: transpose(vectorRows) };
}

/**
 * The same with the eigenvectors as rows (Uᵀ), the layout the algorithm produces; `op` names
 * the caller in error messages.
 */
export function eigenRows(a: DenseMatrix, op: string): { values: Float64Array; vectorRows: DenseMatrix } {
  assertSymmetric(op, a);
  const n = a.rows;
  const { diag, sub, qt } = tridiagonalize(a.data.slice(), n);
  tridiagonalQl(diag, sub, qt, n);
  return { values: diag, vectorRows: { rows: n, cols: n, data: qt } };
}
