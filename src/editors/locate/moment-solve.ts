import { solveSpd, type DenseMatrix } from '../../runtime/linalg';
import type { KeyMoment } from './layer-stats';

/** C + ridge·mean(diag C)·I: the second moment with a relative ridge (keeps it positive definite). */
export function ridged(moment: KeyMoment, ridge: number, scale = 1): DenseMatrix {
  const { rows: n, data } = moment.moment;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += data[i * n + i];
  const out = new Float64Array(n * n);
  for (let i = 0; i < data.length; i++) out[i] = scale * data[i];
  const add = scale * ridge * (trace / n);
  for (let i = 0; i < n; i++) out[i * n + i] += add;
  return { rows: n, cols: n, data: out };
}

/** Columns as a DenseMatrix [rows, columns.length] in float64. */
export function columns(vectors: readonly Float32Array[]): DenseMatrix {
  const rows = vectors[0].length;
  const cols = vectors.length;
  const data = new Float64Array(rows * cols);
  vectors.forEach((v, c) => v.forEach((x, r) => (data[r * cols + c] = x)));
  return { rows, cols, data };
}

/** C⁻¹·k for each key (ROME's left vector before normalisation). */
export function solveMoment(moment: DenseMatrix, keys: readonly Float32Array[]): DenseMatrix {
  return solveSpd(moment, columns(keys));
}

/** A DenseMatrix as a float32 HostTensor-shaped factor [rows, cols]. */
export function toFactor(m: DenseMatrix): { dtype: 'float32'; shape: number[]; data: Float32Array } {
  return { dtype: 'float32', shape: [m.rows, m.cols], data: Float32Array.from(m.data) };
}

/** a += x·yᵀ in place (x, y: [n, m]). */
export function addProduct(a: DenseMatrix, x: DenseMatrix, y: DenseMatrix): void {
  const { rows: n, cols: m } = x;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) {
      const xic = x.data[i * m + c];
      if (xic === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) a.data[row + j] += xic * y.data[j * m + c];
    }
  }
}
