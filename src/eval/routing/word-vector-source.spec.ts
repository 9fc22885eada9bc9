import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSourceVectors } from './word-vector-source';

describe('readSourceVectors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ked-vectors-'));

  it("reads GloVe's text format in file order, keeping only plain lower-case words", async () => {
    const path = join(dir, 'glove.txt');
    writeFileSync(path, ['the 0.1 0.2 0.3', ', 0.5 0.5 0.5', 'king 0.9 0.1 0.3', '1984 0.1 0.1 0.1', 'queen 0.8 0.2 0.35', "o'neil 0.3 0.3 0.3", 'carrot -0.2 0.9 -0.4'].join('\n'));
    const rows = await readSourceVectors(path, 4);
    expect(rows.map((r) => r.word)).toEqual(['the', 'king', 'queen', "o'neil"]);
    expect(rows[1].vector).toEqual([0.9, 0.1, 0.3]);
  });

  it('refuses a line whose dimensions differ from the others', async () => {
    const path = join(dir, 'ragged.txt');
    writeFileSync(path, 'king 0.9 0.1 0.3\nqueen 0.8 0.2\n');
    await expect(readSourceVectors(path, 10)).rejects.toThrow(/"queen" has 2 dimensions/);
  });

  it('reads the wink-embeddings JSON layout (vector, then its norm and index)', async () => {
    const path = join(dir, 'wink.json');
    writeFileSync(path, JSON.stringify({ dimensions: 2, words: ['the', 'King', 'king'], vectors: { the: [0.1, 0.2, 0.22, 0], King: [1, 1, 1.4, 1], king: [0.9, 0.1, 0.9, 2] } }));
    const rows = await readSourceVectors(path, 10);
    expect(rows).toEqual([
      { word: 'the', vector: [0.1, 0.2] },
      { word: 'king', vector: [0.9, 0.1] },
    ]);
    writeFileSync(path, '{"words": []}');
    await expect(readSourceVectors(path, 10)).rejects.toThrow(/not a wink-embeddings file/);
  });
});
