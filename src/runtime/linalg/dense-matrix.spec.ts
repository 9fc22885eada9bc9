import { fromRows, identity, matmul, maxAbs, maxAbsDiff, toRows, transpose, zeros } from './dense-matrix';
import { randomMatrix } from './random-matrix';

describe('DenseMatrix helpers', () => {
  it('builds from rows, and rejects ragged rows', () => {
    const m = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    expect([...m.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toRows(m)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1 has 1 entries/);
  });

  it('multiplies, transposes and measures differences', () => {
    const a = fromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(toRows(transpose(a))).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
    expect(toRows(matmul(transpose(a), a))).toEqual([
      [35, 44],
      [44, 56],
    ]);
    expect(maxAbsDiff(matmul(identity(3), a), a)).toBe(0);
    expect(maxAbs(a)).toBe(6);
    expect(maxAbsDiff(zeros(2, 2), fromRows([[0, -3], [1, 0]]))).toBe(3);
    expect(() => matmul(a, a)).toThrow(/3x2 times 3x2/);
  });

  it('transposes non-square matrices larger than one tile', () => {
    const a = randomMatrix(70, 45, 1);
    const t = transpose(a);
    expect(t.rows).toBe(45);
    expect(t.data[44 * 70 + 69]).toBe(a.data[69 * 45 + 44]);
    expect(maxAbsDiff(transpose(t), a)).toBe(0);
  });
});
