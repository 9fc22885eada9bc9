import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorldFiles } from './write-world';

describe('writeWorldFiles', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-world-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes byte-identical world, corpus and datasets twice from the same seed', () => {
    const [a, b] = [fresh(), fresh()];
    const small = { people: 120, cities: 24, countries: 8, works: 24, companies: 10, universities: 6, novelPeople: 12 };
    const sizes = { counterfact: { train: 20, test: 100 }, zsre: { train: 20, test: 50 }, recent: { train: 10, test: 30 }, sanitation: { trainPeople: 5, testPeople: 10 }, mquake: { train: 10, test: 20 } };
    const corpus = { ice: 200, ike: 200, mello: 100, melloThreeHop: 10, erasure: 100, filler: 100 };
    const first = writeWorldFiles({ seed: 5, outDir: a, world: small, corpus, datasets: sizes });
    const second = writeWorldFiles({ seed: 5, outDir: b, world: small, corpus, datasets: sizes });
    expect(readdirSync(a).sort()).toEqual(['corpus.jsonl', 'datasets', 'world.json']);
    expect(readdirSync(join(a, 'datasets'))).toHaveLength(18);
    expect(readFileSync(join(a, 'datasets', 'stats-corpus.jsonl'), 'utf8')).toBe(readFileSync(join(a, 'corpus.jsonl'), 'utf8'));
    for (const file of ['world.json', 'corpus.jsonl', ...readdirSync(join(a, 'datasets')).map((f) => join('datasets', f))]) {
      expect([file, readFileSync(join(a, file)).equals(readFileSync(join(b, file)))]).toEqual([file, true]);
    }
    expect(Object.values(first.files)).toEqual(Object.values(second.files));
    expect(first.corpus.lines).toBe(readFileSync(join(a, 'corpus.jsonl'), 'utf8').trimEnd().split('\n').length);
    expect(first.warnings).toEqual([]);
    expect(first.datasets['world-counterfact.test']).toBe(100);
  });
});
