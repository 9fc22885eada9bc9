import { fromRows, identity, matmul, maxAbs, maxAbsDiff, transpose, zeros } from './dense-matrix';
import { MatrixShapeError, NotPositiveDefiniteError, SingularMatrixError } from './errors';
import { lu } from './lu';
import { randomMatrix } from './random-matrix';
import { solve } from './solve';
import { solveSpd } from './solve-spd';

/** ‖A·X − B‖_max / (‖A‖_max·‖X‖_max·d): a backward-error style residual, scale free. */
function residual(a: ReturnType<typeof zeros>, x: ReturnType<typeof zeros>, b: ReturnType<typeof zeros>): number {
  return maxAbsDiff(matmul(a, x), b) / (maxAbs(a) * maxAbs(x) * a.rows);
}

describe('solveSpd', () => {
  it.each([1, 5, 64, 200])('solves A·X = B with a small residual for d = %i', (d) => {
    const k = 3;
    const y = randomMatrix(d, d, 10 + d);
    const a = matmul(y, transpose(y));
    for (let i = 0; i < d; i++) a.data[i * d + i] += 1;
    const b = randomMatrix(d, k, 20 + d);
    const x = solveSpd(a, b);
    expect(x.rows).toBe(d);
    expect(x.cols).toBe(k);
    expect(residual(a, x, b)).toBeLessThan(1e-13);
  });

  it('reports a non-SPD matrix with its pivot, and shape mismatches', () => {
    const a = fromRows([
      [1, 2],
      [2, 1],
    ]);
    expect(() => solveSpd(a, identity(2))).toThrow(NotPositiveDefiniteError);
    expect(() => solveSpd(a, identity(2))).toThrow(/^solveSpd: matrix is not positive definite \(pivot 1 /);
    expect(() => solveSpd(identity(3), zeros(2, 1))).toThrow(/right-hand side has 2 rows, matrix is 3x3/);
    expect(() => solveSpd(zeros(2, 3), zeros(2, 1))).toThrow(MatrixShapeError);
  });
});

describe('solve (LU with partial pivoting)', () => {
  // 48 is the block width: 64 and 200 cross block boundaries.
  it.each([1, 5, 64, 200])('solves a random general system for d = %i', (d) => {
    const a = randomMatrix(d, d, 30 + d);
    const b = randomMatrix(d, 4, 40 + d);
    const x = solve(a, b);
    expect(residual(a, x, b)).toBeLessThan(1e-13);
  });

  it('pivots: a zero leading entry is no obstacle', () => {
    const a = fromRows([
      [0, 1, 2],
      [3, 0, 1],
      [1, 1, 0],
    ]);
    const x = solve(a, fromRows([[5], [5], [2]]));
    expect(Array.from(x.data).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 1, 2]);
  });

  it('returns factors with P·A = L·U', () => {
    const d = 70;
    const a = randomMatrix(d, d, 3);
    const { lu: f, pivots } = lu(a);
    const l = identity(d);
    const u = zeros(d, d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (j < i) l.data[i * d + j] = f.data[i * d + j];
        else u.data[i * d + j] = f.data[i * d + j];
      }
    }
    const pa = zeros(d, d);
    for (let i = 0; i < d; i++) pa.data.set(a.data.subarray(pivots[i] * d, (pivots[i] + 1) * d), i * d);
    expect(maxAbsDiff(matmul(l, u), pa) / maxAbs(a)).toBeLessThan(1e-12);
    // Partial pivoting bounds every multiplier by 1.
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(Math.abs(l.data[i * d + j])).toBeLessThanOrEqual(1);
  });

  it('names the column of a singular matrix, and rejects bad shapes', () => {
    const a = fromRows([
      [1, 2, 3],
      [2, 4, 6],
      [1, 0, 1],
    ]);
    // After eliminating column 0 and 1, the last pivot is exactly 0.
    expect(() => solve(a, identity(3))).toThrow(SingularMatrixError);
    expect(() => solve(a, identity(3))).toThrow(/no nonzero pivot in column 2/);
    expect(() => solve(zeros(2, 3), zeros(2, 1))).toThrow(/square matrix, got 2x3/);
    expect(() => solve(identity(3), zeros(4, 1))).toThrow(MatrixShapeError);
  });
});
