import { HyperparameterError } from './errors';
import { constant, warmupConstant, warmupCosine } from './schedule';

describe('learning-rate schedules', () => {
  describe('warmupCosine', () => {
    // peak 1e-3, floor 1e-4, 10 warmup steps, 110 in all: the cosine spans t = 10 … 110.
    const lr = warmupCosine({ peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-4 });

    it('warms up linearly from the first step', () => {
      expect(lr(0)).toBeCloseTo(1e-4, 15); // 1e-3 · 1/10
      expect(lr(4)).toBeCloseTo(5e-4, 15); // 1e-3 · 5/10
      expect(lr(9)).toBe(1e-3); // last warmup step reaches the peak
    });

    it('starts the cosine at the peak, halfway is the mean, and it ends on the floor', () => {
      expect(lr(10)).toBe(1e-3);
      expect(lr(60)).toBeCloseTo(5.5e-4, 15); // (1e-3 + 1e-4) / 2
      // One step before the end: 1e-4 + 0.45e-3·(1 + cos(99π/100)).
      expect(lr(109)).toBeCloseTo(1e-4 + 0.45e-3 * (1 + Math.cos((Math.PI * 99) / 100)), 15);
      expect(lr(110)).toBe(1e-4);
    });

    it('holds the floor past totalSteps', () => {
      expect(lr(111)).toBe(1e-4);
      expect(lr(1_000_000)).toBe(1e-4);
    });

    it('never rises after warmup', () => {
      for (let t = 10; t < 120; t++) expect(lr(t + 1)).toBeLessThanOrEqual(lr(t));
    });

    it('handles no warmup, no decay, and a default floor of 0', () => {
      const noWarm = warmupCosine({ peakLr: 2, warmupSteps: 0, totalSteps: 4 });
      expect([0, 1, 2, 3, 4, 5].map(noWarm)).toEqual([2, 1 + Math.SQRT1_2, 1, 1 - Math.SQRT1_2, 0, 0].map((x) => expect.closeTo(x, 12)));
      const allWarm = warmupCosine({ peakLr: 1, warmupSteps: 2, totalSteps: 2, minLr: 0.25 });
      expect([0, 1, 2, 3].map(allWarm)).toEqual([0.5, 1, 0.25, 0.25]);
    });
  });

  it('warmupConstant ramps to the peak and stays there', () => {
    const lr = warmupConstant({ peakLr: 0.3, warmupSteps: 3 });
    expect([0, 1, 2, 3, 1000].map(lr)).toEqual([0.1, 0.2, 0.3, 0.3, 0.3].map((x) => expect.closeTo(x, 15)));
    expect(warmupConstant({ peakLr: 0.3, warmupSteps: 0 })(0)).toBe(0.3);
  });

  it('constant is constant', () => {
    const lr = constant({ lr: 5e-5 });
    expect([0, 1, 10 ** 9].map(lr)).toEqual([5e-5, 5e-5, 5e-5]);
  });

  it('names the bad field', () => {
    const field = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        if (err instanceof HyperparameterError) return err.field;
        throw err;
      }
      throw new Error('expected a HyperparameterError');
    };
    const ok = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 100, minLr: 0 };
    expect(field(() => warmupCosine({ ...ok, peakLr: -1 }))).toBe('peakLr');
    expect(field(() => warmupCosine({ ...ok, minLr: 2e-3 }))).toBe('minLr');
    expect(field(() => warmupCosine({ ...ok, warmupSteps: 101 }))).toBe('warmupSteps');
    expect(field(() => warmupCosine({ ...ok, totalSteps: 1.5 }))).toBe('totalSteps');
    expect(field(() => warmupConstant({ peakLr: 1, warmupSteps: -1 }))).toBe('warmupSteps');
    expect(field(() => constant({ lr: -1 }))).toBe('lr');
    expect(field(() => warmupCosine(ok)(-1))).toBe('step');
    expect(field(() => warmupCosine(ok)(2.5))).toBe('step');
  });
});
