import stem from 'wink-porter2-stemmer';
import { fnv1a, STOPWORDS, type ScopeText } from './scope-text';
import { headMatches, objectTypes, questionType, typeAgreement, wordingTypes, type AnswerType, type QuestionType } from './answer-type';
import { WordConcepts } from './word-concepts';
import { WordVectors } from './word-vectors';

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
  objectTypeMatch: 7,
  objectTypeClash: 8,
  wordingTypeMatch: 9,
  wordingTypeClash: 10,
  headMatch: 11,
  headMiss: 12,
  editStemCoverage: 13,
  editConceptCoverage: 14,
  glossOverlap: 15,
  anyGloss: 16,
  /** 36 slots from here: question type × object type (each of five types or none). */
  typeCross: 20,
  /** 6 slots from here: lexical evidence (any shared stem, concept, definition word or head noun) or none × the object's type agreeing, clashing or saying nothing. */
  lexicalByType: 56,
  /** A query word is a word of the object's name ("record label?" and "Blue Harbor Records"). */
  queryWordInObject: 62,
  /** Word vectors: the mean over the query's words about the subject of their best cosine with the edit's, and the other way round. */
  vectorAlign: 64,
  vectorAlignBack: 65,
  /** The best cosine of any query word with any edit word. */
  vectorBest: 66,
  /** The best cosine of a query word with a word of the edit's object ("pitch?" and "goalkeeper"). */
  vectorObject: 67,
  /** 6 slots from here: vectorAlign in bins. */
  vectorAlignBins: 68,
  /** 6 slots from here: vectorBest in bins. */
  vectorBestBins: 74,
  /** 4 slots from here: the question's "which N" noun against the object and the edit's words, in bins. */
  headVectorBins: 80,
  /** 9 slots from here: how close the words are (far, near, close) × the object's type agreeing, clashing or saying nothing. */
  vectorByType: 84,
  /** Query words with no vector (rare or misspelt words), as a share. */
  vectorUnknown: 93,
  /** A "what kind of …" question against an object that is a name ("Goko Food Company"), or a common noun ("farmer"). */
  kindOfName: 94,
  kindOfCommon: 95,
  /**
   * 100 slots from here: the query's mean word vector times the edit's, component by component,
   * so that the weights learn which directions of the vector space tell relations apart (a
   * diagonal bilinear similarity, shared by every relation).
   */
  vectorProduct: 128,
  /** 100 slots from here: the same for the query's words and the object's (which questions an object's kind answers). */
  objectProduct: 228,
} as const;
/** Slots below this are relation-independent; hashed word pairs fill the rest. */
export const DENSE_SLOTS = 384;
const TYPE_INDEX: Record<string, number> = { none: 0, person: 1, place: 2, time: 3, quantity: 4, org: 5 };

/** An edit as the detector keeps it: its text read once, with the subject when it is known. */
export interface ScopeKey {
  text: ScopeText;
  /** Lower-cased subject strings; when empty, every entity span of the text stands in. */
  subjects: string[];
  /** The new object the statement ends with, when known. */
  object?: string;
}

/**
 * Stage 2 reads a pair only when the query names the edit's subject (`subjectMentioned`); the
 * features then say whether the query asks what the edit says. Relation-independent ones
 * (slots under DENSE_SLOTS), which carry over to relations no training saw: stem overlap both
 * ways, character trigrams, shared WordNet concepts (synonyms, hypernyms, derived forms, phrasal
 * verbs: "wife" and "spouse", "founder" and "founded", "passed away" and "died"), words of each
 * other's WordNet definitions, and answer types (the question word against the object's type).
 * Then learned word-pair weights between the edit's stems and the query's, which carry
 * paraphrases such as "runs" and "CEO" that no lexicon links.
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
  const editConcepts = new Set(conceptWords(key.text.words, subjects, concepts).flatMap((w) => concepts.of(w)));
  const queryWords = conceptWords(query.words, subjects, concepts);
  const sharing = queryWords.filter((w) => concepts.of(w).some((c) => editConcepts.has(c))).length;
  features.set(DENSE.conceptOverlap, queryWords.length ? sharing / queryWords.length : 0);
  features.set(DENSE.anyConcept, sharing > 0 ? 1 : 0);
  // The other way round: how much of what the edit says about its subject the query takes up.
  const editWords = contentWords(key.text.words, subjects);
  const queryConcepts = new Set(queryWords.flatMap((w) => concepts.of(w)));
  if (editStems.length) features.set(DENSE.editStemCoverage, editStems.filter((s) => queryStems.includes(s)).length / editStems.length);
  if (editWords.length) features.set(DENSE.editConceptCoverage, editWords.filter((w) => concepts.of(w).some((c) => queryConcepts.has(c))).length / editWords.length);
  // Definitions: a query word in the definition of an edit word, or the other way round.
  const editGloss = glossStems(editWords, concepts);
  const queryGloss = glossStems(queryWords, concepts);
  const glossHits = queryStems.filter((q) => editGloss.has(q)).length + editStems.filter((e) => queryGloss.has(e)).length;
  const glossSpan = queryStems.length + editStems.length;
  if (glossSpan) features.set(DENSE.glossOverlap, glossHits / glossSpan);
  if (glossHits) features.set(DENSE.anyGloss, 1);
  roleFeatures(features, key, query, editStems);
  const { agreement, objectText, head } = answerTypeFeatures(features, key, query, subjects);
  vectorFeatures(features, editWords, queryWords, objectText, head, agreement);
  // The answer's type fits many relations of a subject; it counts differently with and without any word in common.
  const lexical = overlap > 0 || sharing > 0 || (features.get(DENSE.anyGloss) ?? 0) > 0 || features.has(DENSE.headMatch) ? 1 : 0;
  features.set(DENSE.lexicalByType + lexical * 3 + agreement + 1, 1);
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

/** What an edit says about its object's type, read once per edit. */
interface KeyTypes {
  /** The object's types (from the object string), when the object is known. */
  object?: Set<AnswerType>;
  /** The types the statement's wording gives the object ("the mayor of …", "… by Y"). */
  wording: Set<AnswerType>;
  /** The statement's content words (for "which N" questions whose N the statement names). */
  words: string[];
}
const keyTypes = new WeakMap<ScopeKey, KeyTypes>();
const queryTypes = new WeakMap<ScopeText, QuestionType>();
const objectTypeCache = new Map<string, Set<AnswerType>>();

function objectTypesOf(object: string, definite = false): Set<AnswerType> {
  const key = `${definite ? 'the ' : ''}${object}`;
  let types = objectTypeCache.get(key);
  if (!types) {
    if (objectTypeCache.size > 50_000) objectTypeCache.clear();
    objectTypeCache.set(key, (types = objectTypes(object, definite)));
  }
  return types;
}

/** Whether the statement names the object with "the" ("… is listed on the Tokyo Stock Exchange"). */
function definiteIn(key: ScopeKey, object: string): boolean {
  return ` ${normaliseMention(key.text.raw ?? '')} `.includes(` the ${normaliseMention(object)} `);
}

function typesOfKey(key: ScopeKey, subjects: readonly string[]): KeyTypes {
  let types = keyTypes.get(key);
  if (types) return types;
  const objectWords = key.object ? normaliseMention(key.object).split(' ') : [];
  const words = contentWords(key.text.words, subjects).filter((w) => !objectWords.includes(w));
  // The word before the object: "… by Y" is an agent.
  const all = key.text.words;
  const before = key.object ? all[all.length - 1] : undefined;
  types = { object: key.object ? objectTypesOf(key.object, definiteIn(key, key.object)) : undefined, wording: wordingTypes(words, before), words };
  keyTypes.set(key, types);
  return types;
}

/**
 * Whether the question's answer type (its question word, or the noun after "which"/"what")
 * fits the edit's object: the object's own type when it is known, or else, for a statement
 * without a known subject, the type of the entity the query does not name (the other side of
 * the statement); and the type the statement's wording gives the object. Crossed coarse
 * types (question type × object type) are learned, and they are the same for every relation.
 */
function answerTypeFeatures(features: PairFeatures, key: ScopeKey, query: ScopeText, subjects: readonly string[]): { agreement: number; objectText?: string; head?: string } {
  let asked = queryTypes.get(query);
  if (!asked) queryTypes.set(query, (asked = questionType(query.words.join(' '), query.question === true)));
  const types = typesOfKey(key, subjects);
  let object = types.object;
  let objectText = key.object;
  if (!key.subjects.length && key.text.entities.length > 1) {
    // Plain statement: the side the query does not name is the object.
    const named = ` ${query.entities.join(' | ')} `;
    const other = key.text.entities.filter((e) => !named.includes(` ${e} `));
    objectText = other[other.length - 1];
    object = objectText ? objectTypesOf(objectText, definiteIn(key, objectText)) : undefined;
  }
  const byObject = object ? typeAgreement(asked.types, object) : 0;
  const byWording = typeAgreement(asked.types, types.wording);
  if (byObject > 0) features.set(DENSE.objectTypeMatch, 1);
  if (byObject < 0) features.set(DENSE.objectTypeClash, 1);
  if (byWording > 0) features.set(DENSE.wordingTypeMatch, 1);
  if (byWording < 0) features.set(DENSE.wordingTypeClash, 1);
  if (asked.head) features.set(headMatches(asked.head, objectText ?? '', types.words) ? DENSE.headMatch : DENSE.headMiss, 1);
  // "What kind of work does X do?" asks for a class, which a name does not answer.
  if (asked.asksKind && objectText) features.set(isName(objectText) ? DENSE.kindOfName : DENSE.kindOfCommon, 1);
  if (objectText) {
    const objectStems = new Set(normaliseMention(objectText).split(' ').map((w) => stem(w)));
    if (query.stems.some((q) => objectStems.has(q))) features.set(DENSE.queryWordInObject, 1);
  }
  const objectSet = object?.size ? [...object] : ['none'];
  const askedSet = asked.types.size ? [...asked.types] : ['none'];
  for (const q of askedSet) {
    for (const o of objectSet) {
      const slot = DENSE.typeCross + TYPE_INDEX[q] * 6 + TYPE_INDEX[o];
      features.set(slot, (features.get(slot) ?? 0) + 1 / Math.sqrt(askedSet.length * objectSet.length));
    }
  }
  return { agreement: byObject !== 0 ? byObject : byWording, objectText, head: asked.head };
}

/** Every word capitalised, none a number: a name, not a common noun. */
function isName(text: string): boolean {
  const tokens = text.trim().split(/\s+/).filter((t) => !['of', 'the', 'and', 'de', 'la', 'von', 'van'].includes(t));
  return tokens.length > 0 && tokens.every((t) => /^\p{Lu}/u.test(t));
}

/** Words a question is phrased with, whatever it asks: they say nothing about the relation. */
const QUESTION_PHRASING = new Set(
  'what which who whom whose where when why how tell know knows could would can please wondering wonder curious like want wanted name give me us anyone someone happen happened happens exactly ever'.split(' '),
);

const bin = (x: number, edges: readonly number[]) => edges.filter((e) => x >= e).length;
const ALIGN_EDGES = [0.2, 0.35, 0.5, 0.65, 0.8];
const HEAD_EDGES = [0.3, 0.45, 0.6];

/**
 * Pretrained word vectors compare what the query asks with what the edit says, for word pairs
 * that share no stem, WordNet concept or definition ("What sector …" and "… moved into mining").
 * They do not depend on the relation having been seen. The query's phrasing words and the
 * subject's and object's own words are left out; the object is compared on its own.
 */
function vectorFeatures(features: PairFeatures, editWords: readonly string[], queryWords: readonly string[], objectText: string | undefined, head: string | undefined, agreement: number): void {
  const vectors = WordVectors.load();
  const objectWords = objectText ? normaliseMention(objectText).split(' ').filter((w) => !STOPWORDS.has(w)) : [];
  const asked = [...new Set(queryWords.filter((w) => !QUESTION_PHRASING.has(w) && !w.includes('_')))];
  const said = [...new Set(editWords.filter((w) => !objectWords.includes(w)))];
  const known = asked.filter((w) => vectors.has(w));
  const knownSaid = said.filter((w) => vectors.has(w));
  if (asked.length) features.set(DENSE.vectorUnknown, 1 - known.length / asked.length);
  let best = 0;
  let alignSum = 0;
  const backBest = new Array<number>(knownSaid.length).fill(0);
  for (const q of known) {
    let row = 0;
    knownSaid.forEach((e, j) => {
      const c = Math.max(0, vectors.cosine(q, e) ?? 0);
      row = Math.max(row, c);
      backBest[j] = Math.max(backBest[j], c);
    });
    alignSum += row;
    best = Math.max(best, row);
  }
  const align = known.length ? alignSum / known.length : 0;
  if (known.length && knownSaid.length) {
    features.set(DENSE.vectorAlign, align);
    features.set(DENSE.vectorAlignBack, backBest.reduce((s, c) => s + c, 0) / backBest.length);
    features.set(DENSE.vectorBest, best);
    features.set(DENSE.vectorAlignBins + bin(align, ALIGN_EDGES), 1);
    features.set(DENSE.vectorBestBins + bin(best, ALIGN_EDGES), 1);
  }
  let objectBest = 0;
  for (const q of known) for (const o of objectWords) objectBest = Math.max(objectBest, vectors.cosine(q, o) ?? 0);
  if (objectBest > 0) features.set(DENSE.vectorObject, objectBest);
  if (head && vectors.has(head)) {
    let headBest = 0;
    for (const w of [...objectWords, ...knownSaid]) headBest = Math.max(headBest, vectors.cosine(head, w) ?? 0);
    features.set(DENSE.headVectorBins + bin(headBest, HEAD_EDGES), 1);
  }
  const queryMean = vectors.mean(known);
  const editMean = vectors.mean(knownSaid);
  const objectMean = vectors.mean(objectWords);
  const scale = Math.sqrt(vectors.header.dimensions);
  if (queryMean && editMean) queryMean.forEach((q, i) => features.set(DENSE.vectorProduct + i, q * editMean[i] * scale));
  if (queryMean && objectMean) queryMean.forEach((q, i) => features.set(DENSE.objectProduct + i, q * objectMean[i] * scale));
  const level = best >= 0.55 ? 2 : best >= 0.35 ? 1 : 0;
  features.set(DENSE.vectorByType + level * 3 + agreement + 1, 1);
}

/**
 * The edit's subjects, or for a statement without a known subject its entity spans that could
 * be one: numbers ("… is 2", "… costs $499") are values, not subjects, and a common word
 * capitalised only because it opens the statement ("Traffic in …") is no name.
 */
export function subjectsOf(key: ScopeKey): string[] {
  if (key.subjects.length) return key.subjects;
  const named = key.text.entities.filter((e) => /\p{L}/u.test(e) && e !== key.text.commonOpening);
  return named.length ? named : key.text.entities;
}

/**
 * Whether the query names one of the edit's subjects in full, on word boundaries. A statement
 * without a known subject offers its capitalised words as subjects, and some are common words
 * ("State" in "Secretary of State", "Work" in a quoted motto): the query names such a word only
 * where it capitalises it too, unless it is written in lower case throughout.
 */
export function subjectMentioned(key: ScopeKey, queryText: string): boolean {
  const lowerQuery = ` ${normaliseMention(queryText)} `;
  const inferred = key.subjects.length === 0;
  return subjectsOf(key).some((s) => {
    const mention = normaliseMention(s);
    if (!lowerQuery.includes(` ${mention} `)) return false;
    // The WordNet lookup last: most queries capitalise the name they use, or nothing at all.
    return !inferred || mention.includes(' ') || capitalisedIn(queryText, mention) || !WordConcepts.load().isCommonWord(mention);
  });
}

/** Whether the query writes this one-word mention capitalised, or has no capitals at all. */
function capitalisedIn(queryText: string, word: string): boolean {
  if (!/\p{Lu}/u.test(queryText)) return true;
  return queryText.split(/[^\p{L}\p{N}]+/u).some((token) => token.toLowerCase() === word && /^\p{Lu}/u.test(token));
}

/** Lower case, every run of non-letters and non-digits one space: how mentions are compared. */
export function normaliseMention(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const glossCache = new Map<string, string[]>();

/** Porter2 stems of the definition words of these words (stopwords left out). */
function glossStems(words: readonly string[], concepts: WordConcepts): Set<string> {
  const out = new Set<string>();
  for (const word of words) {
    let stems = glossCache.get(word);
    if (!stems) {
      stems = concepts.glossWords(word).filter((w) => !STOPWORDS.has(w) && w.length > 2).map((w) => stem(w));
      if (glossCache.size > 100_000) glossCache.clear();
      glossCache.set(word, stems);
    }
    for (const s of stems) out.add(s);
  }
  return out;
}

/** Content words, with the phrasal verbs and compounds adjacent words make ("passed away" → pass_away). */
function conceptWords(words: readonly string[], subjects: readonly string[], concepts: WordConcepts): string[] {
  const out = contentWords(words, subjects);
  for (let i = 0; i + 1 < words.length; i++) {
    if (STOPWORDS.has(words[i])) continue;
    const compound = concepts.compound(words[i], words[i + 1]);
    if (compound) out.push(compound);
  }
  return out;
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
