/**
 * Householder reduction of a symmetric matrix to tridiagonal form, A = Q·T·Qᵀ (the algorithm of
 * EISPACK tred2), laid out for row-major storage: step i takes row i's left part as the
 * Householder vector u (a contiguous run) and works on the lower triangle of the leading i×i
 * block, row by row.
 *
 * Each step needs p = A·u and then the rank-2 update A −= u·qᵀ + q·uᵀ. Both stream the whole
 * leading block (beyond L2 from d ≈ 512). Here the update of step i+1 is deferred and done in
 * the same pass as the product of step i (only row i, which step i needs to build u, is updated
 * eagerly): one read and one write of the block per step instead of two reads and a write, and
 * one loop instead of two (≈ 1.5x faster at d = 2048).
 */
import { ReflectorBlock } from './reflector-block';

export interface Tridiagonal {
  /** Diagonal of T. */
  diag: Float64Array;
  /** Sub-diagonal of T: sub[i] = T[i][i−1] for i ≥ 1; sub[0] = 0. */
  sub: Float64Array;
  /** Qᵀ, n×n row-major: row j of Qᵀ is column j of Q. */
  qt: Float64Array;
}

/** Reduces the n×n row-major symmetric `work` (lower triangle read; overwritten). */
export function tridiagonalize(work: Float64Array, n: number): Tridiagonal {
  const a = work;
  const diag = new Float64Array(n);
  const sub = new Float64Array(n);
  const h = new Float64Array(n); // H of reflector i (0: identity), P_i = I − u uᵀ / H
  let q = new Float64Array(n);
  let pendingQ = new Float64Array(n);
  // Step whose update is not yet applied to rows < pending − 1 (its u is row `pending`), or −1.
  let pending = -1;
  for (let i = n - 1; i >= 1; i--) {
    const ri = i * n;
    const l = i - 1;
    let scale = 0;
    for (let k = 0; k <= l; k++) scale += Math.abs(a[ri + k]);
    // Nothing to annihilate (i = 1, or the row is already zero left of the sub-diagonal).
    if (l === 0 || scale === 0) {
      sub[i] = a[ri + l];
      if (pending >= 0) fusedUpdateMatVec(a, n, i, pending, pendingQ, -1, q);
      pending = -1;
      continue;
    }
    // Scaling by the row's 1-norm keeps σ = |x|² from overflowing or underflowing.
    let sigma = 0;
    for (let k = 0; k <= l; k++) {
      a[ri + k] /= scale;
      sigma += a[ri + k] * a[ri + k];
    }
    const f = a[ri + l];
    const g = f >= 0 ? -Math.sqrt(sigma) : Math.sqrt(sigma); // sign opposite f: no cancellation in f − g
    sub[i] = scale * g;
    const hi = sigma - f * g;
    a[ri + l] = f - g; // row i [0, l] is now u
    h[i] = hi;
    fusedUpdateMatVec(a, n, i, pending, pendingQ, ri, q);
    // q ← p − K·u with p = A·u / H and K = uᵀp / 2H (Numerical Recipes' tred2 notation).
    let upSum = 0;
    for (let j = 0; j <= l; j++) {
      q[j] /= hi;
      upSum += q[j] * a[ri + j];
    }
    const kk = upSum / (hi + hi);
    for (let j = 0; j <= l; j++) q[j] -= kk * a[ri + j];
    // Row l gets this step's update now: the next step builds its vector from it.
    const rl = l * n;
    const ul = a[ri + l];
    const ql = q[l];
    for (let k = 0; k <= l; k++) a[rl + k] -= ul * q[k] + ql * a[ri + k];
    pending = i;
    [q, pendingQ] = [pendingQ, q];
  }
  for (let i = 0; i < n; i++) diag[i] = a[i * n + i];
  return { diag, sub, qt: accumulateQt(a, n, h) };
}

/**
 * Qᵀ = P₁·P₂·…·Pₙ₋₁ by right-multiplication, four reflectors at a time (ReflectorBlock). After
 * P₁…Pᵢ₋₁ only the leading i×i block differs from the identity and Pᵢ's vector lives in [0, i),
 * so a group ending at i₁ touches rows and columns 0..i₁−1 only.
 */
function accumulateQt(a: Float64Array, n: number, h: Float64Array): Float64Array {
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  const block = new ReflectorBlock(n);
  for (let i0 = 2; i0 < n; i0 += 4) {
    const i1 = Math.min(i0 + 4, n);
    block.reset(0, i1);
    for (let i = i0; i < i1; i++) if (h[i] !== 0) block.set(i - i0, a, i * n, 0, i, 1 / h[i]);
    block.applyToRows(qt, n, 0, i1);
  }
  return qt;
}

/**
 * One pass over rows 0..m−1 of the lower triangle: first the deferred update of step `pending`
 * (A −= u·qᵀ + q·uᵀ with u = row `pending`, q = pendingQ; skipped if pending < 0), then, if
 * xo ≥ 0, out[0, m) = A·x for x = a[xo, xo+m) using the freshly updated entries.
 */
function fusedUpdateMatVec(
  a: Float64Array,
  n: number,
  m: number,
  pending: number,
  pendingQ: Float64Array,
  xo: number,
  out: Float64Array,
): void {
  const uo = pending >= 0 ? pending * n : 0;
  out.fill(0, 0, m);
  for (let j = 0; j < m; j++) {
    const rj = j * n;
    if (xo < 0) {
      updateRow(a, rj, j, a[uo + j], pendingQ[j], pendingQ, uo);
      continue;
    }
    if (pending >= 0) {
      // The hot loop: update entry k of row j, then feed it to the dot product and the axpy.
      const uj = a[uo + j];
      const qj = pendingQ[j];
      const xj = a[xo + j];
      let s0 = 0;
      let s1 = 0;
      let k = 0;
      for (; k + 1 < j; k += 2) {
        const v0 = a[rj + k] - (uj * pendingQ[k] + qj * a[uo + k]);
        const v1 = a[rj + k + 1] - (uj * pendingQ[k + 1] + qj * a[uo + k + 1]);
        a[rj + k] = v0;
        a[rj + k + 1] = v1;
        s0 += v0 * a[xo + k];
        s1 += v1 * a[xo + k + 1];
        out[k] += v0 * xj;
        out[k + 1] += v1 * xj;
      }
      for (; k <= j; k++) {
        const v = a[rj + k] - (uj * pendingQ[k] + qj * a[uo + k]);
        a[rj + k] = v;
        if (k < j) {
          s0 += v * a[xo + k];
          out[k] += v * xj;
        } else {
          out[j] += s0 + s1 + v * xj;
        }
      }
    } else {
      symmetricRowProduct(a, rj, j, xo, out);
    }
  }
}

/** a[rj + k] −= uj·q[k] + qj·a[uo + k] for k ≤ j. */
function updateRow(a: Float64Array, rj: number, j: number, uj: number, qj: number, q: Float64Array, uo: number): void {
  for (let k = 0; k <= j; k++) a[rj + k] -= uj * q[k] + qj * a[uo + k];
}

/** Row j's share of out = S·x: its dot product with x, and its transpose as an axpy. */
function symmetricRowProduct(a: Float64Array, rj: number, j: number, xo: number, out: Float64Array): void {
  const xj = a[xo + j];
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 1 < j; k += 2) {
    const v0 = a[rj + k];
    const v1 = a[rj + k + 1];
    s0 += v0 * a[xo + k];
    s1 += v1 * a[xo + k + 1];
    out[k] += v0 * xj;
    out[k + 1] += v1 * xj;
  }
  if (k < j) {
    s0 += a[rj + k] * a[xo + k];
    out[k] += a[rj + k] * xj;
  }
  out[j] += s0 + s1 + a[rj + j] * xj;
}
