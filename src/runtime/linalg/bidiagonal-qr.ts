/**
 * Singular values of an upper bidiagonal matrix by implicit-shift QR (LINPACK dsvdc / JAMA),
 * with the rotations accumulated into Uᵀ and Vᵀ. Each QR step's rotations are collected while
 * chasing the bulge and then applied as one chain over consecutive rows of Uᵀ and of Vᵀ.
 */
import { ConvergenceError } from './errors';
import { hypot, rotate, rotateRowChain } from './kernels';
import type { Bidiagonal } from './bidiagonalize';

const EPS = 2 ** -52;
const TINY = 2 ** -966;
/** QR steps per singular value; typically 2–3. Only pathological input should reach this. */
const MAX_ITERATIONS = 100;

/**
 * On return `s` holds the singular values descending (non-negative) and the rows of `ut` (n×m)
 * and `vt` (n×n) the matching left and right singular vectors. `e` is destroyed.
 */
export function bidiagonalQr(b: Bidiagonal, m: number, n: number): void {
  const { s, e, ut, vt } = b;
  const cv = new Float64Array(n);
  const sv = new Float64Array(n);
  const cu = new Float64Array(n);
  const su = new Float64Array(n);
  let p = n;
  let iter = 0;
  while (p > 0) {
    // Find the largest k < p−1 with negligible e[k] (−1 if none), then classify.
    let k = p - 2;
    for (; k >= 0; k--) {
      if (Math.abs(e[k]) <= TINY + EPS * (Math.abs(s[k]) + Math.abs(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    let kase: 1 | 2 | 3 | 4;
    if (k === p - 2) {
      kase = 4; // s[p−1] has converged
    } else {
      let ks = p - 1;
      for (; ks > k; ks--) {
        const t = (ks !== p ? Math.abs(e[ks]) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
        if (Math.abs(s[ks]) <= TINY + EPS * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks === k) {
        kase = 3; // unreduced block k+1..p−1: one QR step
      } else if (ks === p - 1) {
        kase = 1; // negligible s[p−1]: deflate
      } else {
        kase = 2; // negligible s[ks]: split
        k = ks;
      }
    }
    k++;
    switch (kase) {
      case 1: {
        let f = e[p - 2];
        e[p - 2] = 0;
        for (let j = p - 2; j >= k; j--) {
          const t = hypot(s[j], f);
          const cs = s[j] / t;
          const sn = f / t;
          s[j] = t;
          if (j !== k) {
            f = -sn * e[j - 1];
            e[j - 1] = cs * e[j - 1];
          }
          rotate(vt, j * n, (p - 1) * n, n, cs, sn);
        }
        break;
      }
      case 2: {
        let f = e[k - 1];
        e[k - 1] = 0;
        for (let j = k; j < p; j++) {
          const t = hypot(s[j], f);
          const cs = s[j] / t;
          const sn = f / t;
          s[j] = t;
          f = -sn * e[j];
          e[j] = cs * e[j];
          rotate(ut, j * m, (k - 1) * m, m, cs, sn);
        }
        break;
      }
      case 3: {
        if (++iter > MAX_ITERATIONS) throw new ConvergenceError(`svd: QR did not converge for singular value ${p - 1}`);
        qrStep(s, e, k, p, cv, sv, cu, su);
        rotateRowChain(vt, n, k, 1, p - 1 - k, cv, sv);
        rotateRowChain(ut, m, k, 1, p - 1 - k, cu, su);
        break;
      }
      case 4: {
        if (s[k] <= 0) {
          s[k] = s[k] < 0 ? -s[k] : 0;
          for (let i = k * n; i < (k + 1) * n; i++) vt[i] = -vt[i];
        }
        // Bubble s[k] into place (the values arrive nearly sorted).
        while (k < n - 1 && s[k] < s[k + 1]) {
          const t = s[k];
          s[k] = s[k + 1];
          s[k + 1] = t;
          swapRows(vt, n, k, k + 1);
          swapRows(ut, m, k, k + 1);
          k++;
        }
        iter = 0;
        p--;
        break;
      }
    }
  }
}

/**
 * One implicit QR step on rows/cols k..p−1 with the Wilkinson shift from the trailing 2×2,
 * chasing the bulge down. Rotation j−k for V is (cv, sv), for U (cu, su).
 */
function qrStep(
  s: Float64Array,
  e: Float64Array,
  k: number,
  p: number,
  cv: Float64Array,
  sv: Float64Array,
  cu: Float64Array,
  su: Float64Array,
): void {
  const scale = Math.max(Math.abs(s[p - 1]), Math.abs(s[p - 2]), Math.abs(e[p - 2]), Math.abs(s[k]), Math.abs(e[k]));
  const sp = s[p - 1] / scale;
  const spm1 = s[p - 2] / scale;
  const epm1 = e[p - 2] / scale;
  const sk = s[k] / scale;
  const ek = e[k] / scale;
  const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
  const c = sp * epm1 * (sp * epm1);
  let shift = 0;
  if (b !== 0 || c !== 0) {
    shift = Math.sqrt(b * b + c);
    if (b < 0) shift = -shift;
    shift = c / (b + shift);
  }
  let f = (sk + sp) * (sk - sp) + shift;
  let g = sk * ek;
  for (let j = k; j < p - 1; j++) {
    let t = hypot(f, g);
    let cs = f / t;
    let sn = g / t;
    if (j !== k) e[j - 1] = t;
    f = cs * s[j] + sn * e[j];
    e[j] = cs * e[j] - sn * s[j];
    g = sn * s[j + 1];
    s[j + 1] = cs * s[j + 1];
    cv[j - k] = cs;
    sv[j - k] = sn;
    t = hypot(f, g);
    cs = f / t;
    sn = g / t;
    s[j] = t;
    f = cs * e[j] + sn * s[j + 1];
    s[j + 1] = -sn * e[j] + cs * s[j + 1];
    g = sn * e[j + 1];
    e[j + 1] = cs * e[j + 1];
    cu[j - k] = cs;
    su[j - k] = sn;
  }
  e[p - 2] = f;
}

function swapRows(a: Float64Array, len: number, r: number, t: number): void {
  const x = r * len;
  const y = t * len;
  for (let i = 0; i < len; i++) {
    const v = a[x + i];
    a[x + i] = a[y + i];
    a[y + i] = v;
  }
}
