import { budgetAt, keepMask, SmoothedSensitivity, tripletImportance } from './rank-allocator';

describe('AdaLoRA rank allocation', () => {
  const schedule = { initial: 16, target: 8, steps: 60, warmup: 10, final: 15 };

  it('keeps the full budget through warmup, falls cubically, and holds the target at the end', () => {
    expect(budgetAt(0, schedule)).toBe(16);
    expect(budgetAt(9, schedule)).toBe(16);
    expect(budgetAt(10, schedule)).toBe(16); // (1 − 0)³ of the way
    expect(budgetAt(10 + 35 / 2, schedule)).toBe(8 + Math.floor(8 * 0.5 ** 3)); // half way: 1/8 of the gap left
    expect(budgetAt(44, schedule)).toBe(8 + Math.floor(8 * (1 / 35) ** 3));
    expect(budgetAt(45, schedule)).toBe(8);
    expect(budgetAt(59, schedule)).toBe(8);
    for (let t = 1; t < 60; t++) expect(budgetAt(t, schedule)).toBeLessThanOrEqual(budgetAt(t - 1, schedule));
  });

  it('smooths sensitivity |w·g| and its uncertainty by moving averages; importance is their product', () => {
    const s = new SmoothedSensitivity(2, 0.5, 0.5);
    s.update(Float32Array.of(2, 1), Float32Array.of(3, 0)); // I = 6, 0
    // Ī = 0.5·0 + 0.5·6 = 3; Ū = 0.5·0 + 0.5·|6 − 3| = 1.5
    expect(s.importance(0)).toBeCloseTo(4.5);
    expect(s.importance(1)).toBe(0);
    s.update(Float32Array.of(2, 1), Float32Array.of(3, 0));
    // Ī = 0.5·3 + 0.5·6 = 4.5; Ū = 0.5·1.5 + 0.5·|6 − 4.5| = 1.5
    expect(s.importance(0)).toBeCloseTo(6.75);
  });

  it("scores a triplet by its λ's importance plus the means over P's column and Q's row, and keeps the budget's best across adapters", () => {
    // rank 2, P 2×2, Q 2×3; β₁ = 0.5, β₂ = 0: Ū is the last |I − Ī|.
    const lambda = new SmoothedSensitivity(2, 0.5, 0);
    lambda.update(Float32Array.of(1, 1), Float32Array.of(4, 0)); // Ī = 2, 0; Ū = |4 − 2| = 2, 0
    const p = new SmoothedSensitivity(4, 0.5, 0);
    p.update(Float32Array.of(1, 1, 1, 1), Float32Array.of(0, 2, 0, 2)); // column 1: Ī 1, Ū 1 → 1 each
    const q = new SmoothedSensitivity(6, 0.5, 0);
    q.update(Float32Array.of(1, 1, 1, 1, 1, 1), Float32Array.of(0, 0, 0, 0, 0, 0));
    const scores = tripletImportance(lambda, p, q, 2, 2, 3);
    expect([...scores]).toEqual([4, 1]); // triplet 0: λ 2·2; triplet 1: P's column mean (1 + 1) / 2
    expect(keepMask([scores, Float64Array.of(3, 0.5)], 2)).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(keepMask([scores, Float64Array.of(3, 0.5)], 0)).toEqual([
      [false, false],
      [false, false],
    ]);
  });
});
