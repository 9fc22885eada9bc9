import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxAbsDiff, solveSpd, type DenseMatrix } from '../../runtime/linalg';
import { digestOf, type KeyMoment } from './layer-stats';
import { addProduct, columns, derivedFromMoment, ridged, solveMoment, solveMomentPlusKeys } from './moment-solve';

/** E[k kᵀ] of `samples` pseudo-random keys of width n. */
function momentOf(n: number, samples: number, seed: number, file?: string): KeyMoment {
  const data = new Float64Array(n * n);
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (let s = 0; s < samples; s++) {
    const k = Array.from({ length: n }, (_, i) => next() * (1 + i / n));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] += (k[i] * k[j]) / samples;
  }
  return { layer: 0, moment: { rows: n, cols: n, data }, samples, corpus: 'test', digest: digestOf(data), file };
}

const keys = (n: number, count: number): Float32Array[] => Array.from({ length: count }, (_, c) => Float32Array.from({ length: n }, (_, i) => Math.cos(0.7 * i * (c + 1)) + 0.1 * c));

const relative = (a: DenseMatrix, b: DenseMatrix) => maxAbsDiff(a, b) / b.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('solves against the key statistics', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ked-moment-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ROME\'s C⁻¹k through the cached factor equals a fresh solve', () => {
    const moment = momentOf(24, 60, 7);
    const ks = keys(24, 1);
    expect(relative(solveMoment(moment, 1e-3, ks), solveSpd(ridged(moment, 1e-3), columns(ks)))).toBeLessThan(1e-10);
  });

  it('MEMIT\'s (λC + KKᵀ)⁻¹K by Woodbury equals the direct solve', () => {
    const moment = momentOf(24, 60, 3);
    const k = columns(keys(24, 5));
    const a = ridged(moment, 1e-3, 10);
    addProduct(a, k, k);
    expect(relative(solveMomentPlusKeys(moment, 1e-3, 10, k), solveSpd(a, k))).toBeLessThan(1e-8);
  });

  it('computes a derived matrix once per statistics, reuses it from disk after a restart, and recomputes it when the statistics change', () => {
    const file = join(dir, 'key-moment.l0');
    const compute = jest.fn((): DenseMatrix => ({ rows: 1, cols: 2, data: Float64Array.of(1, 2) }));
    const first = momentOf(8, 20, 1, file);
    expect(derivedFromMoment(first, 'thing', compute).data).toEqual(Float64Array.of(1, 2));
    derivedFromMoment(first, 'thing', compute);
    expect(compute).toHaveBeenCalledTimes(1); // memory
    expect(existsSync(`${file}.thing.f64`)).toBe(true);
    // A new process: the same statistics loaded again are a new object; the file answers.
    const reloaded = { ...first, moment: { ...first.moment, data: first.moment.data.slice() } };
    expect(derivedFromMoment(reloaded, 'thing', compute).data).toEqual(Float64Array.of(1, 2));
    expect(compute).toHaveBeenCalledTimes(1);
    // Statistics recomputed at the same path (another sample, edited weights): not reused.
    const changed = momentOf(8, 20, 2, file);
    compute.mockReturnValueOnce({ rows: 1, cols: 2, data: Float64Array.of(3, 4) });
    expect(derivedFromMoment(changed, 'thing', compute).data).toEqual(Float64Array.of(3, 4));
    expect(compute).toHaveBeenCalledTimes(2);
  });
});
