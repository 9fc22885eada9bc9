/**
 * The lower triangle of out += sign·P·Pᵀ for a packed m×w panel P (row-major, w small): the
 * trailing update of a blocked Cholesky and the assembly of a projector from its basis.
 * Each step computes a 2×2 tile of the result, so each loaded panel entry feeds two products.
 */
import { dot } from './kernels';

/** out[o + i·stride + j] += sign·(row i of P)·(row j of P) for 0 ≤ j ≤ i < m. */
export function addGramLower(
  out: Float64Array,
  o: number,
  stride: number,
  panel: Float64Array,
  m: number,
  w: number,
  sign: 1 | -1,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const pi0 = i * w;
    const pi1 = pi0 + w;
    const r0 = o + i * stride;
    const r1 = r0 + stride;
    for (let j = 0; j + 1 <= i; j += 2) {
      const pj0 = j * w;
      const pj1 = pj0 + w;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let p = 0; p < w; p++) {
        const a0 = panel[pi0 + p];
        const a1 = panel[pi1 + p];
        const b0 = panel[pj0 + p];
        const b1 = panel[pj1 + p];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      out[r0 + j] += sign * s00;
      out[r0 + j + 1] += sign * s01;
      out[r1 + j] += sign * s10;
      out[r1 + j + 1] += sign * s11;
    }
    // The 2×2 corner on the diagonal (its upper entry is not part of the lower triangle).
    out[r0 + i] += sign * dot(panel, pi0, panel, pi0, w);
    out[r1 + i] += sign * dot(panel, pi1, panel, pi0, w);
    out[r1 + i + 1] += sign * dot(panel, pi1, panel, pi1, w);
  }
  if (i < m) {
    const pi = i * w;
    const r = o + i * stride;
    for (let j = 0; j <= i; j++) out[r + j] += sign * dot(panel, pi, panel, j * w, w);
  }
}
