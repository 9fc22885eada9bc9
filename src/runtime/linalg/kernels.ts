/**
 * The three inner loops every factorization here reduces to, on contiguous runs of a
 * Float64Array given as (array, offset, length) so no subarray objects are made in hot loops.
 */

/** Σ x[xo+k]·y[yo+k]. Four partial sums break the add-latency chain (V8 does not vectorize). */
export function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
    s2 += x[xo + k + 2] * y[yo + k + 2];
    s3 += x[xo + k + 3] * y[yo + k + 3];
  }
  for (; k < len; k++) s0 += x[xo + k] * y[yo + k];
  return s0 + s1 + (s2 + s3);
}

/** y[yo+k] += alpha·x[xo+k]. */
export function axpy(alpha: number, x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): void {
  // Unrolled: V8's per-iteration overhead is a large share of a 2-flop body.
  let k = 0;
  for (; k + 3 < len; k += 4) {
    y[yo + k] += alpha * x[xo + k];
    y[yo + k + 1] += alpha * x[xo + k + 1];
    y[yo + k + 2] += alpha * x[xo + k + 2];
    y[yo + k + 3] += alpha * x[xo + k + 3];
  }
  for (; k < len; k++) y[yo + k] += alpha * x[xo + k];
}

/**
 * Plane rotation of two runs of the same array: (x, y) ← (c·x + s·y, c·y − s·x).
 * Eigenvector and singular-vector updates rotate two rows of a transposed factor with this.
 */
export function rotate(a: Float64Array, xo: number, yo: number, len: number, c: number, s: number): void {
  for (let k = 0; k < len; k++) {
    const x = a[xo + k];
    const y = a[yo + k];
    a[xo + k] = c * x + s * y;
    a[yo + k] = c * y - s * x;
  }
}

/** √(a² + b²) without overflow or underflow; Math.hypot is exact-ish but much slower in V8. */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * A chain of rotations over consecutive rows, as one QL or bidiagonal-QR sweep produces:
 * rotation t combines rows r(t) = first + t·step and r(t+1) of the row-major `a` (row length
 * len) by (x, y) ← (c[t]·x + s[t]·y, c[t]·y − s[t]·x), x being row r(t) as left by rotation
 * t − 1. Four rotations are fused per pass, so the carried row stays in a register and each
 * row is loaded and stored once per four rotations instead of twice per rotation (≈ 2x faster
 * in V8 than rotating row pairs one by one).
 */
export function rotateRowChain(
  a: Float64Array,
  len: number,
  first: number,
  step: 1 | -1,
  count: number,
  c: Float64Array,
  s: Float64Array,
): void {
  let t = 0;
  for (; t + 3 < count; t += 4) {
    const c0 = c[t];
    const s0 = s[t];
    const c1 = c[t + 1];
    const s1 = s[t + 1];
    const c2 = c[t + 2];
    const s2 = s[t + 2];
    const c3 = c[t + 3];
    const s3 = s[t + 3];
    // Not (first + t·step)·len: 0·(−1) is −0, which makes V8 treat every offset as a double.
    const o0 = (step === 1 ? first + t : first - t) * len;
    const d = step * len;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    const o4 = o3 + d;
    for (let k = 0; k < len; k++) {
      let x = a[o0 + k];
      let y = a[o1 + k];
      a[o0 + k] = c0 * x + s0 * y;
      x = c0 * y - s0 * x;
      y = a[o2 + k];
      a[o1 + k] = c1 * x + s1 * y;
      x = c1 * y - s1 * x;
      y = a[o3 + k];
      a[o2 + k] = c2 * x + s2 * y;
      x = c2 * y - s2 * x;
      y = a[o4 + k];
      a[o3 + k] = c3 * x + s3 * y;
      a[o4 + k] = c3 * y - s3 * x;
    }
  }
  for (; t < count; t++) {
    const o = (step === 1 ? first + t : first - t) * len;
    rotate(a, o, o + step * len, len, c[t], s[t]);
  }
}
