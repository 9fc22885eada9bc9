/**
 * AlphaEdit's null-space projector: for the symmetric (covariance-like) C = K₀·K₀ᵀ, the
 * orthogonal projector P = U₀·U₀ᵀ onto the span of the eigenvectors whose eigenvalues are below
 * `threshold`. An update Δ·P then leaves Δ·P·K₀ ≈ 0, i.e. preserved keys keep their outputs.
 */
import { identity, zeros, type DenseMatrix } from './dense-matrix';
import { addGramLower } from './gram';
import { eigenRows } from './symmetric-eigen';

const PANEL = 48;

export interface NullSpaceProjector {
  /** P, d×d, symmetric and idempotent. */
  projector: DenseMatrix;
  /** Eigenvectors kept (eigenvalue < threshold): the rank of P. */
  rank: number;
}

/**
 * `relative`: the threshold is a fraction of C's largest eigenvalue (travels across models whose
 * key scales differ) instead of an absolute value.
 */
export function nullSpaceProjector(c: DenseMatrix, threshold: number, options: { relative?: boolean } = {}): NullSpaceProjector {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new RangeError(`nullSpaceProjector: threshold must be a number, got ${String(threshold)}`);
  }
  const { values, vectorRows } = eigenRows(c, 'nullSpaceProjector');
  const n = c.rows;
  const cutoff = options.relative ? threshold * Math.max(0, values[n - 1] ?? 0) : threshold;
  // Ascending eigenvalues, so the kept eigenvectors are the first `rank` rows of Uᵀ.
  let rank = 0;
  while (rank < n && values[rank] < cutoff) rank++;
  // Sum over the smaller side: P = U₀U₀ᵀ, or I − U₁U₁ᵀ when most eigenvectors are kept.
  const complement = rank > n / 2;
  const p = complement ? identity(n) : zeros(n, n);
  const [from, to] = complement ? [rank, n] : [0, rank];
  const panel = new Float64Array(n * PANEL);
  for (let t0 = from; t0 < to; t0 += PANEL) {
    const w = Math.min(PANEL, to - t0);
    // Panel column t − t0 is eigenvector t: row i holds component i of w eigenvectors.
    for (let t = 0; t < w; t++) {
      const src = (t0 + t) * n;
      for (let i = 0; i < n; i++) panel[i * w + t] = vectorRows.data[src + i];
    }
    addGramLower(p.data, 0, n, panel, n, w, complement ? -1 : 1);
  }
  mirrorLowerToUpper(p.data, n);
  return { projector: p, rank };
}

/** Exactly symmetric output: the upper triangle is copied, not recomputed. */
function mirrorLowerToUpper(d: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) d[j * n + i] = d[i * n + j];
  }
}
