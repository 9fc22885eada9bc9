import { connect } from '@lancedb/lancedb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickThreshold, ScopeClassifier, type LabelledPair, type TrainOptions } from '../../memory/scope/scope-classifier';
import { ScopeDetector, keyOf, type RouteOptions } from '../../memory/scope/scope-detector';
import { pairFeatures } from '../../memory/scope/scope-features';
import { ScopeIndex } from '../../memory/scope/scope-index';
import { readScopeText } from '../../memory/scope/scope-text';
import { englishSet, type EnglishSet, type EnglishWordings, type RouteEdit, type RouteQuery } from './english-set';

export interface RouteEvalResult {
  edits: number;
  queries: number;
  recallAt1: number;
  falsePositiveRate: number;
  p50Ms: number;
  p99Ms: number;
  /** Recall@1 or false-positive rate per query kind, when queries name their kind. */
  byKind?: Record<string, number>;
  loadSeconds: number;
}

/** Runs `work` with a detector over a fresh LanceDB directory holding `edits`, then deletes it. */
export async function withFreshDetector<T>(edits: readonly RouteEdit[], classifier: ScopeClassifier, work: (detector: ScopeDetector, index: ScopeIndex) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ked-route-'));
  const db = await connect(dir);
  try {
    const index = await ScopeIndex.open(db);
    const detector = new ScopeDetector(index, classifier);
    for (let i = 0; i < edits.length; i += 1000) await detector.add(edits.slice(i, i + 1000).map((e) => ({ id: e.id, text: e.edit, subjects: e.subjects, object: e.object })));
    return await work(detector, index);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ked route-eval`: load the edits, route every query, score recall@1, false positives, latency. */
export async function routeEval(edits: readonly RouteEdit[], queries: readonly RouteQuery[], classifier: ScopeClassifier, onProgress?: (done: number) => void, options: RouteOptions = {}): Promise<RouteEvalResult> {
  const started = performance.now();
  let loadSeconds = 0;
  return withFreshDetector(edits, classifier, async (detector) => {
    loadSeconds = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    const hits = new Map<string, [number, number]>();
    let positives = 0;
    let recalled = 0;
    let negatives = 0;
    let falsePositives = 0;
    for (const [i, query] of queries.entries()) {
      const t0 = performance.now();
      const matches = await detector.route(query.text, options);
      latencies.push(performance.now() - t0);
      const good = query.expect === null ? matches.length === 0 : matches[0]?.id === query.expect;
      if (query.expect === null) {
        negatives++;
        if (!good) falsePositives++;
      } else {
        positives++;
        if (good) recalled++;
      }
      const kind = query.kind ?? (query.expect === null ? 'negative' : 'positive');
      const [n, ok] = hits.get(kind) ?? [0, 0];
      hits.set(kind, [n + 1, ok + (good ? 1 : 0)]);
      onProgress?.(i + 1);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
    const byKind = Object.fromEntries([...hits].map(([kind, [n, ok]]) => [`${kind}Correct`, round((100 * ok) / n)]));
    return {
      edits: edits.length,
      queries: queries.length,
      recallAt1: round(positives ? (100 * recalled) / positives : 0),
      falsePositiveRate: round(negatives ? (100 * falsePositives) / negatives : 0),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      byKind,
      loadSeconds: round(loadSeconds),
    };
  });
}

/**
 * Training pairs as deployment sees them: the train edits in a fresh index, each train query's
 * candidates (stage 1 and the subject check), labelled by whether the candidate is the query's
 * expected edit.
 */
export async function trainingPairs(edits: readonly RouteEdit[], queries: readonly RouteQuery[]): Promise<LabelledPair[]> {
  const keys = new Map(edits.map((e) => [e.id, keyOf(e.edit, e.subjects)]));
  // The classifier is not needed to retrieve candidates; a threshold-0 placeholder keeps all.
  const retrieveAll = new ScopeClassifier(new Map(), 0);
  return withFreshDetector(edits, retrieveAll, async (detector) => {
    const pairs: LabelledPair[] = [];
    for (const query of queries) {
      const text = readScopeText(query.text);
      for (const id of await detector.candidates(query.text)) pairs.push({ features: pairFeatures(keys.get(id)!, text), inScope: id === query.expect });
    }
    return pairs;
  });
}

/**
 * Trains stage 2 on the train split and sets its threshold where it will be used: on question
 * wordings the classifier has not seen. A model fitted on half of the train wordings scores the
 * other half; the threshold is the lowest whose query-level false-positive rate there stays
 * within `maxFalsePositiveRate`; the final model is fitted on all train wordings.
 */
export async function trainClassifier(wordings: EnglishWordings, options: { edits: number; seed: number; maxFalsePositiveRate: number; train?: TrainOptions; extra?: EnglishSet }): Promise<ScopeClassifier> {
  const half = englishSet(wordings, { split: 'train', edits: options.edits, seed: options.seed, wordingFold: 0 });
  const other = englishSet(wordings, { split: 'train', edits: options.edits, seed: options.seed + 1, wordingFold: 1 });
  // Another domain's train pairs (a generated world's wordings) join both fits; calibration stays on English.
  const extra = options.extra ? await trainingPairs(options.extra.edits, options.extra.queries) : [];
  const probe = ScopeClassifier.train([...(await trainingPairs(half.edits, half.queries)), ...extra], options.train);
  const best = await withFreshDetector(other.edits, probe.withThreshold(0), async (detector) => {
    // Only what passes on queries with nothing in scope matters to the false-positive rate.
    const negatives: Array<{ score: number; inScope: boolean }> = [];
    for (const query of other.queries.filter((q) => q.expect === null)) negatives.push({ score: (await detector.route(query.text))[0]?.score ?? 0, inScope: false });
    return pickThreshold(negatives, options.maxFalsePositiveRate);
  });
  const all = englishSet(wordings, { split: 'train', edits: options.edits, seed: options.seed });
  return ScopeClassifier.train([...(await trainingPairs(all.edits, all.queries)), ...extra], options.train).withThreshold(best, { calibratedOn: 'held-out train wordings', maxFalsePositiveRate: options.maxFalsePositiveRate, extraPairs: extra.length });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
