/** How the next token is chosen from the last position's logits. */
export interface SamplingOptions {
  /** Argmax decoding (the default when no temperature is given). */
  greedy?: boolean;
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. */
  topP?: number;
  seed?: number;
  /** OpenAI's penalties: each generated token's logit drops by count × frequencyPenalty + presencePenalty. */
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Added to a token's logit before sampling (OpenAI's `logit_bias`; −100 bans a token). */
  logitBias?: ReadonlyMap<number, number>;
}

/**
 * The logits a sequence samples from: the model's, less the penalties for tokens it already
 * generated (`counts`), plus the logit bias. The same row is returned when nothing changes it.
 */
export function adjustedLogits(logits: Float32Array, options: SamplingOptions, counts: ReadonlyMap<number, number>): Float32Array {
  const presence = options.presencePenalty ?? 0;
  const frequency = options.frequencyPenalty ?? 0;
  const penalised = (presence !== 0 || frequency !== 0) && counts.size > 0;
  if (!penalised && !options.logitBias?.size) return logits;
  const row = logits.slice();
  if (penalised) for (const [token, count] of counts) if (token < row.length) row[token] -= count * frequency + presence;
  for (const [token, bias] of options.logitBias ?? []) if (token < row.length) row[token] += bias;
  return row;
}

/** A token's log-probability and the most likely alternatives at its step. */
export interface TokenLogprob {
  logprob: number;
  /** The `k` most probable tokens at this step, most probable first. */
  top: Array<{ token: number; logprob: number }>;
}

/** log softmax of `row` at `token`, with the `k` most probable tokens (one pass for the normaliser). */
export function tokenLogprob(row: Float32Array, token: number, k: number): TokenLogprob {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const norm = max + Math.log(sum);
  const top: Array<{ token: number; logprob: number }> = [];
  if (k > 0) {
    // A running top-k by insertion: k is at most 20, the vocabulary is large.
    for (let i = 0; i < row.length; i++) {
      if (top.length === k && row[i] <= top[k - 1].logprob) continue;
      let at = top.length;
      while (at > 0 && top[at - 1].logprob < row[i]) at--;
      top.splice(at, 0, { token: i, logprob: row[i] });
      if (top.length > k) top.pop();
    }
    for (const t of top) t.logprob -= norm;
  }
  return { logprob: row[token] - norm, top };
}

/**
 * The next token: the argmax, or a draw from softmax(logits / temperature) restricted to the
 * nucleus (the most probable tokens whose mass reaches topP). Without a nucleus (topP >= 1) the
 * draw walks the vocabulary in order, with no sort and no allocation beyond one array.
 */
export function sampleToken(logits: Float32Array, options: SamplingOptions, random: () => number): number {
  const temperature = options.temperature ?? 0;
  if (options.greedy || temperature <= 0) return argmax(logits);
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += weights[i] = Math.exp((logits[i] - max) / temperature);
  const topP = options.topP ?? 1;
  if (topP >= 1) return draw(weights, total, random, (k) => k);
  // The nucleus: tokens by falling probability until their mass reaches topP.
  const order = Uint32Array.from(weights.keys()).sort((a, b) => weights[b] - weights[a]);
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < topP * total)) mass += weights[order[kept++]];
  return draw(weights, mass, random, (k) => order[k], kept);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** A draw proportional to `weights[tokenAt(k)]` over k < count, whose weights sum to `mass`. */
function draw(weights: Float64Array, mass: number, random: () => number, tokenAt: (k: number) => number, count = weights.length): number {
  let r = random() * mass;
  for (let k = 0; k < count; k++) {
    r -= weights[tokenAt(k)];
    if (r <= 0) return tokenAt(k);
  }
  return tokenAt(count - 1);
}
