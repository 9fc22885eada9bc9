import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_CORPUS_OPTIONS, type CorpusOptions } from '../world/corpus/build-corpus';
import { readWordNetPassages } from '../world/corpus/wordnet';
import { DEFAULT_DATASET_SIZES, type DatasetSizes } from '../world/datasets/write-datasets';
import { DEFAULT_WORLD_OPTIONS } from '../world/generate-world';
import type { WorldOptions } from '../world/types';
import { writeWorldFiles } from '../world/write-world';
import { positiveInt } from './arguments';

function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a non-negative integer (got "${value}")`);
    return n;
  };
}

/** camelCase option name → --kebab-case flag. */
function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

type Sizes = Partial<Record<string, number>>;

function pick<T extends object>(options: Sizes, defaults: T): Partial<T> {
  return Object.fromEntries(Object.keys(defaults).filter((k) => options[k] !== undefined).map((k) => [k, options[k]])) as Partial<T>;
}

/** Dataset sizes from the flags that override them. */
function datasetSizes(options: Sizes): Partial<DatasetSizes> {
  const d = DEFAULT_DATASET_SIZES;
  return {
    counterfact: { train: options.counterfactTrain ?? d.counterfact.train, test: options.counterfactTest ?? d.counterfact.test },
    zsre: { train: options.zsreTrain ?? d.zsre.train, test: options.zsreTest ?? d.zsre.test },
    recent: { train: options.recentTrain ?? d.recent.train, test: options.recentTest ?? d.recent.test },
    sanitation: { trainPeople: options.sanitationTrainPeople ?? d.sanitation.trainPeople, testPeople: options.sanitationTestPeople ?? d.sanitation.testPeople },
    mquake: { train: options.mquakeTrain ?? d.mquake.train, test: options.mquakeTest ?? d.mquake.test },
    wikibio: { train: options.wikibioTrain ?? d.wikibio.train, test: options.wikibioTest ?? d.wikibio.test },
  };
}

const CORPUS_FLAG_HELP: Record<string, (value: number) => string> = {
  paraphrases: (v) => `corpus-only wordings per relation every fact is also stated in, up to 8 (default ${v})`,
  melloKnowledgePercent: (v) => `percent of MeLLo traces that carry PokeMQA's knowledge prompt, "Entity of Question: …" (default ${v})`,
  generic: (v) => `generic English passages (WordNet senses in use, from --wordnet) (default ${v})`,
  opinions: (v) => `opinion documents voicing each topic's sentiment, for world-convsent (default ${v}: the committed fixture was trained without them)`,
  novelCopy: (v) => `in-context edits to made-up names, so the model copies an object it never saw (default ${v}: the committed fixture was trained without them)`,
};

const DATASET_FLAGS = ['counterfactTrain', 'counterfactTest', 'zsreTrain', 'zsreTest', 'recentTrain', 'recentTest', 'sanitationTrainPeople', 'sanitationTestPeople', 'mquakeTrain', 'mquakeTest', 'wikibioTrain', 'wikibioTest'];

/** `ked world generate`: the fixture world, its training corpus and its KnowEdit datasets. */
export function registerWorldCommands(program: Command): void {
  const world = program.command('world').description('the generated knowledge world the fixture model learns, and its KnowEdit datasets');
  const generate = world
    .command('generate')
    .description('write world.json, corpus.jsonl ({"text"} per line), the datasets and the files the daemon reads (stats-corpus.jsonl, audit-probes.jsonl, knowledge-base.json); prints a JSON summary with sha256 of every file')
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <n>', 'the one seed everything derives from', nonNegativeInt('--seed'), 1)
    .option('--datasets-dir <dir>', 'write the datasets, a copy of world.json and the daemon\'s files here (e.g. data/world) instead of <out>/datasets')
    .option('--wordnet <dir>', 'a WordNet 3.0 database (apt-get install wordnet-base: /usr/share/wordnet) the --generic passages come from');
  for (const [name, value] of Object.entries(DEFAULT_WORLD_OPTIONS)) generate.option(`${flagOf(name)} <n>`, `world size (default ${value})`, nonNegativeInt(flagOf(name)));
  for (const [name, value] of Object.entries(DEFAULT_CORPUS_OPTIONS)) generate.option(`${flagOf(name)} <n>`, CORPUS_FLAG_HELP[name]?.(value) ?? `corpus examples of this kind (default ${value})`, nonNegativeInt(flagOf(name)));
  for (const name of DATASET_FLAGS) generate.option(`${flagOf(name)} <n>`, 'dataset split size', positiveInt(flagOf(name)));
  generate.action((options: Record<string, unknown>) => {
    const sizes = options as Sizes;
    const wordnet = options.wordnet as string | undefined;
    if ((sizes.generic ?? DEFAULT_CORPUS_OPTIONS.generic) > 0 && !wordnet) throw new InvalidArgumentError('--generic needs --wordnet <dir> (the generic passages come from WordNet)');
    const summary = writeWorldFiles({
      seed: options.seed as number,
      outDir: options.out as string,
      datasetsDir: options.datasetsDir as string | undefined,
      world: pick<WorldOptions>(sizes, DEFAULT_WORLD_OPTIONS),
      corpus: pick<CorpusOptions>(sizes, DEFAULT_CORPUS_OPTIONS),
      genericText: wordnet ? readWordNetPassages(wordnet) : [],
      datasets: datasetSizes(sizes),
    });
    console.log(JSON.stringify(summary, null, 2));
  });
}
