/** How the next token is chosen from the last position's logits. */
export interface SamplingOptions {
  /** Argmax decoding (the default when no temperature is given). */
  greedy?: boolean;
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. */
  topP?: number;
  seed?: number;
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
