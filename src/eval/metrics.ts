/**
 * The survey's metrics on already-computed model outputs (§3.5, §4.1; KNOWEDIT.md). The model
 * passes that produce those outputs live in measure-cases.ts; these functions only count.
 */

/** KnowEdit token accuracy: the fraction of target positions whose teacher-forced argmax is the target token. */
export function tokenAccuracy(argmax: readonly number[], target: readonly number[]): number {
  if (argmax.length !== target.length || target.length === 0) throw new Error(`tokenAccuracy: ${argmax.length} predictions for ${target.length} target tokens`);
  return argmax.filter((t, i) => t === target[i]).length / target.length;
}

/**
 * Locality: the fraction of the pre-edit model's argmax tokens the post-edit model still predicts
 * (both teacher-forced on the same prompt + ground-truth tokens), not accuracy against a label.
 */
export function argmaxAgreement(preEdit: readonly number[], postEdit: readonly number[]): number {
  return tokenAccuracy(postEdit, preEdit);
}

/** The mean, or NaN for an empty list (a metric with no probes is reported as missing, not 0). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean of the non-NaN values (e.g. per-group scores where some groups are empty). */
export function meanOfPresent(values: readonly number[]): number {
  return mean(values.filter((v) => !Number.isNaN(v)));
}

/**
 * Words and punctuation, close to nltk.word_tokenize (which ROME's fluency uses): punctuation
 * marks are tokens of their own and "n't" / "'s" split off their word.
 */
export function wordTokenize(text: string): string[] {
  const split = text.replace(/n't\b/gi, " n't").replace(/'(s|re|ve|ll|d|m)\b/gi, " '$1");
  return split.match(/n't|'(?:s|re|ve|ll|d|m)\b|[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/giu) ?? [];
}

/** Shannon entropy (bits) of the n-gram frequency distribution of `tokens`; 0 when there are none. */
export function nGramEntropyOf(tokens: readonly string[], n: number): number {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = Math.max(0, tokens.length - n + 1);
  let entropy = 0;
  for (const c of counts.values()) entropy -= (c / total) * Math.log2(c / total);
  return entropy;
}

/**
 * ROME's fluency (Meng et al. 2022, `compute_n_gram_entropy`): the arithmetic mean of the bigram
 * and trigram entropies (log base 2) weighted 2/3 and 4/3, i.e. (H2 + 2·H3) / 3. Lower means
 * more repetition.
 */
export function nGramEntropy(text: string): number {
  const tokens = wordTokenize(text);
  const weighted = [nGramEntropyOf(tokens, 2) * (2 / 3), nGramEntropyOf(tokens, 3) * (4 / 3)];
  return mean(weighted);
}

/** Perplexity from per-token log-probabilities (natural log), pooled over all tokens of all texts. */
export function perplexity(logprobs: readonly number[]): number {
  return logprobs.length === 0 ? NaN : Math.exp(-mean(logprobs));
}

/** Scores per group, leaving out empty groups (a group with no probes says nothing). */
export function byGroup<T>(groups: Record<string, readonly T[]>, score: (group: string, probes: readonly T[]) => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, probes] of Object.entries(groups)) if (probes.length) out[group] = score(group, probes);
  return out;
}

/** A metric with no probes (NaN) as null, for results and reports. */
export const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Rounded for reports (NaN and infinities pass through). */
export function round(x: number, digits: number): number {
  return Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;
}
