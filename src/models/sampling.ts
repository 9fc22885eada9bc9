/** How the next token is chosen from the last position's logits. */
export interface SamplingOptions {
  /** Argmax decoding (the default when no temperature is given). */
  greedy?: boolean;
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. */
  topP?: number;
  seed?: number;
}

export function sampleToken(logits: Float32Array, options: SamplingOptions, random: () => number): number {
  const temperature = options.temperature ?? 0;
  if (options.greedy || temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const probs = Array.from(logits, (v, i) => ({ i, p: Math.exp((v - max) / temperature) }));
  const total = probs.reduce((s, x) => s + x.p, 0);
  probs.sort((a, b) => b.p - a.p);
  const topP = options.topP ?? 1;
  let kept = 0;
  let mass = 0;
  while (kept < probs.length && (kept === 0 || mass < topP * total)) mass += probs[kept++].p;
  let r = random() * mass;
  for (let k = 0; k < kept; k++) {
    r -= probs[k].p;
    if (r <= 0) return probs[k].i;
  }
  return probs[kept - 1].i;
}
