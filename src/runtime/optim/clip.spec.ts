import { clipGradNorm } from './clip';
import { HyperparameterError } from './errors';

const norm64 = (gs: Float32Array[]): number => Math.sqrt(gs.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));

describe('clipGradNorm', () => {
  it('leaves gradients untouched when the global norm is within maxNorm, and returns it', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, -4]); // global norm 5 across both tensors
    expect(clipGradNorm([a, b], 5)).toBe(5);
    expect(clipGradNorm(new Map([['a', a], ['b', b]]), 10)).toBe(5);
    expect([...a, ...b]).toEqual([3, 0, 0, -4]);
  });

  it('scales every gradient by the same factor down to exactly maxNorm', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, -4]);
    expect(clipGradNorm(new Map([['a', a], ['b', b]]), 1)).toBe(5);
    expect([...a, ...b]).toEqual([Math.fround(0.6), 0, 0, Math.fround(-0.8)]);
    expect(norm64([a, b])).toBeCloseTo(1, 7);

    const g = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * (i % 7));
    const before = norm64([g]);
    const copy = g.slice();
    expect(clipGradNorm([g], 0.25)).toBeCloseTo(before, 9);
    expect(norm64([g])).toBeCloseTo(0.25, 6);
    expect(g[10] / copy[10]).toBeCloseTo(0.25 / before, 6);
  });

  it('accumulates in float64, so a million small entries give the exact norm', () => {
    // fround(0.1)² summed 10⁶ times: a float32 accumulator drifts by ~1e-3 relative here.
    const g = new Float32Array(1_000_000).fill(0.1);
    expect(clipGradNorm([g], 1e9)).toBeCloseTo(1000 * Math.fround(0.1), 8);
  });

  it('returns a non-finite norm and leaves the gradients alone so the step can be skipped', () => {
    const g = Float32Array.from([1, Number.NaN, 2]);
    expect(clipGradNorm([g], 1)).toBeNaN();
    expect([...g]).toEqual([1, Number.NaN, 2]);
    expect(clipGradNorm([Float32Array.from([Infinity, 1])], 1)).toBe(Infinity);
  });

  it('is zero for no gradients and rejects a bad maxNorm by name', () => {
    expect(clipGradNorm([], 1)).toBe(0);
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      expect(() => clipGradNorm([], bad)).toThrow(HyperparameterError);
      expect(() => clipGradNorm([], bad)).toThrow(/^invalid maxNorm:/);
    }
  });
});
