import type { ScopeClassifier } from '../../memory/scope/scope-classifier';
import type { RouteOptions } from '../../memory/scope/scope-detector';
import type { RouteEdit, RouteQuery } from './english-set';
import { withFreshDetector } from './route-eval';

/** Recall@1 when the threshold is set so that a given share of the nothing-in-scope queries fire. */
export interface RecallAtFalsePositives {
  /** The false-positive rate asked for (percent). */
  targetFalsePositiveRate: number;
  /** The threshold that gives it on these queries. */
  threshold: number;
  falsePositiveRate: number;
  recallAt1: number;
  /** Recall@1 at that threshold over the seen and the held-out relations' questions, when queries name them. */
  seenRecallAt1?: number;
  heldOutRecallAt1?: number;
}

/** One query's best match with every threshold at 0. */
export interface TopMatch {
  query: RouteQuery;
  id: string | null;
  score: number;
}

/** Routes every query with every threshold at 0 and keeps its best match. */
export async function topMatches(edits: readonly RouteEdit[], queries: readonly RouteQuery[], classifier: ScopeClassifier, options: RouteOptions = {}, onProgress?: (done: number) => void): Promise<TopMatch[]> {
  return withFreshDetector(edits, classifier.withThreshold(0, {}, 0), async (detector) => {
    const out: TopMatch[] = [];
    for (const [i, query] of queries.entries()) {
      const best = (await detector.route(query.text, options))[0];
      out.push({ query, id: best?.id ?? null, score: best?.score ?? 0 });
      onProgress?.(i + 1);
    }
    return out;
  });
}

/**
 * Recall@1 at each false-positive rate (fractions, 0-1): the threshold is the lowest that lets at
 * most that share of the negatives fire. Two classifiers calibrated on different data land at
 * different points of their curves; this compares them at the same point.
 */
export function recallAtFalsePositiveRates(matches: readonly TopMatch[], rates: readonly number[]): RecallAtFalsePositives[] {
  const negatives = matches.filter((m) => m.query.expect === null).map((m) => m.score).sort((a, b) => b - a);
  const positives = matches.filter((m) => m.query.expect !== null);
  if (!negatives.length || !positives.length) throw new Error('recall at a false-positive rate needs both positive and negative queries');
  return rates.map((rate) => {
    if (!(rate >= 0 && rate <= 1)) throw new Error(`a false-positive rate is a fraction from 0 to 1 (got ${rate})`);
    const allowed = Math.floor(negatives.length * rate);
    // Scores at or over the threshold fire: just over the first negative that must not.
    const threshold = allowed < negatives.length ? negatives[allowed] + 1e-9 : 0;
    const fired = negatives.filter((s) => s > 0 && s >= threshold).length;
    const recall = (group: readonly TopMatch[]) => (group.length ? round((100 * group.filter((m) => m.id === m.query.expect && m.score >= threshold && m.score > 0).length) / group.length) : undefined);
    const seen = positives.filter((m) => m.query.relation !== undefined && m.query.heldOut !== true);
    const heldOut = positives.filter((m) => m.query.heldOut === true);
    return {
      targetFalsePositiveRate: round(100 * rate),
      // Rounded up, so that the printed threshold does not let the last excluded negative fire.
      threshold: Math.ceil(threshold * 10_000) / 10_000,
      falsePositiveRate: round((100 * fired) / negatives.length),
      recallAt1: recall(positives)!,
      ...(seen.length ? { seenRecallAt1: recall(seen) } : {}),
      ...(heldOut.length ? { heldOutRecallAt1: recall(heldOut) } : {}),
    };
  });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
