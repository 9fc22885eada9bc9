import { cholesky } from './cholesky';
import { fromRows, matmul, maxAbs, maxAbsDiff, transpose } from './dense-matrix';
import { MatrixShapeError, NotPositiveDefiniteError } from './errors';
import { randomMatrix, randomSpd } from './random-matrix';

describe('cholesky', () => {
  // 48 is the block width: 64 and 200 cross block boundaries, 97 leaves a ragged last block.
  it.each([1, 5, 64, 97, 200])('reconstructs A = L·Lᵀ for d = %i', (d) => {
    // A = X·Xᵀ + d·I: SPD with a spread of eigenvalues, not just diagonally dominant.
    const x = randomMatrix(d, d, d);
    const a = matmul(x, transpose(x));
    for (let i = 0; i < d; i++) a.data[i * d + i] += d;
    const l = cholesky(a);
    expect(maxAbsDiff(matmul(l, transpose(l)), a) / maxAbs(a)).toBeLessThan(1e-12);
    for (let i = 0; i < d; i++) {
      expect(l.data[i * d + i]).toBeGreaterThan(0);
      for (let j = i + 1; j < d; j++) expect(l.data[i * d + j]).toBe(0);
    }
  });

  it('does not modify its input', () => {
    const a = randomSpd(30, 7);
    const copy = a.data.slice();
    cholesky(a);
    expect(a.data).toEqual(copy);
  });

  it('names the failing pivot of a matrix that is not positive definite', () => {
    // Leading 2×2 block is SPD; the third pivot is 1 − (0.9² / 1) − … < 0.
    const a = fromRows([
      [4, 2, 2, 0],
      [2, 2, 2, 0],
      [2, 2, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => cholesky(a)).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky(a)).toThrow(/pivot 2 /);
    try {
      cholesky(a);
    } catch (err) {
      expect((err as NotPositiveDefiniteError).pivot).toBe(2);
    }
    // A failure deep in a blocked factorization reports the global index.
    const big = randomSpd(100, 3);
    big.data[73 * 100 + 73] = -1;
    expect(() => cholesky(big)).toThrow(/pivot 73 /);
  });

  it('rejects non-square, non-symmetric and NaN input', () => {
    expect(() => cholesky(randomMatrix(3, 4, 1))).toThrow(MatrixShapeError);
    expect(() => cholesky(randomMatrix(3, 4, 1))).toThrow(/square matrix, got 3x4/);
    expect(() =>
      cholesky(
        fromRows([
          [2, 1],
          [0, 2],
        ]),
      ),
    ).toThrow(/not symmetric/);
    const nan = randomSpd(3, 1);
    nan.data[4] = NaN;
    expect(() => cholesky(nan)).toThrow(/entry \(1, 1\) is NaN/);
  });
});
