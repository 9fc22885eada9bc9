import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../random';
import type { World } from '../types';
import { WorldIndex } from '../world-index';
import { convsentDataset } from './convsent';
import { counterfactDataset, zsreDataset } from './fact-edit-datasets';
import { mquakeDataset } from './mquake';
import { recentDataset } from './recent';
import { sanitationDataset } from './sanitation';
import { wikibioDataset } from './wikibio';

export interface DatasetSizes {
  counterfact: { train: number; test: number };
  zsre: { train: number; test: number };
  recent: { train: number; test: number };
  /** People erased per split (two success and two locality records each). */
  sanitation: { trainPeople: number; testPeople: number };
  mquake: { train: number; test: number };
  wikibio: { train: number; test: number };
}

export const DEFAULT_DATASET_SIZES: DatasetSizes = {
  counterfact: { train: 150, test: 1000 },
  zsre: { train: 150, test: 500 },
  recent: { train: 150, test: 500 },
  sanitation: { trainPeople: 30, testPeople: 100 },
  mquake: { train: 100, test: 200 },
  wikibio: { train: 100, test: 300 },
};

export type DatasetName = 'world-counterfact' | 'world-zsre' | 'world-recent' | 'world-sanitation' | 'world-mquake' | 'world-wikibio' | 'world-convsent';

/** Every dataset split, keyed "<name>.<split>" (the file name without .json). */
export function buildDatasets(world: World, overrides: Partial<DatasetSizes> = {}): Record<string, unknown> {
  const sizes = { ...DEFAULT_DATASET_SIZES, ...overrides };
  const index = new WorldIndex(world);
  const random = new Random(world.seed).fork('datasets');
  const out: Record<string, unknown> = {};
  const add = (name: DatasetName, splits: { train: unknown; test: unknown }) => {
    out[`${name}.train`] = splits.train;
    out[`${name}.test`] = splits.test;
  };
  add('world-recent', recentDataset(random.fork('recent'), index, sizes.recent));
  add('world-zsre', zsreDataset(random.fork('zsre'), index, sizes.zsre));
  add('world-counterfact', counterfactDataset(random.fork('counterfact'), index, sizes.counterfact));
  add('world-sanitation', sanitationDataset(random.fork('sanitation'), index, sizes.sanitation));
  add('world-mquake', mquakeDataset(random.fork('mquake'), index, sizes.mquake));
  add('world-wikibio', wikibioDataset(random.fork('wikibio'), index, sizes.wikibio));
  // Sized by the world's topics (entities and generic topics), not by a flag.
  add('world-convsent', convsentDataset(random.fork('convsent'), world));
  return out;
}

/** Records in a split: array length, or success + locality for sanitation. */
export function recordCount(split: unknown): number {
  if (Array.isArray(split)) return split.length;
  const { success, locality } = split as { success: unknown[]; locality: unknown[] };
  return success.length + locality.length;
}

/**
 * Writes `<dir>/<name>.train.json` and `.test.json` for every dataset: pretty-printed with two
 * spaces and a final newline, so the same world always gives the same bytes.
 */
export function writeDatasets(world: World, dir: string, overrides: Partial<DatasetSizes> = {}): { file: string; records: number }[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(buildDatasets(world, overrides)).map(([name, split]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(split, null, 2)}\n`);
    return { file, records: recordCount(split) };
  });
}
