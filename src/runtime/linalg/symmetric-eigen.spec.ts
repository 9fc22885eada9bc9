import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { fromRows, identity, matmul, maxAbs, maxAbsDiff, transpose, zeros, type DenseMatrix } from './dense-matrix';
import { MatrixShapeError } from './errors';
import { randomMatrix, randomSymmetric } from './random-matrix';
import { symmetricEigen } from './symmetric-eigen';

function reconstruct(vectors: DenseMatrix, values: Float64Array): DenseMatrix {
  const n = values.length;
  const scaled = zeros(n, n); // U·Λ
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled.data[i * n + j] = vectors.data[i * n + j] * values[j];
  return matmul(scaled, transpose(vectors));
}

function expectValidDecomposition(a: DenseMatrix, tolerance = 1e-12): void {
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  expect(values.length).toBe(n);
  expect(vectors.rows).toBe(n);
  expect(vectors.cols).toBe(n);
  for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  expect(maxAbsDiff(reconstruct(vectors, values), a) / Math.max(maxAbs(a), 1e-300)).toBeLessThan(tolerance);
  expect(maxAbsDiff(matmul(transpose(vectors), vectors), identity(n))).toBeLessThan(1e-12);
}

describe('symmetricEigen', () => {
  it.each([1, 2, 5, 64, 200])('reconstructs A = U·Λ·Uᵀ with orthonormal U for d = %i', (d) => {
    expectValidDecomposition(randomSymmetric(d, d));
  });

  it('handles a rank-deficient covariance (a cluster of zero eigenvalues)', () => {
    const k = randomMatrix(60, 12, 5);
    const c = matmul(k, transpose(k)); // rank 12: 48 eigenvalues at 0
    expectValidDecomposition(c);
    const { values } = symmetricEigen(c);
    const scale = values[59];
    expect(values.filter((v) => Math.abs(v) < 1e-12 * scale).length).toBe(48);
  });

  it('handles repeated eigenvalues, diagonal and already-tridiagonal input', () => {
    expectValidDecomposition(identity(7));
    expectValidDecomposition(zeros(4, 4));
    const diag = fromRows([
      [3, 0, 0],
      [0, -1, 0],
      [0, 0, 2],
    ]);
    expect(Array.from(symmetricEigen(diag).values)).toEqual([-1, 2, 3]);
    const tri = zeros(50, 50);
    for (let i = 0; i < 50; i++) {
      tri.data[i * 50 + i] = 2;
      if (i > 0) tri.data[i * 50 + i - 1] = tri.data[(i - 1) * 50 + i] = -1;
    }
    expectValidDecomposition(tri);
    // Known spectrum of the 1-D Laplacian: 2 − 2cos(kπ/(n+1)).
    const { values } = symmetricEigen(tri);
    for (let k = 1; k <= 50; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / 51), 12);
  });

  it('gives the 2×2 answer', () => {
    const { values, vectors } = symmetricEigen(
      fromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(vectors.data[0] * vectors.data[1] + vectors.data[2] * vectors.data[3])).toBeLessThan(1e-15);
    expect(Math.abs(vectors.data[1])).toBeCloseTo(Math.SQRT1_2, 14); // (1, 1)/√2 for λ = 3
  });

  it('agrees with ml-matrix on the eigenvalues', () => {
    const a = randomSymmetric(40, 9);
    const reference = new EigenvalueDecomposition(Matrix.from1DArray(40, 40, a.data), { assumeSymmetric: true });
    const expected = [...reference.realEigenvalues].sort((x, y) => x - y);
    const { values } = symmetricEigen(a);
    for (let i = 0; i < 40; i++) expect(values[i]).toBeCloseTo(expected[i], 11);
  });

  it('rejects non-square, non-symmetric and non-finite input', () => {
    expect(() => symmetricEigen(zeros(2, 3))).toThrow(MatrixShapeError);
    expect(() => symmetricEigen(randomMatrix(4, 4, 1))).toThrow(/symmetricEigen: matrix is not symmetric/);
    const inf = identity(3);
    inf.data[8] = Infinity;
    expect(() => symmetricEigen(inf)).toThrow(/entry \(2, 2\) is Infinity/);
  });
});
