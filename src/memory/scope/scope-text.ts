import stem from 'wink-porter2-stemmer';
import { WordConcepts } from './word-concepts';

/**
 * What the scope detector reads from a text: its entity mentions (capitalised spans, the
 * things edits are about) and the stems of the remaining words (what is said about them).
 */
export interface ScopeText {
  /** Lower-cased entity spans, e.g. ["acme corp", "jane doe"]. */
  entities: string[];
  /** Porter2 stems of the words outside entity spans, stopwords removed, in order. */
  stems: string[];
  /** Lower-cased words outside entity spans, stopwords kept (question words matter). */
  words: string[];
  /** The text as it was read (edits keep it; the answer-type features look at it). */
  raw?: string;
  /** Whether the text is a question (ends with "?"), not a statement or a cloze. */
  question?: boolean;
  /**
   * Set when the first entity is only the capitalised first word of the text, a common word
   * followed by a preposition ("Traffic in South Korea keeps to the right"): no subject,
   * though kept as an entity.
   */
  commonOpening?: string;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’.-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu;

/** Function words that say nothing about a relation; question words are kept on purpose. */
export const STOPWORDS = new Set(
  'a an the of in on at to for by from with as and or but is are was were be been being has have had do does did it its this that these those there their his her he she they them i you we me my our your now currently today still also just then than so such any some new'.split(' '),
);

/** Capitalised words that start a sentence or question without naming anything. */
const NOT_ENTITY = new Set(
  'the a an who whom whose what which where when why how is are was were does do did in on at of for to tell name give please since after as from by according has have can could will would should its his her their this that these those there today now currently'.split(' '),
);

/**
 * Lower-case words that stay inside a name when a capitalised word follows them: titles and
 * names are kept whole ("The Keeper of Lanterns", "University of Halden", "Girl with a Lantern").
 */
const CONNECTORS = new Set('of the a an with de del da di du la le von van der'.split(' '));

/**
 * Role words that head "<Role> of <Name>" spans ("Governor of Ohio", "President of France"):
 * the role is what is said about the name, not part of it.
 */
const ROLE_HEADS = new Set(
  'governor mayor president prime minister king queen prince princess chancellor premier ceo chairman chair chairperson director head chief secretary senator duke duchess emperor empress bishop archbishop rector dean captain coach manager mp member'.split(' '),
);

const OPENING_PREPOSITIONS = new Set('in on at for from to by near across throughout within'.split(' '));

/** A question in the question–answer prompt format ("Q: … A:"): the markers frame it and name nothing. */
const QA_PROMPT = /^\s*(?:Q|Question)\s*:\s*([\s\S]*?)\s*(?:A|Answer)\s*:\s*$/u;

export function readScopeText(prompt: string): ScopeText {
  const text = QA_PROMPT.exec(prompt)?.[1] ?? prompt;
  const tokens = [...text.normalize('NFKC').matchAll(WORD)].map((m) => m[0].replace(/['’]s$/u, '').replace(/\.$/u, ''));
  const entities: string[] = [];
  const rest: string[] = [];
  let span: string[] = [];
  const close = () => {
    // "Governor of Ohio": the role is a word about the name.
    if (span.length > 2 && ROLE_HEADS.has(span[0].toLowerCase()) && span[1] === 'of') {
      rest.push(span[0].toLowerCase());
      span = span.slice(2);
    }
    if (span.length) entities.push(span.join(' ').toLowerCase());
    span = [];
  };
  const isCapitalised = (token: string | undefined) => token !== undefined && /^[\p{Lu}\p{N}]/u.test(token) && !/^(ceo|cfo|cto|coo)$/i.test(token);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const lower = token.toLowerCase();
    // Job-title acronyms are capitalised but name a role, not the thing an edit is about.
    const role = /^(ceo|cfo|cto|coo)$/.test(lower);
    const capitalised = /^[\p{Lu}\p{N}]/u.test(token) && !role && !(span.length === 0 && NOT_ENTITY.has(lower));
    if (capitalised) span.push(token);
    else if (span.length && CONNECTORS.has(token) && (isCapitalised(tokens[i + 1]) || (CONNECTORS.has(tokens[i + 1] ?? '') && isCapitalised(tokens[i + 2])))) span.push(token);
    else {
      close();
      rest.push(lower);
    }
  }
  close();
  const words = rest.filter((w) => w.length > 0);
  // "Traffic in South Korea …": a common word, then a preposition (not "Apple has hired …").
  const opening =
    tokens.length > 1 && entities[0] === tokens[0].toLowerCase() && /^\p{Lu}\p{Ll}+$/u.test(tokens[0]) && OPENING_PREPOSITIONS.has(tokens[1]) && WordConcepts.load().isCommonWord(tokens[0]) ? entities[0] : undefined;
  return { entities, words, stems: words.filter((w) => !STOPWORDS.has(w)).map((w) => stem(w)), ...(/\?\s*$/u.test(text) ? { question: true } : {}), ...(opening !== undefined ? { commonOpening: opening } : {}) };
}

/** 32-bit FNV-1a, the hash behind every hashed feature. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
