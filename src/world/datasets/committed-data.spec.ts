import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';
import { buildCorpus } from '../corpus/build-corpus';
import { generateWorld, serialiseWorld } from '../generate-world';
import { servingFiles } from '../serving-files';
import { buildDatasets } from './write-datasets';

const DATA_DIR = join(packageRoot(), 'data', 'world');
const REGENERATE = 'regenerate with `ked world generate --seed 1 --out <tmp dir> --datasets-dir data/world`';

describe('data/world (the committed seed-1 datasets)', () => {
  const world = generateWorld(1);

  it(`matches what the generator makes now (${REGENERATE})`, () => {
    expect(existsSync(DATA_DIR)).toBe(true);
    expect(readFileSync(join(DATA_DIR, 'world.json'), 'utf8')).toBe(serialiseWorld(world));
    for (const [name, split] of Object.entries(buildDatasets(world))) {
      expect([name, readFileSync(join(DATA_DIR, `${name}.json`), 'utf8') === `${JSON.stringify(split, null, 2)}\n`]).toEqual([name, true]);
    }
  });

  it('holds world-convsent beside the six earlier datasets (added without changing them)', () => {
    const names = Object.keys(buildDatasets(world));
    expect(names).toHaveLength(14);
    for (const split of ['train', 'test']) expect(existsSync(join(DATA_DIR, `world-convsent.${split}.json`))).toBe(true);
  });

  it(`holds the daemon's plain files (statistics corpus, audit probes, knowledge base) exactly as the generator writes them (${REGENERATE})`, () => {
    const files = servingFiles(world, buildCorpus(world));
    expect(Object.keys(files).sort()).toEqual(['audit-probes.jsonl', 'knowledge-base.json', 'stats-corpus.jsonl']);
    for (const [name, content] of Object.entries(files)) {
      expect([name, readFileSync(join(DATA_DIR, name), 'utf8') === content]).toEqual([name, true]);
    }
  });
});
