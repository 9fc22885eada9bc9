import { normaliseMention } from './scope-features';

/** Titles that stand before a surname ("Dr. Kaimepan"): the surname then names the person. */
const TITLES = new Set(['dr', 'doctor', 'prof', 'professor', 'mr', 'mrs', 'ms', 'miss', 'mx', 'sir', 'dame', 'lord', 'lady', 'judge', 'justice', 'senator', 'president', 'governor', 'mayor', 'minister', 'general', 'captain', 'father', 'sister', 'rev', 'reverend', 'saint', 'st']);

/**
 * Capitalised words that are no given name: question words, pronouns and the words that open a
 * sentence ("Where did Kaimepan study?", "Did Kaimepan …", "In 1990 Kaimepan …").
 */
const NOT_GIVEN_NAMES = new Set(
  'a an the and or but if then so of in on at to for from by with about as into after before during since until while where when what which who whom whose why how is are was were be been being do does did has have had can could will would shall should may might must not no yes tell give name list say please according ask asked also only even now today yesterday once here there this that these those it its he she they his her their him them we our you your i my me'.split(' '),
);

/** Last words of a name that make it an organisation, a place or a work rather than a person. */
const NOT_SURNAMES = new Set(
  'university college school institute academy press company corporation corp inc ltd llc group holdings systems industries labs laboratories bank foundation society association council party club team fc league museum hospital airport station river lake mountain mount city county state province republic kingdom island islands bay valley park street road bridge tower church cathedral temple palace castle hall centre center theatre theater studios records games motors airlines partners trust fund agency ministry department office committee festival award prize medal cup championship series saga chronicles book novel album film show'.split(
    ' ',
  ),
);

/** A person's name split for partial mentions: "Feisisar Kaimepan" → given initial "f", surname "kaimepan". */
export interface PersonName {
  /** The whole name, normalised. */
  full: string;
  /** Normalised surname (the last word). */
  surname: string;
  /** First letter of the given name, lower case. */
  initial: string;
}

/**
 * The parts of a subject that reads as a person's name: two to four words of letters (hyphens and
 * apostrophes allowed), each capitalised where the original has case, none a function word, the
 * last no organisation or place word. `person` (a knowledge base's type) overrides the guess.
 */
export function personName(subject: string, person?: boolean): PersonName | undefined {
  const words = subject.trim().split(/\s+/);
  if (person === false || words.length < 2 || words.length > 4) return undefined;
  const plain = words.map((w) => w.replace(/[.,]$/, ''));
  if (plain.some((w) => !/^\p{L}[\p{L}'’-]*$/u.test(w))) return undefined;
  const lower = plain.map((w) => w.toLowerCase());
  if (person !== true) {
    const hasCase = subject !== subject.toLowerCase();
    if (hasCase && plain.some((w) => !/^\p{Lu}/u.test(w))) return undefined;
    if (lower.some((w) => NOT_GIVEN_NAMES.has(w) || TITLES.has(w)) || NOT_SURNAMES.has(lower[lower.length - 1])) return undefined;
  }
  // Written as a query's word is read: "O'Neill" → "oneill".
  const surname = normaliseMention(plain[plain.length - 1]).replace(/ /g, '');
  if (surname.length < 2) return undefined;
  return { full: normaliseMention(subject), surname, initial: lower[0].charAt(0) };
}

/** A person a query names by part of the name: the edits about them, or a refusal when several fit. */
export interface PartialMatches {
  /** Edit id → the mention as the query wrote it ("Dr. Kaimepan"). */
  edits: Map<string, string>;
  /** Mentions that fit more than one person: no edit is applied for them. */
  ambiguous: Array<{ mention: string; people: number }>;
}

interface Bearer {
  name: PersonName;
  edits: Set<string>;
}

/**
 * Partial mentions of the people edits are about: a surname alone, after a title, or after the
 * given name's initial ("Kaimepan", "Dr. Kaimepan", "F. Kaimepan"), when no other given name
 * stands before it ("Mateo Kaimepan" is someone else) and no capitalised word follows it
 * ("Kaimepan Motors" is not the person). A mention that fits more than one person in memory is
 * refused rather than guessed.
 */
export class PartialNames {
  /** Surname → full name → the person's edits. */
  private readonly bySurname = new Map<string, Map<string, Bearer>>();

  add(id: string, name: PersonName): void {
    const people = this.bySurname.get(name.surname) ?? new Map<string, Bearer>();
    const bearer = people.get(name.full) ?? { name, edits: new Set<string>() };
    bearer.edits.add(id);
    people.set(name.full, bearer);
    this.bySurname.set(name.surname, people);
  }

  remove(id: string, name: PersonName): void {
    const people = this.bySurname.get(name.surname);
    const bearer = people?.get(name.full);
    if (!people || !bearer?.edits.delete(id)) return;
    if (bearer.edits.size === 0) people.delete(name.full);
    if (people.size === 0) this.bySurname.delete(name.surname);
  }

  /** The edits whose person the query names by part of the name, and the mentions refused as ambiguous. */
  match(query: string): PartialMatches {
    const out: PartialMatches = { edits: new Map(), ambiguous: [] };
    if (this.bySurname.size === 0) return out;
    const tokens = tokensOf(query);
    for (let i = 0; i < tokens.length; i++) {
      const people = this.bySurname.get(tokens[i].norm);
      if (!people || namedInFull(tokens, i, people)) continue;
      const before = tokens[i - 1];
      const after = tokens[i + 1];
      if (after && after.capitalised && !NOT_GIVEN_NAMES.has(after.norm)) continue; // "Kaimepan Motors"
      let fits: Bearer[];
      let from = tokens[i].start;
      if (before && TITLES.has(before.norm)) {
        fits = [...people.values()];
        from = before.start;
      } else if (before && before.initial) {
        fits = [...people.values()].filter((p) => p.name.initial === before.norm);
        from = before.start;
      } else if (before && before.capitalised && !NOT_GIVEN_NAMES.has(before.norm)) {
        continue; // another given name: someone else, or the full name (matched exactly elsewhere)
      } else fits = [...people.values()];
      if (fits.length === 0) continue;
      const mention = query.slice(from, tokens[i].end);
      if (fits.length > 1) {
        out.ambiguous.push({ mention, people: fits.length });
        continue;
      }
      for (const id of fits[0].edits) if (!out.edits.has(id)) out.edits.set(id, mention);
    }
    return out;
  }
}

interface Token {
  /** Where the word starts, and where its name ends (before a possessive "'s"). */
  start: number;
  end: number;
  norm: string;
  capitalised: boolean;
  /** A single letter followed by a full stop ("F."). */
  initial: boolean;
}

/** Whether the words ending at `i` are one of these people's full name (matched exactly elsewhere). */
function namedInFull(tokens: readonly Token[], i: number, people: ReadonlyMap<string, Bearer>): boolean {
  for (const full of people.keys()) {
    const words = full.split(' ');
    const start = i - words.length + 1;
    if (start >= 0 && words.every((w, k) => tokens[start + k].norm === w)) return true;
  }
  return false;
}

function tokensOf(query: string): Token[] {
  const out: Token[] = [];
  for (const match of query.matchAll(/\p{L}[\p{L}\p{N}'’-]*\.?|\p{N}+/gu)) {
    const raw = match[0];
    // "Kaimepan's": the possessive names the same person.
    const name = raw.replace(/\.$/, '').replace(/['’]s$/i, '');
    const initial = /^\p{Lu}\.$/u.test(raw);
    out.push({ start: match.index, end: match.index + (initial ? raw.length : name.length), norm: normaliseMention(name).replace(/ /g, ''), capitalised: /^\p{Lu}/u.test(raw), initial });
  }
  return out;
}
