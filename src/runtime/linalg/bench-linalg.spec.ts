import { benchLinalg, LINALG_BENCH_OPS } from './bench-linalg';

describe('benchLinalg', () => {
  it('returns milliseconds for every op at every size, keyed <op>_<d>_ms', async () => {
    const result = await benchLinalg([4, 9]);
    const expected = LINALG_BENCH_OPS.flatMap((op) => [`${op}_4_ms`, `${op}_9_ms`]);
    expect(Object.keys(result).sort()).toEqual(expected.sort());
    for (const ms of Object.values(result)) {
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('adds ml-matrix reference timings up to the requested size', async () => {
    const result = await benchLinalg([6, 8], { ops: ['cholesky', 'null_space_projector'], mlMatrixUpTo: 6 });
    expect(Object.keys(result).sort()).toEqual(
      ['cholesky_6_ms', 'cholesky_8_ms', 'mlmatrix_cholesky_6_ms', 'null_space_projector_6_ms', 'null_space_projector_8_ms'].sort(),
    );
  });

  it('rejects a size that is not a positive integer', async () => {
    await expect(benchLinalg([0])).rejects.toThrow(/positive integer/);
  });
});
