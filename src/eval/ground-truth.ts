/**
 * KnowEdit answers: `ground_truth` is a string, a list of strings, or a list of alias lists, and
 * any alias counts as correct (KNOWEDIT.md). Everything downstream sees one flat alias list.
 */
export type GroundTruth = string | string[] | string[][];

/** The distinct aliases of an answer, in order of first appearance (the canonical one first). */
export function answerAliases(groundTruth: GroundTruth): string[] {
  const flat = typeof groundTruth === 'string' ? [groundTruth] : groundTruth.flatMap((entry) => (typeof entry === 'string' ? [entry] : entry));
  return [...new Set(flat)];
}

/** The best score over an answer's aliases ("any alias counts"); NaN without aliases. */
export function bestOverAliases(scores: readonly number[]): number {
  return scores.length === 0 ? NaN : Math.max(...scores);
}
