/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the implicit QL method with
 * Wilkinson-type shifts (EISPACK tql2). The eigenvectors are kept as the rows of Zᵀ, and each
 * sweep's rotations are first computed (a scalar recurrence on d, e) and then applied to Zᵀ as
 * one chain over consecutive rows, which streams contiguous memory.
 */
import { ConvergenceError } from './errors';
import { hypot, rotateRowChain } from './kernels';

const EPS = 2 ** -52;
/** Per eigenvalue; tql2 typically needs 1–3. Only NaN-like input should reach this. */
const MAX_ITERATIONS = 60;

/**
 * On entry `diag`/`sub` hold T (sub[i] = T[i][i−1]) and `zt` (n×n row-major) the rows to rotate
 * (Qᵀ from the tridiagonalization, or the identity). On return `diag` holds the eigenvalues
 * ascending and row j of `zt` the eigenvector of diag[j]. `sub` is destroyed.
 */
export function tridiagonalQl(diag: Float64Array, sub: Float64Array, zt: Float64Array, n: number): void {
  // Rotation t of a sweep (t = m−1−i) combines rows i+1 and i of Zᵀ.
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  const d = diag;
  const e = sub;
  // Shift so e[i] couples i and i+1, as tql2 expects.
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  let shiftSum = 0;
  let tst = 0;
  for (let l = 0; l < n; l++) {
    tst = Math.max(tst, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    // e[n−1] = 0, so this stops by n−1.
    while (m < n - 1 && Math.abs(e[m]) > EPS * tst) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_ITERATIONS) throw new ConvergenceError(`symmetricEigen: QL did not converge for eigenvalue ${l}`);
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let hShift = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= hShift;
        shiftSum += hShift;
        // Implicit QL sweep from m−1 down to l.
        p = d[m];
        let c = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          const hh = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = hh + s * (c * g + s * d[i]);
          // (zᵢ₊₁, zᵢ) ← (c·zᵢ₊₁ + s·zᵢ, c·zᵢ − s·zᵢ₊₁)
          cs[m - 1 - i] = c;
          sn[m - 1 - i] = s;
        }
        rotateRowChain(zt, n, m, -1, m - l, cs, sn);
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst);
    }
    d[l] += shiftSum;
    e[l] = 0;
  }
  sortAscending(d, zt, n);
}

/** Selection sort (QL leaves the values nearly sorted): at most n row swaps of Zᵀ. */
function sortAscending(d: Float64Array, zt: Float64Array, n: number): void {
  const tmp = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    for (let j = i + 1; j < n; j++) if (d[j] < d[k]) k = j;
    if (k === i) continue;
    const t = d[i];
    d[i] = d[k];
    d[k] = t;
    tmp.set(zt.subarray(i * n, (i + 1) * n));
    zt.copyWithin(i * n, k * n, (k + 1) * n);
    zt.set(tmp, k * n);
  }
}
