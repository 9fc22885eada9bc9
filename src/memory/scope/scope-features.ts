import { fnv1a, STOPWORDS, type ScopeText } from './scope-text';
import { WordConcepts } from './word-concepts';

/** Sparse features of one (edit, query) pair: hashed slot → value. */
export type PairFeatures = Map<number, number>;

export const FEATURE_SLOTS = 1 << 18;

/** Dense features live in the first slots; hashed word pairs fill the rest. */
const DENSE = {
  bias: 0,
  stemOverlap: 1,
  trigramCosine: 2,
  conceptOverlap: 3,
  anyConcept: 4,
  namesFirstEntity: 5,
  namesLaterEntity: 6,
} as const;
const DENSE_SLOTS = 16;

/** An edit as the detector keeps it: its text read once, with the subject when it is known. */
export interface ScopeKey {
  text: ScopeText;
  /** Lower-cased subject strings; when empty, every entity span of the text stands in. */
  subjects: string[];
}

/**
 * Stage 2 reads a pair only when the query names the edit's subject (`subjectMentioned`); the
 * features then say whether the query asks what the edit says: stem overlap, character
 * trigrams, shared WordNet concepts (synonyms, hypernyms, derived forms: "wife" and "spouse",
 * "founder" and "founded"), and learned word-pair weights between the edit's stems and the
 * query's, which carry paraphrases such as "runs" and "CEO" that no lexicon links.
 */
export function pairFeatures(key: ScopeKey, query: ScopeText): PairFeatures {
  const features: PairFeatures = new Map();
  features.set(DENSE.bias, 1);
  const subjects = subjectsOf(key);
  const editStems = relationStems(key.text.stems, subjects);
  const queryStems = relationStems(query.stems, subjects);
  const overlap = queryStems.length ? queryStems.filter((s) => editStems.includes(s)).length / queryStems.length : 0;
  features.set(DENSE.stemOverlap, overlap);
  features.set(DENSE.trigramCosine, trigramCosine(editStems.join(' '), queryStems.join(' ')));
  const concepts = WordConcepts.load();
  const editConcepts = new Set(contentWords(key.text.words, subjects).flatMap((w) => concepts.of(w)));
  const queryWords = contentWords(query.words, subjects);
  const sharing = queryWords.filter((w) => concepts.of(w).some((c) => editConcepts.has(c))).length;
  features.set(DENSE.conceptOverlap, queryWords.length ? sharing / queryWords.length : 0);
  features.set(DENSE.anyConcept, sharing > 0 ? 1 : 0);
  roleFeatures(features, key, query, editStems);
  if (editStems.length && queryStems.length) {
    const scale = 1 / Math.sqrt(editStems.length * queryStems.length);
    for (const e of new Set(editStems)) {
      for (const q of new Set(queryStems)) {
        const slot = DENSE_SLOTS + (fnv1a(`${e}|${q}`) % (FEATURE_SLOTS - DENSE_SLOTS));
        features.set(slot, (features.get(slot) ?? 0) + scale);
      }
    }
  }
  return features;
}

/**
 * When the edit's subject is not known, every entity of its statement stands in, the object's
 * too ("Jane Doe is now the chief executive of Acme"): which of them the query names (the
 * statement's first entity or a later one), crossed with the edit's stems, lets the classifier
 * learn which side of each wording is the subject ("Which group does Acme belong to?" does not
 * ask about "Northwind is now a subsidiary of Acme").
 */
function roleFeatures(features: PairFeatures, key: ScopeKey, query: ScopeText, editStems: readonly string[]): void {
  if (key.subjects.length || key.text.entities.length < 2) return;
  const named = ` ${query.entities.join(' | ')} `;
  const index = key.text.entities.findIndex((e) => named.includes(` ${e} `));
  if (index < 0) return;
  const role = index === 0 ? 'first' : 'later';
  features.set(index === 0 ? DENSE.namesFirstEntity : DENSE.namesLaterEntity, 1);
  const scale = 1 / Math.sqrt(Math.max(1, editStems.length));
  for (const stem of new Set(editStems)) {
    const slot = DENSE_SLOTS + (fnv1a(`role:${role}|${stem}`) % (FEATURE_SLOTS - DENSE_SLOTS));
    features.set(slot, (features.get(slot) ?? 0) + scale);
  }
}

export function subjectsOf(key: ScopeKey): string[] {
  return key.subjects.length ? key.subjects : key.text.entities;
}

/** Whether the query names one of the edit's subjects in full, on word boundaries. */
export function subjectMentioned(key: ScopeKey, queryText: string): boolean {
  const lowerQuery = ` ${normaliseMention(queryText)} `;
  return subjectsOf(key).some((s) => lowerQuery.includes(` ${normaliseMention(s)} `));
}

/** Lower case, every run of non-letters and non-digits one space: how mentions are compared. */
export function normaliseMention(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function contentWords(words: readonly string[], subjects: readonly string[]): string[] {
  return words.filter((w) => !STOPWORDS.has(w) && !subjects.some((s) => s.split(' ').includes(w)));
}

/** The words about the subject: stems outside the subject's own words. */
function relationStems(stems: readonly string[], subjects: readonly string[]): string[] {
  return stems.filter((s) => !subjects.some((subject) => subject.includes(s)));
}

function trigrams(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const padded = ` ${text} `;
  for (let i = 0; i + 3 <= padded.length; i++) {
    const gram = padded.slice(i, i + 3);
    out.set(gram, (out.get(gram) ?? 0) + 1);
  }
  return out;
}

export function trigramCosine(a: string, b: string): number {
  if (!a || !b) return 0;
  const x = trigrams(a);
  const y = trigrams(b);
  let dot = 0;
  for (const [gram, n] of x) dot += n * (y.get(gram) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0));
  return dot / (norm(x) * norm(y));
}
