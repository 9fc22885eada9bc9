import { lengthSortedBatches } from './length-batches';

const seq = (length: number, tag = 0) => Array.from({ length }, (_, i) => tag * 1000 + i);

describe('lengthSortedBatches', () => {
  it('keeps every sequence once, in batches whose padded size stays within the budget', () => {
    const lengths = [5, 115, 12, 7, 30, 12, 64, 9, 18, 3, 40, 22];
    const sequences = lengths.map((l, i) => seq(l, i));
    const batches = lengthSortedBatches(sequences, 64);
    const flat = batches.flat();
    expect(flat).toHaveLength(sequences.length);
    expect(new Set(flat)).toEqual(new Set(sequences));
    for (const batch of batches) {
      const width = Math.max(...batch.map((s) => s.length));
      // Only a sequence longer than the budget may exceed it, and then it goes alone.
      if (width * batch.length > 64) expect(batch).toHaveLength(1);
    }
    expect(batches.find((b) => b.includes(sequences[1]))).toEqual([sequences[1]]);
  });

  it('pads far less than batching in corpus order', () => {
    const sequences = Array.from({ length: 200 }, (_, i) => seq(1 + ((i * 37) % 100)));
    const padded = (batches: number[][][]) => batches.reduce((n, b) => n + b.length * Math.max(...b.map((s) => s.length)), 0);
    const inOrder = Array.from({ length: 200 / 8 }, (_, i) => sequences.slice(i * 8, i * 8 + 8));
    const real = sequences.reduce((n, s) => n + s.length, 0);
    expect(padded(inOrder) / real).toBeGreaterThan(1.5);
    expect(padded(lengthSortedBatches(sequences, 800)) / real).toBeLessThan(1.15);
  });

  it('rejects a budget below one position', () => {
    expect(() => lengthSortedBatches([seq(3)], 0)).toThrow('positionBudget');
  });
});
