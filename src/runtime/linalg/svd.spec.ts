import { SingularValueDecomposition, Matrix } from 'ml-matrix';
import { fromRows, identity, matmul, maxAbs, maxAbsDiff, transpose, zeros, type DenseMatrix } from './dense-matrix';
import { MatrixShapeError } from './errors';
import { randomMatrix } from './random-matrix';
import { svd } from './svd';

function expectValidSvd(a: DenseMatrix): Float64Array {
  const r = Math.min(a.rows, a.cols);
  const { u, s, v } = svd(a);
  expect([u.rows, u.cols, v.rows, v.cols, s.length]).toEqual([a.rows, r, a.cols, r, r]);
  for (let i = 0; i < r; i++) {
    expect(s[i]).toBeGreaterThanOrEqual(0);
    if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
  }
  const us = zeros(a.rows, r);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < r; j++) us.data[i * r + j] = u.data[i * r + j] * s[j];
  expect(maxAbsDiff(matmul(us, transpose(v)), a) / Math.max(maxAbs(a), 1e-300)).toBeLessThan(1e-12);
  expect(maxAbsDiff(matmul(transpose(u), u), identity(r))).toBeLessThan(1e-12);
  expect(maxAbsDiff(matmul(transpose(v), v), identity(r))).toBeLessThan(1e-12);
  return s;
}

describe('svd (thin)', () => {
  it.each([
    [1, 1],
    [5, 5],
    [64, 64],
    [200, 200],
    [200, 120],
    [120, 200],
    [1, 7],
    [7, 1],
  ])('reconstructs A = U·S·Vᵀ with orthonormal U, V for %i×%i', (m, n) => {
    expectValidSvd(randomMatrix(m, n, m * 1000 + n));
  });

  it('handles rank deficiency and the zero matrix', () => {
    const k = randomMatrix(50, 8, 3);
    const s = expectValidSvd(matmul(k, randomMatrix(8, 40, 4))); // rank 8
    for (let i = 8; i < 40; i++) expect(s[i]).toBeLessThan(1e-12 * s[0]);
    expect(Array.from(expectValidSvd(zeros(3, 2)))).toEqual([0, 0]);
  });

  it('gives known singular values', () => {
    const s = expectValidSvd(
      fromRows([
        [3, 0],
        [0, -4],
        [0, 0],
      ]),
    );
    expect(Array.from(s)).toEqual([4, 3]);
  });

  it('agrees with ml-matrix on the singular values', () => {
    const a = randomMatrix(30, 20, 8);
    const reference = new SingularValueDecomposition(Matrix.from1DArray(30, 20, a.data));
    const { s } = svd(a);
    reference.diagonal.forEach((expected, i) => expect(s[i]).toBeCloseTo(expected, 12));
  });

  it('rejects empty and non-finite input', () => {
    expect(() => svd(zeros(0, 3))).toThrow(MatrixShapeError);
    const nan = zeros(2, 2);
    nan.data[1] = NaN;
    expect(() => svd(nan)).toThrow(/svd: entry \(0, 1\) is NaN/);
  });
});
