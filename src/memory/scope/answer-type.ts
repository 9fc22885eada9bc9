import { WordConcepts } from './word-concepts';

/**
 * Coarse answer types: what a question's answer is (its question word, or the noun after
 * "which"/"what") and what an edit's new object is (read from the object string, WordNet and
 * the statement's wording). They do not depend on having seen the relation, so they carry over
 * to relations no training saw: "When was X founded?" does not ask about "X was founded by
 * Maria Lopez", "Which city …?" does not ask about an edit whose object is a year.
 */
export type AnswerType = 'person' | 'place' | 'time' | 'quantity' | 'org';
export const ANSWER_TYPES: readonly AnswerType[] = ['person', 'place', 'time', 'quantity', 'org'];

export interface QuestionType {
  /** The answer types the question word allows; empty when it says nothing (yes/no, "X employer?"). */
  types: Set<AnswerType>;
  /** The noun after "which"/"what" ("city" in "Which city was X born in?"), when there is one. */
  head?: string;
  /** "What kind/sort/type of …?" or a cloze ending in "a"/"an": the answer is a class, a common noun rather than a name. */
  asksKind?: boolean;
}

const MONTHS = 'january february march april may june july august september october november december'.split(' ');
const MONTH = new RegExp(`\\b(${MONTHS.join('|')}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\\b`, 'i');
/** Last words that mark a name as an organisation's. */
const ORG_SUFFIX = new Set(
  'inc corp corporation co ltd llc plc gmbh ag sa group holdings company systems bank motors pharma media airlines airways robotics telecom textiles insurance software shipping logistics foods energy press publishing publishers books records studios studio pictures films entertainment games interactive university college institute school academy party museum gallery fc club united network broadcasting tv radio council foundation agency ministry league association society union'.split(' '),
);
/** First words that make a name a place's ("Lake Geneva", "Mount Kenya"). */
const PLACE_PREFIX = new Set('lake mount mt river cape isle gulf bay sea port fort'.split(' '));
/** How-questions that ask for an amount. */
const HOW_MUCH = new Set('many much tall high long big large old fast far heavy deep wide populous expensive'.split(' '));
/** Words after "what"/"which" that are not the answer's noun. */
const NOT_HEAD = new Set('is are was were does do did has have had will would can could should the a an of kind sort type i you we they he she it s'.split(' '));

let anchors: Array<[AnswerType, string]> | undefined;
function typeAnchors(): Array<[AnswerType, string]> {
  if (anchors) return anchors;
  const wn = WordConcepts.load();
  // Time before quantity: a year is a time period, a day a time unit (a measure).
  const spec: Array<[AnswerType, string, number]> = [
    ['time', 'time_period', 0],
    ['time', 'time_unit', 0],
    ['time', 'date', 0],
    ['time', 'date', 3],
    ['person', 'person', 0],
    ['place', 'location', 0],
    ['place', 'geographic_point', 0],
    ['place', 'structure', 0],
    ['place', 'body_of_water', 0],
    ['place', 'land', 0],
    ['place', 'landmass', 0],
    ['place', 'geological_formation', 0],
    ['org', 'organization', 0],
    ['org', 'social_group', 0],
    ['quantity', 'measure', 1],
    ['quantity', 'magnitude', 0],
    ['quantity', 'number', 0],
    ['quantity', 'amount', 0],
    ['quantity', 'definite_quantity', 0],
  ];
  anchors = spec.flatMap(([type, lemma, sense]) => {
    const id = wn.nounSense(lemma, sense);
    return id ? [[type, id] as [AnswerType, string]] : [];
  });
  return anchors;
}

/** The coarse types of a noun's concepts (a year is a time, a city a place, a composer a person). */
export function nounTypes(noun: string, senses = 1): Set<AnswerType> {
  const ancestors = WordConcepts.load().nounAncestors(noun, senses);
  const out = new Set<AnswerType>();
  for (const [type, id] of typeAnchors()) if (ancestors.has(id)) out.add(type);
  if (out.has('time')) out.delete('quantity');
  return out;
}

/**
 * What the question asks for: who → a person or an organisation (publishers, employers and
 * teams are asked with "who" too); where → a place or an organisation (universities, networks,
 * stock exchanges); when → a time; how many/much/tall/… → an amount; which/what N → N's type.
 * A terse question ("X — record label?", "X — designed by?"; `terse`: the text is a question,
 * not a cloze) asks for its last noun, or for an agent.
 */
export function questionType(query: string, terse = true): QuestionType {
  const words = query.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  const types = new Set<AnswerType>();
  let head: string | undefined;
  for (const [i, word] of words.entries()) {
    if (word === 'who' || word === 'whom' || word === 'whose') add(types, 'person', 'org');
    else if (word === 'where') add(types, 'place', 'org');
    else if (word === 'when') types.add('time');
    else if (word === 'how' && HOW_MUCH.has(words[i + 1] ?? '')) {
      types.add('quantity');
      if (words[i + 1] === 'old') types.add('time'); // an age, or the year it began
    } else if ((word === 'which' || word === 'what') && head === undefined) {
      let j = i + 1;
      while (j < words.length && ['kind', 'sort', 'type', 'of'].includes(words[j]) && words[j + 1] !== undefined && !NOT_HEAD.has(words[j + 1])) j++;
      // The noun phrase's last noun is its head: "which sister city" asks for a city.
      const wn = WordConcepts.load();
      const isNoun = (w: string | undefined, first: boolean) =>
        w !== undefined && !NOT_HEAD.has(w) && /^\p{L}+$/u.test(w) && wn.nounSense(w) !== undefined && (first || !(/(s|ed)$/.test(w) && wn.knowsVerb(w)));
      let end = j;
      while (end < words.length && end - j < 3 && isNoun(words[end], end === j)) end++;
      if (end > j) {
        head = words[end - 1];
        for (const t of nounTypes(head, 2)) types.add(t);
      }
    }
  }
  // "What kind of work …?", or a cloze that ends in an article ("X is employed as a"): a class, not a name.
  const asksKind = words.some((w, i) => (w === 'what' || w === 'which') && /^(kind|sort|type)s?$/.test(words[i + 1] ?? '') && words[i + 2] === 'of') || (!terse && /^(a|an)$/.test(words[words.length - 1] ?? ''));
  // "X — designed by?": an agent.
  if (terse && words[words.length - 1] === 'by') add(types, 'person', 'org');
  // Terse questions without a question word ("X — record label?") ask for their last noun.
  const wh = words.some((w) => ['who', 'whom', 'whose', 'what', 'which', 'where', 'when', 'how', 'why'].includes(w));
  if (terse && !wh && !types.size && words.length) {
    const last = words[words.length - 1];
    if (/^\p{L}+$/u.test(last) && !/(ed|ing)$/.test(last) && !NOT_HEAD.has(last) && WordConcepts.load().nounSense(last) !== undefined) {
      head = last;
      for (const t of nounTypes(last, 2)) types.add(t);
    }
  }
  return { types, head, ...(asksKind ? { asksKind } : {}) };
}

/**
 * The types an edit's new object can be, from the string alone: years and dates are times,
 * numbers and money amounts quantities, names WordNet knows take their concepts' types
 * ("Winnipeg" a place), names ending like an organisation's ("… Press", "… Systems") are
 * organisations, and two or three capitalised words read as a person's name unless the
 * statement says "the …" (`definite`) or the last is a common noun that is no surname. Empty
 * when nothing tells.
 */
export function objectTypes(object: string, definite = false): Set<AnswerType> {
  const text = object.normalize('NFKC').trim().replace(/[.]$/u, '');
  const out = new Set<AnswerType>();
  if (!text) return out;
  const lower = text.toLowerCase();
  if (/^(in |around |circa |c\. )?(the )?\d{3,4}s?$/.test(lower) || (MONTH.test(lower) && /\d/.test(lower)) || /^\d{1,4}[-/]\d{1,2}[-/]\d{1,4}$/.test(lower)) {
    out.add('time');
    return out;
  }
  if (/^[+\-−~≈]?[$€£¥]?\s?\d/.test(text) || /^(about|around|over|under|nearly|roughly|some|approximately) \d/.test(lower) || /^\d/.test(text)) {
    out.add('quantity');
    return out;
  }
  const wn = WordConcepts.load();
  const bare = lower.replace(/^the /, '');
  const whole = bare.replace(/\s+/g, '_');
  const tokens = text.split(/\s+/);
  const known = bare.includes(' ') ? wn.nounAncestors(whole, 2) : wn.nounAncestors(bare, 2);
  if (known.size) {
    // A language ("Portuguese") is no person, though WordNet's first sense is a native.
    const language = wn.nounSense('language', 0);
    if (language && known.has(language)) return out;
    for (const [type, id] of typeAnchors()) if (known.has(id)) out.add(type);
    if (out.size) return out;
  }
  if (tokens.length > 1 && PLACE_PREFIX.has(tokens[0].toLowerCase())) {
    out.add('place');
    return out;
  }
  const last = tokens[tokens.length - 1].toLowerCase().replace(/[^\p{L}]/gu, '');
  if (ORG_SUFFIX.has(last)) {
    out.add('org');
    return out;
  }
  // A person's name: two or three capitalised words, not "the …" in the statement, not ending
  // in a common noun ("Whitcombe Medal", "Tokyo Stock Exchange") unless that is also a surname.
  const capitalised = tokens.every((t) => /^\p{Lu}[\p{L}'’.-]*$/u.test(t));
  const lastCommon = wn.isCommonWord(last) && !wn.namesPerson(last);
  if (capitalised && !definite && !lastCommon && tokens.length >= 2 && tokens.length <= 3 && tokens[0] !== 'The') out.add('person');
  return out;
}

/**
 * The types the statement's own wording gives its object: nouns that name the object's role
 * ("The mayor of X is Y": a person; "The capital of X is Y": a place) and the preposition
 * before it ("… by Y": a person or an organisation).
 */
export function wordingTypes(words: readonly string[], before?: string): Set<AnswerType> {
  const out = new Set<AnswerType>();
  for (const word of words) for (const type of nounTypes(word)) if (type === 'person') out.add(type);
  if (before === 'by') add(out, 'person', 'org');
  return out;
}

function add(types: Set<AnswerType>, ...more: AnswerType[]): void {
  for (const type of more) types.add(type);
}

/** 1 when the question's types and the object's share one, -1 when both say something and nothing is shared, 0 otherwise. */
export function typeAgreement(question: ReadonlySet<AnswerType>, object: ReadonlySet<AnswerType>): number {
  if (!question.size || !object.size) return 0;
  for (const t of question) if (object.has(t)) return 1;
  return -1;
}

/** Whether a "which/what N" question's noun is above the object in WordNet ("Winnipeg" is a city) or is a word of the statement. */
export function headMatches(head: string, object: string, editWords: readonly string[]): boolean {
  const wn = WordConcepts.load();
  if (editWords.includes(head)) return true;
  // "Which saga …?" and "… is a volume in the Skyward Saga".
  if (object.toLowerCase().split(/[^\p{L}]+/u).some((w) => w === head || w === `${head}s`)) return true;
  const ids = [wn.nounSense(head, 0), wn.nounSense(head, 1)].filter((id): id is string => id !== undefined);
  if (!ids.length) return false;
  const bare = object.toLowerCase().replace(/^the /, '').trim();
  const ancestors = bare.includes(' ') ? wn.nounAncestors(bare.replace(/\s+/g, '_'), 2) : wn.nounAncestors(bare, 2);
  return ids.some((id) => ancestors.has(id));
}
