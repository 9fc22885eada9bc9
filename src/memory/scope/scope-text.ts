import stem from 'wink-porter2-stemmer';

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

export function readScopeText(text: string): ScopeText {
  const tokens = [...text.normalize('NFKC').matchAll(WORD)].map((m) => m[0].replace(/['’]s$/u, '').replace(/\.$/u, ''));
  const entities: string[] = [];
  const rest: string[] = [];
  let span: string[] = [];
  const close = () => {
    if (span.length) entities.push(span.join(' ').toLowerCase());
    span = [];
  };
  for (const token of tokens) {
    const lower = token.toLowerCase();
    // Job-title acronyms are capitalised but name a role, not the thing an edit is about.
    const role = /^(ceo|cfo|cto|coo)$/.test(lower);
    const capitalised = /^[\p{Lu}\p{N}]/u.test(token) && !role && !(span.length === 0 && NOT_ENTITY.has(lower));
    if (capitalised) span.push(token);
    else {
      close();
      rest.push(lower);
    }
  }
  close();
  const words = rest.filter((w) => w.length > 0);
  return { entities, words, stems: words.filter((w) => !STOPWORDS.has(w)).map((w) => stem(w)) };
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
