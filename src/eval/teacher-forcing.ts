import type { EditDeltas, LanguageModel } from '../models/language-model';
import type { KedTokenizer } from '../models/tokenizer';

import { tokenizeProbe, type Probe } from '../models/tokenizer/tokenize-probe';

export { tokenizeProbe, type Probe };

/**
 * KnowEdit's token accuracy (survey §4.1, EasyEdit's default): feed prompt + target, take the
 * argmax at each target position, score the fraction right; one score per probe, batched.
 */
export async function tokenAccuracies(model: LanguageModel, tokenizer: KedTokenizer, probes: Probe[], options: { batchSize?: number; deltas?: EditDeltas[] } = {}): Promise<number[]> {
  const batchSize = options.batchSize ?? 32;
  const scores: number[] = [];
  for (let start = 0; start < probes.length; start += batchSize) {
    const chunk = probes.slice(start, start + batchSize).map((p) => tokenizeProbe(tokenizer, p));
    const deltas = options.deltas?.slice(start, start + batchSize);
    for (const result of await model.scoreTargets(chunk, deltas)) scores.push(result.accuracy);
  }
  return scores;
}

/** Mean token accuracy in percent (the survey's unit). */
export async function meanTokenAccuracy(model: LanguageModel, tokenizer: KedTokenizer, probes: Probe[]): Promise<number> {
  if (probes.length === 0) return NaN;
  const scores = await tokenAccuracies(model, tokenizer, probes);
  return (100 * scores.reduce((a, b) => a + b, 0)) / scores.length;
}
