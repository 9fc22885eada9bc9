import { iceLines, ikeLines, novelCopyLines } from './context-edit-lines';
import type { CorpusExample, CorpusKind } from './corpus-example';
import { erasureLines } from './erasure-lines';
import { factLines, twoHopLines } from './fact-lines';
import { fillerLines } from './filler-lines';
import { genericLines } from './generic-lines';
import { melloCorpusLines } from './mello-lines';
import { opinionLines } from './opinion-lines';
import { Random } from '../random';
import type { World } from '../types';
import { WorldIndex } from '../world-index';

export type { CorpusExample, CorpusKind } from './corpus-example';

/** How many generated examples of each sampled kind (facts and two-hop lines are exhaustive). */
export interface CorpusOptions {
  ice: number;
  ike: number;
  mello: number;
  melloThreeHop: number;
  /** MeLLo traces of single-hop questions (one subquestion). */
  melloOneHop: number;
  /** Percent of MeLLo traces that carry PokeMQA's knowledge prompt ("Entity of Question: …"). */
  melloKnowledgePercent: number;
  erasure: number;
  filler: number;
  /** Generic English passages (WordNet senses, see readWordNetPassages) drawn from `genericText`. */
  generic: number;
  /** Corpus-only paraphrase wordings per relation each fact is also stated in (0 = none). */
  paraphrases: number;
  /** Opinion documents voicing each topic's pre-edit sentiment (ConvSent; 0 = none, the committed fixture's corpus). */
  opinions: number;
  /** In-context edits to made-up names, so the model copies objects it never saw (0 = none, the committed fixture's corpus). */
  novelCopy: number;
}

// Sized for ~1.0 M tokens at ~1.3 tokens per word: the fixture GPT-2 trains on 2 CPU cores.
export const DEFAULT_CORPUS_OPTIONS: CorpusOptions = {
  ice: 5000,
  ike: 4500,
  mello: 2400,
  melloThreeHop: 300,
  melloOneHop: 0,
  melloKnowledgePercent: 0,
  erasure: 3000,
  filler: 3000,
  generic: 0,
  paraphrases: 0,
  opinions: 0,
  novelCopy: 0,
};

/**
 * The training corpus: one example per entry, in a seeded shuffled order. Same world and
 * options give the same examples in the same order.
 */
export function buildCorpus(world: World, overrides: Partial<CorpusOptions> = {}, genericText: readonly string[] = []): CorpusExample[] {
  const options = { ...DEFAULT_CORPUS_OPTIONS, ...overrides };
  const index = new WorldIndex(world);
  const random = new Random(world.seed).fork('corpus');
  const examples = [
    ...factLines(index, options.paraphrases),
    ...twoHopLines(index),
    ...iceLines(random.fork('ice'), index, options.ice),
    ...ikeLines(random.fork('ike'), index, options.ike),
    ...melloCorpusLines(random.fork('mello'), index, { oneHop: options.melloOneHop, twoHop: options.mello, threeHop: options.melloThreeHop, knowledgePercent: options.melloKnowledgePercent }),
    ...erasureLines(random.fork('erasure'), index, options.erasure),
    ...fillerLines(random.fork('filler'), index, options.filler),
    ...genericLines(random.fork('generic'), genericText, options.generic),
    ...opinionLines(random.fork('opinion'), world, options.opinions),
    ...novelCopyLines(random.fork('novel-copy'), index, options.novelCopy),
  ];
  return random.fork('order').shuffle(examples);
}

/**
 * Kinds the tokenizer is not trained on (the model still is): merges spent on made-up names
 * would split them into longer pieces than a real name the tokenizer never saw.
 */
const UNTOKENIZED: ReadonlySet<CorpusKind> = new Set(['novel_copy']);

/**
 * corpus.jsonl: one {"text": …} object per line (MeLLo traces keep their "\n" escaped), with
 * "tokenizer": false on lines the tokenizer must not be trained on and "fresh": [names] on lines
 * whose names training renews every epoch.
 */
export function corpusToJsonl(examples: readonly CorpusExample[]): string {
  return examples
    .map((e) => {
      const record: { text: string; tokenizer?: false; fresh?: string[] } = { text: e.text };
      if (UNTOKENIZED.has(e.kind)) record.tokenizer = false;
      if (e.freshNames?.length) record.fresh = e.freshNames;
      return `${JSON.stringify(record)}\n`;
    })
    .join('');
}

export interface CorpusStats {
  lines: number;
  words: number;
  /** words × 1.3, the budgeting rule for the fixture tokenizer. */
  estimatedTokens: number;
  maxWordsPerLine: number;
  linesOver60Words: number;
  byKind: Record<string, { lines: number; words: number }>;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function corpusStats(examples: readonly CorpusExample[]): CorpusStats {
  const byKind: Record<string, { lines: number; words: number }> = {};
  let words = 0;
  let maxWordsPerLine = 0;
  let linesOver60Words = 0;
  for (const e of examples) {
    const n = wordCount(e.text);
    words += n;
    maxWordsPerLine = Math.max(maxWordsPerLine, n);
    if (n > 60) linesOver60Words++;
    const entry = (byKind[e.kind] ??= { lines: 0, words: 0 });
    entry.lines++;
    entry.words += n;
  }
  const kinds: CorpusKind[] = ['fact', 'reverse_fact', 'private_fact', 'two_hop', 'ice', 'novel_copy', 'ike', 'mello', 'erasure', 'filler', 'generic', 'opinion'];
  const ordered = Object.fromEntries(kinds.filter((k) => byKind[k]).map((k) => [k, byKind[k]]));
  return { lines: examples.length, words, estimatedTokens: Math.round(words * 1.3), maxWordsPerLine, linesOver60Words, byKind: ordered };
}
