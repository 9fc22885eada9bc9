import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus, corpusStats, corpusToJsonl, type CorpusOptions, type CorpusStats } from './corpus/build-corpus';
import { DEFAULT_DATASET_SIZES, writeDatasets, type DatasetSizes } from './datasets/write-datasets';
import { generateWorld, serialiseWorld } from './generate-world';
import { servingFiles } from './serving-files';
import type { World, WorldOptions } from './types';

export interface WorldFilesRequest {
  seed: number;
  outDir: string;
  /**
   * Where the datasets, a copy of world.json and the plain files the daemon reads (see
   * servingFiles) go; `<outDir>/datasets` by default.
   */
  datasetsDir?: string;
  world?: Partial<WorldOptions>;
  corpus?: Partial<CorpusOptions>;
  /** Generic English passages the corpus's `generic` examples are drawn from (see readWordNetPassages). */
  genericText?: readonly string[];
  datasets?: Partial<DatasetSizes>;
}

export interface WorldFilesSummary {
  seed: number;
  world: { entities: Record<string, number>; facts: Record<string, number>; novelEntities: number; novelFacts: number; twoHopHeldOut: number };
  corpus: CorpusStats;
  datasets: Record<string, number>;
  /** Requested sizes a dataset could not reach (a smaller world has fewer facts to edit). */
  warnings: string[];
  /** sha256 of every written file, by path. */
  files: Record<string, string>;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function shortfalls(datasets: Record<string, number>, sizes: DatasetSizes): string[] {
  const wanted: Record<string, number> = {
    'world-counterfact.test': sizes.counterfact.test,
    'world-counterfact.train': sizes.counterfact.train,
    'world-zsre.test': sizes.zsre.test,
    'world-zsre.train': sizes.zsre.train,
    'world-recent.test': sizes.recent.test,
    'world-mquake.test': sizes.mquake.test,
    'world-mquake.train': sizes.mquake.train,
  };
  return Object.entries(wanted)
    .filter(([name, n]) => (datasets[name] ?? 0) < n)
    .map(([name, n]) => `${name}: ${datasets[name] ?? 0} records, ${n} requested`);
}

/** world.json, corpus.jsonl, the datasets and the daemon's plain files, all from one seed; returns what was written. */
export function writeWorldFiles(request: WorldFilesRequest): WorldFilesSummary {
  const world: World = generateWorld(request.seed, request.world);
  mkdirSync(request.outDir, { recursive: true });
  const worldPath = join(request.outDir, 'world.json');
  writeFileSync(worldPath, serialiseWorld(world));
  const corpus = buildCorpus(world, request.corpus, request.genericText);
  const corpusPath = join(request.outDir, 'corpus.jsonl');
  writeFileSync(corpusPath, corpusToJsonl(corpus));
  const sizes = { ...DEFAULT_DATASET_SIZES, ...request.datasets };
  const datasetsDir = request.datasetsDir ?? join(request.outDir, 'datasets');
  const written = writeDatasets(world, datasetsDir, sizes);
  // A datasets directory carries the world it came from, so its names can be resolved alone.
  const datasetsWorldPath = join(datasetsDir, 'world.json');
  writeFileSync(datasetsWorldPath, serialiseWorld(world));
  // Beside it, what the daemon reads of the world (it reads no world.json).
  const servingPaths = Object.entries(servingFiles(world, corpus)).map(([name, content]) => {
    const path = join(datasetsDir, name);
    writeFileSync(path, content);
    return path;
  });
  const datasets = Object.fromEntries(written.map((w) => [w.file.replace(/^.*[\\/]/, '').replace(/\.json$/, ''), w.records]));
  const relationKind = new Map(world.relations.map((r) => [r.id, r.kind]));
  return {
    seed: request.seed,
    world: {
      entities: countBy(world.entities, (e) => e.type),
      facts: countBy(world.facts, (f) => relationKind.get(f.relation)!),
      novelEntities: world.novel.entities.length,
      novelFacts: world.novel.facts.length,
      twoHopHeldOut: world.twoHopHeldOut.length,
    },
    corpus: corpusStats(corpus),
    datasets,
    warnings: shortfalls(datasets, sizes),
    files: Object.fromEntries([worldPath, corpusPath, datasetsWorldPath, ...servingPaths, ...written.map((w) => w.file)].map((path) => [path, sha256(path)])),
  };
}
