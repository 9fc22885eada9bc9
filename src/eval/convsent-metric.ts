/**
 * ConvSent's metrics (survey §4.1, after SERAC, Mitchell et al. 2022) on already-computed outputs:
 * Edit Succ. = z_sentiment · z_topic of each generated answer, and Locality = the KL divergence
 * KL(f_θ(·|x) ‖ f_θ'(·|x)) between the unedited and the edited model's next-token distributions
 * on other topics' prompts (lower is better). The model passes are in measure-convsent.ts.
 */

/** Lower-case words of a text, for matching a topic by whole words. */
const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * z_topic: the answer is about the topic, read as "names it": the answer contains one of its
 * names (the topic or an alias) as whole words, case-insensitively.
 */
export function onTopic(answer: string, names: readonly string[]): boolean {
  const said = ` ${words(answer).join(' ')} `;
  return names.some((name) => {
    const wanted = words(name).join(' ');
    return wanted.length > 0 && said.includes(` ${wanted} `);
  });
}

/** z_sentiment · z_topic for one generated answer (1 or 0). */
export function convsentSuccess(judged: string, target: string, topical: boolean): number {
  return judged === target && topical ? 1 : 0;
}

/** Log-softmax of a row of logits (float64 sums, so tiny probabilities keep their logs). */
export function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i] - logZ;
  return out;
}

/** KL(p ‖ q) in nats for two distributions given as log-probabilities over the same vocabulary. */
export function klDivergence(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  if (logP.length !== logQ.length) throw new Error(`klDivergence: vocabularies of ${logP.length} and ${logQ.length}`);
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) kl += p * (logP[i] - logQ[i]);
  }
  return Math.max(0, kl);
}

/** The mean KL over a probe's positions (each position: the unedited model's distribution against the edited one's). */
export function meanPositionKl(pre: readonly ArrayLike<number>[], post: readonly ArrayLike<number>[]): number {
  if (pre.length !== post.length || pre.length === 0) throw new Error(`meanPositionKl: ${pre.length} positions before the edit, ${post.length} after`);
  return pre.reduce((sum, p, i) => sum + klDivergence(p, post[i]), 0) / pre.length;
}
