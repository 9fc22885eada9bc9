import { identity, matmul, maxAbs, maxAbsDiff, transpose, zeros, type DenseMatrix } from './dense-matrix';
import { nullSpaceProjector } from './null-space-projector';
import { randomMatrix } from './random-matrix';
import { solveSpd } from './solve-spd';

/** x minus its projection onto the columns of k: a vector in the null space of kᵀ. */
function nullSpaceVector(k: DenseMatrix, seed: number): DenseMatrix {
  const x = randomMatrix(k.rows, 1, seed);
  const coefficients = solveSpd(matmul(transpose(k), k), matmul(transpose(k), x));
  const inRange = matmul(k, coefficients);
  const u = zeros(k.rows, 1);
  for (let i = 0; i < k.rows; i++) u.data[i] = x.data[i] - inRange.data[i];
  return u;
}

describe('nullSpaceProjector', () => {
  // Keys K (d×r) and C = K·Kᵀ, rank r: the null space of C has dimension d − r. r = 12 keeps
  // most eigenvectors (P is built as I − U₁U₁ᵀ), r = 30 keeps few (P = U₀U₀ᵀ).
  it.each([
    [40, 12],
    [40, 30],
    [120, 50],
  ])('projects onto the null space of C = K·Kᵀ for d = %i, rank(K) = %i', (d, r) => {
    const k = randomMatrix(d, r, d + r);
    const c = matmul(k, transpose(k));
    const { projector: p, rank } = nullSpaceProjector(c, 1e-8 * maxAbs(c));
    expect(rank).toBe(d - r);
    expect(maxAbsDiff(matmul(p, p), p)).toBeLessThan(1e-12); // P² = P
    expect(maxAbsDiff(transpose(p), p)).toBe(0); // Pᵀ = P
    let trace = 0;
    for (let i = 0; i < d; i++) trace += p.data[i * d + i];
    expect(trace).toBeCloseTo(rank, 10); // rank of a projector = its trace
    // Kept-out subspace (the keys) is annihilated; the null space is left alone.
    expect(maxAbs(matmul(p, k)) / maxAbs(k)).toBeLessThan(1e-12);
    const u = nullSpaceVector(k, 7);
    expect(maxAbsDiff(matmul(p, u), u) / maxAbs(u)).toBeLessThan(1e-12);
  });

  it('keeps nothing below the smallest eigenvalue and everything above the largest', () => {
    const k = randomMatrix(10, 10, 3);
    const c = matmul(k, transpose(k));
    const none = nullSpaceProjector(c, -1);
    expect(none.rank).toBe(0);
    expect(maxAbs(none.projector)).toBe(0);
    const all = nullSpaceProjector(c, Infinity);
    expect(all.rank).toBe(10);
    expect(maxAbsDiff(all.projector, identity(10))).toBeLessThan(1e-14);
  });

  it('takes a threshold relative to the largest eigenvalue when asked', () => {
    // diag(100, 10, 1, 0.1): relative 0.05 = absolute 5 keeps the two small directions.
    const c = zeros(4, 4);
    [100, 10, 1, 0.1].forEach((v, i) => (c.data[i * 4 + i] = v));
    expect(nullSpaceProjector(c, 0.05, { relative: true }).rank).toBe(2);
    expect(nullSpaceProjector(c, 5).rank).toBe(2);
    expect(nullSpaceProjector(c, 0.05).rank).toBe(0);
    expect(maxAbsDiff(nullSpaceProjector(c, 0.05, { relative: true }).projector, nullSpaceProjector(c, 5).projector)).toBe(0);
  });

  it('rejects a non-symmetric matrix and a NaN threshold', () => {
    expect(() => nullSpaceProjector(randomMatrix(4, 4, 1), 1e-2)).toThrow(/nullSpaceProjector: matrix is not symmetric/);
    expect(() => nullSpaceProjector(identity(2), NaN)).toThrow(/threshold must be a number/);
  });
});
