/** The largest elementwise difference of `a` from `b`, relative to `b`'s largest magnitude (specs' closeness measure). */
export function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [difference, scale] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return difference / scale;
}
