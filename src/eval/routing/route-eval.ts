import { connect } from '@lancedb/lancedb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, pickThreshold, ScopeClassifier, type LabelledPair, type TrainOptions } from '../../memory/scope/scope-classifier';
import { ScopeDetector, keyOf, type RouteOptions, type ScopeMatch } from '../../memory/scope/scope-detector';
import { pairFeatures } from '../../memory/scope/scope-features';
import { ScopeIndex } from '../../memory/scope/scope-index';
import { readScopeText } from '../../memory/scope/scope-text';
import { englishSet, type EnglishSet, type EnglishSetOptions, type EnglishWordings, type RouteEdit, type RouteQuery } from './english-set';

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
  /** Per relation, when queries name their relation (the broad set). */
  byRelation?: Record<string, RelationResult>;
  /** Pooled over the queries of relations the detector may be fitted on, when queries name their relation. */
  seenRelations?: RelationGroup;
  /** Pooled over the queries of held-out relations, when there are any. */
  heldOutRelations?: RelationGroup;
}

export interface RelationResult {
  heldOut: boolean;
  /** Questions about an edited fact of this relation. */
  positives: number;
  /** Percent of them routed to their edit first; null without positives. */
  recallAt1: number | null;
  /** Questions in this relation's wordings with nothing in scope. */
  negatives: number;
  /** Percent of them that fired; null without negatives. */
  falsePositiveRate: number | null;
}

export interface RelationGroup {
  relations: number;
  positives: number;
  recallAt1: number;
  negatives: number;
  falsePositiveRate: number;
  /** The lowest recall@1 of a relation with positives, and how many relations fall below 80. */
  minRelationRecallAt1: number;
  relationsBelow80: number;
}

/** One routed query and whether the detector got it right (the top match is the expected edit, or nothing fired). */
export interface RouteOutcome {
  query: RouteQuery;
  good: boolean;
}

/** Recall@1 and false positives per relation and per seen / held-out group; empty when no query names a relation. */
export function relationBreakdown(outcomes: readonly RouteOutcome[]): Pick<RouteEvalResult, 'byRelation' | 'seenRelations' | 'heldOutRelations'> {
  const named = outcomes.filter((o) => o.query.relation !== undefined);
  if (!named.length) return {};
  const counts = new Map<string, { heldOut: boolean; positives: number; recalled: number; negatives: number; fired: number }>();
  for (const { query, good } of named) {
    const c = counts.get(query.relation!) ?? { heldOut: query.heldOut === true, positives: 0, recalled: 0, negatives: 0, fired: 0 };
    if (query.expect === null) {
      c.negatives++;
      if (!good) c.fired++;
    } else {
      c.positives++;
      if (good) c.recalled++;
    }
    counts.set(query.relation!, c);
  }
  const byRelation: Record<string, RelationResult> = {};
  for (const [relation, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    byRelation[relation] = {
      heldOut: c.heldOut,
      positives: c.positives,
      recallAt1: c.positives ? round((100 * c.recalled) / c.positives) : null,
      negatives: c.negatives,
      falsePositiveRate: c.negatives ? round((100 * c.fired) / c.negatives) : null,
    };
  }
  const group = (heldOut: boolean): RelationGroup | undefined => {
    const members = [...counts.values()].filter((c) => c.heldOut === heldOut);
    if (!members.length) return undefined;
    const sum = (f: (c: (typeof members)[number]) => number) => members.reduce((s, c) => s + f(c), 0);
    const recalls = members.filter((c) => c.positives).map((c) => (100 * c.recalled) / c.positives);
    return {
      relations: members.length,
      positives: sum((c) => c.positives),
      recallAt1: round(sum((c) => c.positives) ? (100 * sum((c) => c.recalled)) / sum((c) => c.positives) : 0),
      negatives: sum((c) => c.negatives),
      falsePositiveRate: round(sum((c) => c.negatives) ? (100 * sum((c) => c.fired)) / sum((c) => c.negatives) : 0),
      minRelationRecallAt1: round(recalls.length ? Math.min(...recalls) : 0),
      relationsBelow80: recalls.filter((r) => r < 80).length,
    };
  };
  const seenRelations = group(false);
  const heldOutRelations = group(true);
  return { byRelation, ...(seenRelations ? { seenRelations } : {}), ...(heldOutRelations ? { heldOutRelations } : {}) };
}

/** `ked route-eval --by-relation`: one row per relation, worst recall@1 first, then the seen and held-out totals. */
export function relationTable(result: Pick<RouteEvalResult, 'byRelation' | 'seenRelations' | 'heldOutRelations'>): string {
  if (!result.byRelation) return 'no query names its relation: nothing to break down\n';
  const rows = Object.entries(result.byRelation).sort(([a, x], [b, y]) => (x.recallAt1 ?? 101) - (y.recallAt1 ?? 101) || a.localeCompare(b));
  const width = Math.max('relation'.length, ...rows.map(([r]) => r.length));
  const pct = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  const line = (cells: string[]) => `${cells[0].padEnd(width)}  ${cells[1].padEnd(8)}  ${cells.slice(2).map((c) => c.padStart(9)).join('  ')}`;
  const out = [line(['relation', 'held out', 'positives', 'recall@1', 'negatives', 'FP %'])];
  for (const [relation, r] of rows) out.push(line([relation, r.heldOut ? 'yes' : '', String(r.positives), pct(r.recallAt1), String(r.negatives), pct(r.falsePositiveRate)]));
  for (const [label, g] of [['seen relations', result.seenRelations], ['held-out relations', result.heldOutRelations]] as const) {
    if (g) out.push(`${label}: ${g.relations} relations, recall@1 ${g.recallAt1} over ${g.positives}, false positives ${g.falsePositiveRate}% of ${g.negatives}, lowest relation ${g.minRelationRecallAt1}, ${g.relationsBelow80} below 80`);
  }
  return out.join('\n') + '\n';
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
export async function routeEval(
  edits: readonly RouteEdit[],
  queries: readonly RouteQuery[],
  classifier: ScopeClassifier,
  onProgress?: (done: number) => void,
  options: RouteOptions = {},
  /** Sees every query with what the detector returned (e.g. to write out the misses). */
  onRouted?: (query: RouteQuery, matches: readonly ScopeMatch[], good: boolean) => void,
): Promise<RouteEvalResult> {
  const started = performance.now();
  let loadSeconds = 0;
  return withFreshDetector(edits, classifier, async (detector) => {
    loadSeconds = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    const hits = new Map<string, [number, number]>();
    const outcomes: RouteOutcome[] = [];
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
      outcomes.push({ query, good });
      onRouted?.(query, matches, good);
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
      ...relationBreakdown(outcomes),
    };
  });
}

/**
 * Training pairs as deployment sees them: the train edits in a fresh index, each train query's
 * candidates (stage 1 and the subject check), labelled by whether the candidate is the query's
 * expected edit.
 */
export async function trainingPairs(edits: readonly RouteEdit[], queries: readonly RouteQuery[]): Promise<LabelledPair[]> {
  const keys = new Map(edits.map((e) => [e.id, keyOf(e.edit, e.subjects, e.object)]));
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

/** One train set the classifier is fitted on, and which threshold its unseen wordings calibrate. */
export interface TrainSource {
  name: string;
  build: (options: EnglishSetOptions) => EnglishSet;
  /** "subject": edits with known subjects (calibrates `threshold`); "plain": statements alone (`plainThreshold`). */
  calibrates: 'subject' | 'plain';
}

/**
 * Trains stage 2 on the train split and sets its threshold where it will be used: on question
 * wordings the classifier has not seen. A model fitted on half of the train wordings scores the
 * other half; the threshold is the lowest whose query-level false-positive rate there stays
 * within `maxFalsePositiveRate`; the final model is fitted on all train wordings. With several
 * `sources`, each is split the same way; edits with known subjects and plain statements get
 * their own thresholds (`maxPlainFalsePositiveRate` for the latter), each calibrated on its
 * sources' held-out wordings.
 */
export async function trainClassifier(
  wordings: EnglishWordings,
  options: {
    edits: number;
    seed: number;
    maxFalsePositiveRate: number;
    /** False-positive bound for plain statements' threshold (default: `maxFalsePositiveRate`). */
    maxPlainFalsePositiveRate?: number;
    train?: TrainOptions;
    /** Another domain's train set (a generated world's wordings), drawn with the seed it is given. */
    extra?: (seed: number) => EnglishSet;
    /** Builds the train split instead of `englishSet(wordings, …)` (e.g. the broad set's, which never holds a held-out relation). */
    set?: (options: EnglishSetOptions) => EnglishSet;
    /** Several train sets at once (overrides `set`). */
    sources?: TrainSource[];
    /** Classifiers fitted, each on its own draw of edits and questions, and averaged into one (default 1). */
    members?: number;
    onMember?: (done: number, of: number) => void;
  },
): Promise<ScopeClassifier> {
  const englishBuild = (o: EnglishSetOptions) => englishSet(wordings, o);
  const sources: TrainSource[] = options.sources ?? [{ name: options.set ? 'set' : 'english', build: options.set ?? englishBuild, calibrates: 'plain' }];
  const single = options.sources === undefined;
  const members = options.members ?? 1;
  const train = options.train ?? DEFAULT_TRAIN_OPTIONS;
  // Member 0 draws with the given seed, so one member is the classifier a single fit gives.
  const memberSeed = (member: number) => options.seed + 1000 * member;
  const fitMember = async (member: number, wordingFold?: 0): Promise<ScopeClassifier> => {
    const seed = memberSeed(member);
    const pairs: LabelledPair[] = [];
    for (const source of sources) {
      const set = source.build({ split: 'train', edits: options.edits, seed, wordingFold });
      pairs.push(...(await trainingPairs(set.edits, set.queries)));
    }
    // Another domain's train pairs join every fit; calibration stays on the sources.
    const extraSet = options.extra?.(seed);
    if (extraSet) pairs.push(...(await trainingPairs(extraSet.edits, extraSet.queries)));
    return ScopeClassifier.train(pairs, { ...train, seed: train.seed + member });
  };
  const ensemble = async (wordingFold?: 0): Promise<ScopeClassifier> => {
    const fitted: ScopeClassifier[] = [];
    for (let member = 0; member < members; member++) {
      fitted.push(await fitMember(member, wordingFold));
      options.onMember?.(fitted.length + (wordingFold === undefined ? members : 0), 2 * members);
    }
    return fitted.length === 1 ? fitted[0] : ScopeClassifier.average(fitted, { ...fitted[0].training, members });
  };
  // Thresholds are set on question wordings the classifier has not seen: fitted on half of them, scored on the other half.
  const probe = (await ensemble(0)).withThreshold(0);
  const negatives = { subject: [] as Array<{ score: number; inScope: boolean }>, plain: [] as Array<{ score: number; inScope: boolean }> };
  for (const source of sources) {
    const other = source.build({ split: 'train', edits: options.edits, seed: options.seed + 1, wordingFold: 1 });
    await withFreshDetector(other.edits, probe, async (detector) => {
      // Only what passes on queries with nothing in scope matters to the false-positive rate.
      for (const query of other.queries.filter((q) => q.expect === null)) negatives[source.calibrates].push({ score: (await detector.route(query.text))[0]?.score ?? 0, inScope: false });
    });
  }
  const plainBound = options.maxPlainFalsePositiveRate ?? options.maxFalsePositiveRate;
  const subjectThreshold = negatives.subject.length ? pickThreshold(negatives.subject, options.maxFalsePositiveRate) : undefined;
  const plainThreshold = negatives.plain.length ? pickThreshold(negatives.plain, single ? options.maxFalsePositiveRate : plainBound) : undefined;
  const threshold = subjectThreshold ?? plainThreshold!;
  const note = {
    calibratedOn: 'held-out train wordings',
    sources: sources.map((s) => `${s.name} (${s.calibrates})`),
    maxFalsePositiveRate: options.maxFalsePositiveRate,
    ...(single ? {} : { maxPlainFalsePositiveRate: plainBound }),
    ...(options.extra ? { extra: 'world' } : {}),
  };
  return (await ensemble()).withThreshold(threshold, note, single ? undefined : (plainThreshold ?? threshold));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
