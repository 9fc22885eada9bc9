import { WordVectors, WORD_VECTORS_FORMAT } from './word-vectors';

describe('WordVectors', () => {
  const rows = [
    { word: 'king', vector: [0.9, 0.1, 0.3] },
    { word: 'queen', vector: [0.8, 0.2, 0.35] },
    { word: 'carrot', vector: [-0.2, 0.9, -0.4] },
  ];
  const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);

  it('keeps cosines through one-byte quantisation', () => {
    const table = WordVectors.fromBytes(WordVectors.toBytes(rows, 'test'));
    expect(table.size).toBe(3);
    expect(table.header).toMatchObject({ format: WORD_VECTORS_FORMAT, dimensions: 3, words: 3, source: 'test' });
    expect(table.cosine('king', 'queen')).toBeCloseTo(cosine(rows[0].vector, rows[1].vector), 2);
    expect(table.cosine('king', 'carrot')).toBeCloseTo(cosine(rows[0].vector, rows[2].vector), 2);
    expect(table.cosine('king', 'king')).toBe(1);
    expect(table.cosine('king', 'prince')).toBeUndefined();
  });

  it('averages unit vectors, leaving unknown words out', () => {
    const table = WordVectors.fromBytes(WordVectors.toBytes(rows, 'test'));
    const mean = table.mean(['king', 'queen', 'prince'])!;
    expect(Math.hypot(...mean)).toBeCloseTo(1, 5);
    expect(mean[0]).toBeGreaterThan(0.8);
    expect(table.mean(['prince'])).toBeUndefined();
  });

  it('refuses a file of another format or a truncated one', () => {
    const bytes = WordVectors.toBytes(rows, 'test');
    expect(() => WordVectors.fromBytes(bytes.subarray(0, bytes.length - 2))).toThrow(/truncated/);
    const other = Buffer.from(bytes.toString('latin1').replace(WORD_VECTORS_FORMAT, 'ked-word-vectors/0'), 'latin1');
    expect(() => WordVectors.fromBytes(other)).toThrow(/format/);
  });

  it('the committed table links words no lexicon pairs, and keeps unrelated ones apart', () => {
    const table = WordVectors.load();
    expect(table.size).toBeGreaterThanOrEqual(100_000);
    expect(table.cosine('sector', 'mining')!).toBeGreaterThan(0.45);
    expect(table.cosine('founded', 'established')!).toBeGreaterThan(0.7);
    expect(table.cosine('goalkeeper', 'pitch')!).toBeGreaterThan(table.cosine('goalkeeper', 'novel')!);
  });
});
