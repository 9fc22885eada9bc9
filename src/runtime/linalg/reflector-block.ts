/**
 * Up to four Householder reflectors Hⱼ = I − τⱼ·vⱼ·vⱼᵀ applied together from the right in
 * compact-WY form, H₀·H₁·H₂·H₃ = I − Y·T·Yᵀ (LAPACK dlarft). Applied one by one, each reflector
 * reads a row twice (row·v, then the axpy) and writes it once; applied as a block, the row is
 * read once to form row·Y (four dot products in one pass) and written once. This is how the
 * eigen and SVD code turn their stored reflectors into explicit orthogonal factors.
 */
import { dot } from './kernels';

export class ReflectorBlock {
  /** Four vectors of length `len`, at their absolute column positions (zero elsewhere). */
  private readonly y: Float64Array;
  private readonly tau = new Float64Array(4);
  /** T, 4×4 upper triangular, row-major. */
  private readonly t = new Float64Array(16);
  private c0 = 0;
  private c1 = 0;

  constructor(private readonly len: number) {
    this.y = new Float64Array(4 * len);
  }

  /** Starts a new block whose vectors live in columns [c0, c1); unset reflectors are identities. */
  reset(c0: number, c1: number): void {
    for (let j = 0; j < 4; j++) this.y.fill(0, j * this.len + c0, j * this.len + c1);
    this.tau.fill(0);
    this.c0 = c0;
    this.c1 = c1;
  }

  /** Reflector j: v = src[offset, offset + count) placed at columns [col, col + count). */
  set(j: number, src: Float64Array, offset: number, col: number, count: number, tau: number): void {
    this.y.set(src.subarray(offset, offset + count), j * this.len + col);
    this.tau[j] = tau;
  }

  /** Rows [r0, r1) of the row-major z (row length `stride`): row ← row·H₀·H₁·H₂·H₃. */
  applyToRows(z: Float64Array, stride: number, r0: number, r1: number): void {
    const { y, t, c0, c1, len } = this;
    this.formT();
    const y1 = len;
    const y2 = 2 * len;
    const y3 = 3 * len;
    for (let r = r0; r < r1; r++) {
      const rr = r * stride;
      let w0 = 0;
      let w1 = 0;
      let w2 = 0;
      let w3 = 0;
      for (let k = c0; k < c1; k++) {
        const x = z[rr + k];
        w0 += x * y[k];
        w1 += x * y[y1 + k];
        w2 += x * y[y2 + k];
        w3 += x * y[y3 + k];
      }
      // (row·Y)·T
      const v0 = w0 * t[0];
      const v1 = w0 * t[1] + w1 * t[5];
      const v2 = w0 * t[2] + w1 * t[6] + w2 * t[10];
      const v3 = w0 * t[3] + w1 * t[7] + w2 * t[11] + w3 * t[15];
      if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
      for (let k = c0; k < c1; k++) {
        z[rr + k] -= v0 * y[k] + v1 * y[y1 + k] + v2 * y[y2 + k] + v3 * y[y3 + k];
      }
    }
  }

  /** T[j][j] = τⱼ, T[0:j, j] = −τⱼ·T[0:j, 0:j]·(Y[:, 0:j]ᵀ·vⱼ). */
  private formT(): void {
    const { y, t, tau, c0, c1, len } = this;
    t.fill(0);
    for (let j = 0; j < 4; j++) {
      t[j * 4 + j] = tau[j];
      if (tau[j] === 0) continue;
      for (let p = 0; p < j; p++) {
        let acc = 0;
        for (let q = p; q < j; q++) acc += t[p * 4 + q] * dot(y, q * len + c0, y, j * len + c0, c1 - c0);
        t[p * 4 + j] = -tau[j] * acc;
      }
    }
  }
}
