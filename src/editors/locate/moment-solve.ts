import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cholesky, solveCholesky, solveSpd, transpose, type DenseMatrix } from '../../runtime/linalg';
import type { KeyMoment } from './layer-stats';

const derivedInMemory = new WeakMap<KeyMoment, Map<string, DenseMatrix>>();

/**
 * A matrix computed from one layer's statistics (a factorisation of C, AlphaEdit's projector),
 * computed once per statistics and kept beside them: in memory for as long as they are, and on
 * disk next to their file as `<stats>.<name>.f64`, tagged with the statistics' digest, so that
 * a restart reuses it and statistics that changed (recomputed, or taken from a model with
 * committed edits, whose fingerprint differs) never meet a stale one.
 */
export function derivedFromMoment(moment: KeyMoment, name: string, compute: () => DenseMatrix): DenseMatrix {
  let perMoment = derivedInMemory.get(moment);
  if (!perMoment) derivedInMemory.set(moment, (perMoment = new Map()));
  let value = perMoment.get(name);
  if (value) return value;
  const file = moment.file ? `${moment.file}.${name}` : undefined;
  if (file && existsSync(`${file}.json`) && existsSync(`${file}.f64`)) {
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { digest: string; rows: number; cols: number };
    const bytes = readFileSync(`${file}.f64`);
    if (meta.digest === moment.digest && bytes.byteLength === meta.rows * meta.cols * 8) {
      value = { rows: meta.rows, cols: meta.cols, data: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    }
  }
  if (!value) {
    value = compute();
    if (file) {
      writeFileSync(`${file}.f64.tmp`, new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength));
      renameSync(`${file}.f64.tmp`, `${file}.f64`);
      writeFileSync(`${file}.json`, JSON.stringify({ digest: moment.digest, rows: value.rows, cols: value.cols }));
    }
  }
  perMoment.set(name, value);
  return value;
}

/** L with L·Lᵀ = C + ridge·mean(diag C)·I, factorised once per statistics and ridge. */
export function momentFactor(moment: KeyMoment, ridge: number): DenseMatrix {
  return derivedFromMoment(moment, `cholesky.ridge${ridge}`, () => cholesky(ridged(moment, ridge)));
}

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

/** (C + ridge)⁻¹·k for each key (ROME's left vector before normalisation), with the cached factor. */
export function solveMoment(moment: KeyMoment, ridge: number, keys: readonly Float32Array[]): DenseMatrix {
  return solveCholesky(momentFactor(moment, ridge), columns(keys));
}

/**
 * (λ·(C + ridge) + K·Kᵀ)⁻¹·K (MEMIT's solve) with the cached factor of C + ridge, by the Woodbury
 * identity: with Y = (λC)⁻¹K, it is Y·(I + KᵀY)⁻¹, an n×n solve instead of a d_ff×d_ff one.
 */
export function solveMomentPlusKeys(moment: KeyMoment, ridge: number, weight: number, keys: DenseMatrix): DenseMatrix {
  const y = solveCholesky(momentFactor(moment, ridge), keys);
  for (let i = 0; i < y.data.length; i++) y.data[i] /= weight;
  const n = keys.cols;
  const d = keys.rows;
  const s = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) s.data[i * n + i] = 1;
  for (let r = 0; r < d; r++) {
    for (let i = 0; i < n; i++) {
      const kri = keys.data[r * n + i];
      if (kri === 0) continue;
      for (let j = 0; j < n; j++) s.data[i * n + j] += kri * y.data[r * n + j];
    }
  }
  // Symmetrise against rounding (KᵀC⁻¹K is symmetric in exact arithmetic; solveSpd checks).
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = (s.data[i * n + j] + s.data[j * n + i]) / 2;
      s.data[i * n + j] = s.data[j * n + i] = mean;
    }
  }
  // X = Y·S⁻¹, i.e. Xᵀ = S⁻¹·Yᵀ (S symmetric).
  return transpose(solveSpd(s, transpose(y)));
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
