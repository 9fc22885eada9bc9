import { fnv1a, type ScopeText } from './scope-text';

export const RETRIEVAL_DIMENSIONS = 256;

/**
 * Stage 1's vector: hashed entity tokens and entity character trigrams (what the text is
 * about), plus its relation stems at a lower weight, L2-normalised. Cosine nearness finds the
 * edits about the same (or a similarly spelled) subject; stage 2 decides.
 */
export function retrievalVector(text: ScopeText, subjects: readonly string[] = []): Float32Array {
  const vector = new Float32Array(RETRIEVAL_DIMENSIONS);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    vector[hash % RETRIEVAL_DIMENSIONS] += hash & 0x80000000 ? -weight : weight;
  };
  const entities = subjects.length ? subjects : text.entities;
  for (const entity of entities) {
    for (const token of entity.split(/\s+/)) add(`t:${token}`, 2);
    const padded = ` ${entity} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`c:${padded.slice(i, i + 3)}`, 0.5);
  }
  // Lower-case mentions: every word may name an entity, so words count as entity tokens too.
  for (const word of text.words) add(`t:${word}`, 0.5);
  for (const stem of text.stems) add(`s:${stem}`, 0.25);
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}
