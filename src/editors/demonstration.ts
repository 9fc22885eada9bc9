/**
 * One IKE demonstration built from a train-split record: a new fact, then a query and the
 * answer the model should give under it. `copy` asks the fact's own prompt, `update` a
 * paraphrase (both answered with the new target), `retain` an unrelated prompt (answered with
 * its unchanged answer), as in Zheng et al. (2023).
 */
export interface Demonstration {
  kind: 'copy' | 'update' | 'retain';
  factPrompt: string;
  factTarget: string;
  query: string;
  answer: string;
}

/** Lower-case word set, for the similarity that picks a request's nearest demonstrations. */
export function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** Jaccard similarity of two word sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}
