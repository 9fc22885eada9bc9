/**
 * LU factorization with partial pivoting, P·A = L·U, blocked right-looking (LAPACK getrf's
 * shape): factor a BLOCK-wide panel, solve for the block row of U, then subtract
 * L21·U12 from the trailing matrix. That update is 2n³/3 flops done as row axpys against a
 * U12 tile that stays in cache, so each trailing row is streamed once per panel rather than
 * once per pivot.
 */
import { axpy } from './kernels';
import { cloneMatrix, type DenseMatrix } from './dense-matrix';
import { SingularMatrixError, assertFinite, assertSquare } from './errors';

const BLOCK = 48;
/** Columns of the trailing update per pass: BLOCK × TILE doubles of U12 (≈ 200 KB) stay in L2. */
const TILE = 512;

export interface LuFactors {
  /** L (unit diagonal, not stored) strictly below the diagonal, U on and above it. */
  lu: DenseMatrix;
  /** Row i of P·A is row pivots[i] of A. */
  pivots: Int32Array;
}

/** Throws SingularMatrixError naming the first column with no nonzero pivot. */
export function lu(a: DenseMatrix): LuFactors {
  assertSquare('lu', a);
  assertFinite('lu', a);
  const f = cloneMatrix(a);
  const n = a.rows;
  const d = f.data;
  const pivots = Int32Array.from({ length: n }, (_, i) => i);
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(k0 + BLOCK, n);
    factorPanel(d, n, k0, k1, pivots);
    // U12 = L11⁻¹·A12 (unit lower forward substitution on the block row).
    for (let k = k0; k < k1; k++) {
      for (let i = k + 1; i < k1; i++) axpy(-d[i * n + k], d, k * n + k1, d, i * n + k1, n - k1);
    }
    updateTrailing(d, n, k0, k1);
  }
  return { lu: f, pivots };
}

/** Unblocked LU of columns [k0, k1) over rows [k0, n); row swaps move whole rows. */
function factorPanel(d: Float64Array, n: number, k0: number, k1: number, pivots: Int32Array): void {
  for (let k = k0; k < k1; k++) {
    let p = k;
    let best = Math.abs(d[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(d[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) throw new SingularMatrixError('lu', k);
    if (p !== k) {
      swapRows(d, n, k, p);
      const t = pivots[k];
      pivots[k] = pivots[p];
      pivots[p] = t;
    }
    const inv = 1 / d[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const l = (d[i * n + k] *= inv);
      if (l !== 0) axpy(-l, d, k * n + k + 1, d, i * n + k + 1, k1 - k - 1);
    }
  }
}

/** A22 −= L21·U12, four pivots per pass over a row segment to cut its loads/stores by 4. */
function updateTrailing(d: Float64Array, n: number, k0: number, k1: number): void {
  for (let j0 = k1; j0 < n; j0 += TILE) {
    const len = Math.min(TILE, n - j0);
    for (let i = k1; i < n; i++) {
      const ri = i * n;
      let p = k0;
      for (; p + 3 < k1; p += 4) {
        const l0 = d[ri + p];
        const l1 = d[ri + p + 1];
        const l2 = d[ri + p + 2];
        const l3 = d[ri + p + 3];
        const u0 = p * n + j0;
        const u1 = u0 + n;
        const u2 = u1 + n;
        const u3 = u2 + n;
        const y = ri + j0;
        for (let j = 0; j < len; j++) {
          d[y + j] -= l0 * d[u0 + j] + l1 * d[u1 + j] + l2 * d[u2 + j] + l3 * d[u3 + j];
        }
      }
      for (; p < k1; p++) axpy(-d[ri + p], d, p * n + j0, d, ri + j0, len);
    }
  }
}

function swapRows(d: Float64Array, n: number, r: number, s: number): void {
  const a = r * n;
  const b = s * n;
  for (let j = 0; j < n; j++) {
    const t = d[a + j];
    d[a + j] = d[b + j];
    d[b + j] = t;
  }
}
