/**
 * Householder bidiagonalization A = U·B·Vᵀ of an m×n matrix with m ≥ n (LINPACK dsvdc / JAMA),
 * with U (m×n) and V (n×n) formed explicitly.
 *
 * dsvdc works column by column on A, U and V. Here all three are held transposed, so a column
 * is a contiguous row of the buffer and every inner loop is a unit-stride dot or axpy. Each step
 * visits each trailing column once (dsvdc streams the trailing matrix three times), and U and V
 * are formed four reflectors at a time (ReflectorBlock).
 */
import { axpy, dot, hypot } from './kernels';
import { ReflectorBlock } from './reflector-block';

export interface Bidiagonal {
  /** Diagonal of B (length n). */
  s: Float64Array;
  /** Super-diagonal of B: e[k] = B[k][k+1]; e[n−1] = 0. */
  e: Float64Array;
  /** Uᵀ, n×m row-major. */
  ut: Float64Array;
  /** Vᵀ, n×n row-major. */
  vt: Float64Array;
}

/** `at` is Aᵀ (n×m row-major, i.e. A's columns as rows), overwritten. Requires m ≥ n ≥ 1. */
export function bidiagonalize(at: Float64Array, m: number, n: number): Bidiagonal {
  const s = new Float64Array(n);
  const e = new Float64Array(n);
  const ut = new Float64Array(n * m);
  const vt = new Float64Array(n * n);
  const rowK = new Float64Array(n); // row k of A after the left reflector
  const acc = new Float64Array(m); // Σⱼ rowK[j]·(column j of A), for the right reflector
  const work = new Float64Array(m); // the pending right update's A·v
  let pending = -1; // step whose right update rows > pending + 1 still owe; its v is row `pending` of Vᵀ
  const nct = Math.min(m - 1, n); // columns that get a left reflector
  const nrt = Math.max(0, n - 2); // rows that get a right reflector
  for (let k = 0; k < Math.max(nct, nrt); k++) {
    const ck = k * m;
    if (k < nct) {
      // Left reflector for column k; its diagonal entry goes to s[k].
      let norm = 0;
      for (let i = k; i < m; i++) norm = hypot(norm, at[ck + i]);
      if (norm !== 0) {
        if (at[ck + k] < 0) norm = -norm;
        for (let i = k; i < m; i++) at[ck + i] /= norm;
        at[ck + k] += 1;
      }
      s[k] = -norm;
    }
    const left = k < nct && s[k] !== 0;
    const right = k < nrt;
    if (right) acc.fill(0, k + 1, m);
    // One pass per column j of the trailing matrix, while it is in cache: the previous step's
    // right update, this step's left reflector, and this step's right-reflector product.
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      if (pending >= 0) applyRightUpdate(at, m, j, pending, vt, n, work);
      if (left) {
        const t = -dot(at, ck + k, at, cj + k, m - k) / at[ck + k];
        axpy(t, at, ck + k, at, cj + k, m - k);
      }
      rowK[j] = at[cj + k];
      if (right && rowK[j] !== 0) axpy(rowK[j], at, cj + k + 1, acc, k + 1, m - k - 1);
    }
    pending = -1;
    if (k < nct) ut.set(at.subarray(ck + k, ck + m), k * m + k);
    if (right) {
      // Right reflector v for row k (stored in row k of Vᵀ); its super-diagonal entry goes to e[k].
      const rk = k * n;
      let norm = 0;
      for (let i = k + 1; i < n; i++) norm = hypot(norm, rowK[i]);
      if (norm !== 0) {
        if (rowK[k + 1] < 0) norm = -norm;
        for (let i = k + 1; i < n; i++) vt[rk + i] = rowK[i] / norm;
        vt[rk + k + 1] += 1;
        // A·v = acc/norm + column k+1 (v = rowK/norm + e_{k+1}).
        const c1 = (k + 1) * m;
        for (let i = k + 1; i < m; i++) work[i] = acc[i] / norm + at[c1 + i];
        // Column k+1 gets the update now, as the next left reflector is built from it.
        applyRightUpdate(at, m, k + 1, k, vt, n, work);
        pending = k;
      }
      e[k] = -norm;
    }
  }
  if (pending >= 0) for (let j = pending + 2; j < n; j++) applyRightUpdate(at, m, j, pending, vt, n, work);
  if (nct < n) s[nct] = at[nct * m + nct];
  if (nrt + 1 < n) e[nrt] = at[(n - 1) * m + nrt];
  e[n - 1] = 0;
  formU(ut, s, m, n, nct);
  formV(vt, e, n, nrt);
  return { s, e, ut, vt };
}

/** Column j of A (row j of at) gets right reflector p: A −= (A·v)·vᵀ/v_{p+1} on rows p+1.. . */
function applyRightUpdate(at: Float64Array, m: number, j: number, p: number, vt: Float64Array, n: number, work: Float64Array): void {
  const t = -vt[p * n + j] / vt[p * n + p + 1];
  if (t !== 0) axpy(t, work, p + 1, at, j * m + p + 1, m - p - 1);
}

/**
 * Uᵀ = [I 0]·H_{nct−1}·…·H₀ (n×m), four reflectors at a time from the last. Row r of Uᵀ stays
 * e_r until H_r is applied (the vectors of H_k, k > r, vanish at position r), so a block
 * starting at k₀ touches rows k₀.. only; reflector k is stored in row k, copied out first.
 */
function formU(ut: Float64Array, s: Float64Array, m: number, n: number, nct: number): void {
  for (let j = nct; j < n; j++) setUnitRow(ut, m, j);
  const block = new ReflectorBlock(m);
  for (let k1 = nct; k1 > 0; k1 -= 4) {
    const k0 = Math.max(0, k1 - 4);
    block.reset(k0, m);
    for (let k = k1 - 1; k >= k0; k--) {
      // H_k = I − v·vᵀ/v_k (dsvdc's normalization); s[k] = 0 means no reflector.
      if (s[k] !== 0) block.set(k1 - 1 - k, ut, k * m + k, k, m - k, 1 / ut[k * m + k]);
      setUnitRow(ut, m, k);
    }
    block.applyToRows(ut, m, k0, n);
  }
}

/** Vᵀ = G_{nrt−1}·…·G₀ (n×n), likewise; G_k's vector lives in [k+1, n) of row k. */
function formV(vt: Float64Array, e: Float64Array, n: number, nrt: number): void {
  for (let j = nrt; j < n; j++) setUnitRow(vt, n, j);
  const block = new ReflectorBlock(n);
  for (let k1 = nrt; k1 > 0; k1 -= 4) {
    const k0 = Math.max(0, k1 - 4);
    block.reset(k0 + 1, n);
    for (let k = k1 - 1; k >= k0; k--) {
      if (e[k] !== 0) block.set(k1 - 1 - k, vt, k * n + k + 1, k + 1, n - k - 1, 1 / vt[k * n + k + 1]);
      setUnitRow(vt, n, k);
    }
    block.applyToRows(vt, n, k0 + 1, n);
  }
}

function setUnitRow(a: Float64Array, len: number, r: number): void {
  a.fill(0, r * len, (r + 1) * len);
  a[r * len + r] = 1;
}
