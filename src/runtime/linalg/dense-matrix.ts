/**
 * The one matrix form the linear algebra uses: row-major float64, so a row is a contiguous run
 * of `data` and the hot loops (dot products, axpys, rotations) stream memory in order.
 */
import { axpy } from './kernels';

export type DenseMatrix = { rows: number; cols: number; data: Float64Array };

/** A zero matrix. */
export function zeros(rows: number, cols: number): DenseMatrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): DenseMatrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** From nested arrays (tests, small literals); every row must have the same length. */
export function fromRows(rows: readonly (readonly number[])[]): DenseMatrix {
  const cols = rows.length > 0 ? rows[0].length : 0;
  const m = zeros(rows.length, cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`fromRows: row ${i} has ${row.length} entries, row 0 has ${cols}`);
    m.data.set(row, i * cols);
  });
  return m;
}

export function toRows(m: DenseMatrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/** Copies rows/cols/data so the factorizations can work in place without touching their input. */
export function cloneMatrix(m: DenseMatrix): DenseMatrix {
  return { rows: m.rows, cols: m.cols, data: m.data.slice() };
}

export function transpose(m: DenseMatrix): DenseMatrix {
  const { rows, cols, data } = m;
  const t = zeros(cols, rows);
  // Tiles keep both the strided reads and the strided writes inside the cache.
  const tile = 32;
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const i1 = Math.min(i0 + tile, rows);
    for (let j0 = 0; j0 < cols; j0 += tile) {
      const j1 = Math.min(j0 + tile, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) t.data[j * rows + i] = data[i * cols + j];
      }
    }
  }
  return t;
}

/** A·B in i-k-j order: the inner loop is an axpy over a row of B into a row of the result. */
export function matmul(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const c = zeros(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik !== 0) axpy(aik, b.data, k * n, c.data, i * n, n);
    }
  }
  return c;
}

/** max |aᵢⱼ − bᵢⱼ|; the tests' measure of how well a factorization reconstructs its input. */
export function maxAbsDiff(a: DenseMatrix, b: DenseMatrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`maxAbsDiff: ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  }
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  return max;
}

export function maxAbs(m: DenseMatrix): number {
  let max = 0;
  for (let i = 0; i < m.data.length; i++) max = Math.max(max, Math.abs(m.data[i]));
  return max;
}
