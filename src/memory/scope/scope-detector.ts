import type { ScopeClassifier } from './scope-classifier';
import { normaliseMention, pairFeatures, subjectMentioned, subjectsOf, type ScopeKey } from './scope-features';
import { PartialNames, personName, type PersonName } from './partial-names';
import { SubjectIndex } from './subject-index';
import type { ScopeIndex, ScopeMatchKind } from './scope-index';
import { retrievalVector } from './retrieval-vector';
import { readScopeText } from './scope-text';
import { StatedTemplates } from './stated-templates';

export interface ScopedEdit {
  id: string;
  /** The edit as a statement ("The CEO of Acme is Jane Doe."). */
  text: string;
  /** The subject, when known (fact edits know it); otherwise the text's entity spans stand in. */
  subjects?: string[];
  /**
   * "subject": every query naming the subject is in scope (erasure's suppression edits, whose
   * subjects are digests: subjectDigest).
   */
  match?: ScopeMatchKind;
  /** The new object the statement ends with, when known ("Acme" in "Jane Doe works for Acme"). */
  object?: string;
  /** Other names of the subject ("Dr. Kaimepan", "VOU"): a request naming one is about the subject. */
  aliases?: string[];
}

/** What the detector decided for a request: the edits in scope, and the partial names it refused to guess. */
export interface RouteDecision {
  matches: ScopeMatch[];
  /** Partial names ("Dr. Kaimepan") that fit more than one person in memory: none of their edits applies. */
  ambiguous: Array<{ mention: string; people: number }>;
}

/** An edit's key as the detector holds it: its statement read once, its match kind, its subject's other names. */
type HeldKey = ScopeKey & { match: ScopeMatchKind; aliases: string[]; person?: PersonName; prompt?: string };

export interface ScopeMatch {
  id: string;
  score: number;
}

export interface RouteOptions {
  /**
   * Stage 1: "subject" (default) looks the request's word n-grams up in the in-memory subject
   * index; "lance" searches LanceDB by vector and full text (fuzzy, slower, bounded by
   * `candidates`). Both feed the same decision, which needs the subject named in full.
   */
  retrieval?: 'subject' | 'lance';
  /** Candidates each LanceDB search returns. */
  candidates?: number;
}

/**
 * The scope detector every method and the daemon's router share: stage 1 retrieves candidate
 * edits (the in-memory subject index over LanceDB's scope keys, or LanceDB's vector and
 * full-text search); stage 2 keeps the candidates whose subject
 * the query names in full ("Maria Kim" does not reach an edit about "Maria Lopez"), scores
 * each (edit, query) pair with the trained classifier and keeps those over its threshold,
 * best first, unless the query is worded in a template the memory shows to state another
 * relation (`StatedTemplates`).
 */
export class ScopeDetector {
  private readonly keys = new Map<string, HeldKey>();
  private readonly subjects = new SubjectIndex();
  private readonly partialNames = new PartialNames();
  private readonly templates = new StatedTemplates();
  /** Per edit, its key with a name the request used in place of the subject (features leave its words out). */
  private readonly namedKeys = new Map<string, Map<string, ScopeKey>>();

  constructor(
    private readonly index: ScopeIndex,
    private readonly classifier: ScopeClassifier,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** The edit ids the detector holds. */
  ids(): string[] {
    return [...this.keys.keys()];
  }

  /** Loads stage 2's keys from what the index already holds (after a restart). */
  async load(): Promise<void> {
    for (const row of await this.index.rows()) this.remember(row.editId, heldKey(row.text, row.subjects, row.object, row.match, row.aliases), row.text, row.object);
  }

  async add(edits: readonly ScopedEdit[]): Promise<void> {
    const fresh = edits.filter((e) => !this.keys.has(e.id));
    const rows = fresh.map((e) => {
      const match = e.match ?? 'relation';
      const key = heldKey(e.text, e.subjects, e.object, match, e.aliases);
      return { edit: e, key, row: { editId: e.id, text: e.text, subjects: key.subjects, aliases: key.aliases, match, object: e.object ?? '', vector: retrievalVector(key.text, key.subjects) } };
    });
    await this.index.add(rows.map((r) => r.row));
    for (const r of rows) this.remember(r.edit.id, r.key, r.edit.text, r.edit.object);
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.index.remove(ids);
    for (const id of ids) {
      const key = this.keys.get(id);
      if (key) this.subjects.remove(id, [...subjectsOf(key), ...key.aliases]);
      if (key?.person) this.partialNames.remove(id, key.person);
      this.keys.delete(id);
      this.namedKeys.delete(id);
      this.templates.remove(id);
    }
  }

  private remember(id: string, key: HeldKey, statement: string, object?: string): void {
    this.keys.set(id, key);
    this.subjects.add(id, [...subjectsOf(key), ...key.aliases]);
    if (key.person) this.partialNames.add(id, key.person);
    if (key.match === 'relation') this.templates.add(id, statement, subjectsOf(key), object);
  }

  /**
   * Stage 1 and the subject check: the edits retrieved for a request that it names the subject
   * of. The subject index finds exactly those; LanceDB's fuzzy hits are filtered to them.
   */
  async candidates(query: string, options: RouteOptions = {}): Promise<string[]> {
    return (await this.named(query, options)).ids;
  }

  /** The candidates, and the partial names that fit several people (refused). */
  private async named(query: string, options: RouteOptions): Promise<{ ids: string[]; partial: Map<string, string>; ambiguous: RouteDecision['ambiguous'] }> {
    const { edits: partial, ambiguous } = this.partialNames.match(query);
    const found = await this.retrieve(query, options);
    return { ids: [...new Set([...found, ...partial.keys()])], partial, ambiguous };
  }

  private async retrieve(query: string, options: RouteOptions): Promise<string[]> {
    if (options.retrieval !== 'lance') return [...this.subjects.candidates(query)];
    const hits = await this.index.search(retrievalVector(readScopeText(query)), query, options.candidates ?? 24);
    const named = hits.map((c) => c.editId).filter((id) => {
      const key = this.keys.get(id);
      return key !== undefined && key.match !== 'subject' && (subjectMentioned(key, query) || aliasMentioned(key, query) !== undefined);
    });
    // A subject-wide edit is in scope whatever the question asks, so its statement is no
    // guide to finding it: it comes from the subject index (by digest) in both modes.
    const subjectWide = [...this.subjects.candidates(query)].filter((id) => this.keys.get(id)?.match === 'subject');
    return [...new Set([...named, ...subjectWide])];
  }

  /** Whether the query asks the very fact the edit changed (its own wording, or a same-relation one). */
  asksEditedFact(query: string, id: string): boolean {
    return this.templates.asks(query, id);
  }

  /** Makes removals physical (compaction and old-version cleanup). */
  async purge(): Promise<void> {
    await this.index.purge();
  }

  async route(query: string, options: RouteOptions = {}): Promise<ScopeMatch[]> {
    return (await this.decide(query, options)).matches;
  }

  /**
   * The edits in scope of a request, best first. A request may name an edit's subject by one of
   * its aliases or, for a person, by part of the name; the classifier then reads the pair with
   * that name standing for the subject.
   */
  async decide(query: string, options: RouteOptions = {}): Promise<RouteDecision> {
    if (this.keys.size === 0) return { matches: [], ambiguous: [] };
    const text = readScopeText(query);
    const { ids, partial, ambiguous } = await this.named(query, options);
    const mention = normaliseMention(query);
    const matches: ScopeMatch[] = [];
    for (const id of ids) {
      const key = this.keys.get(id);
      if (!key) continue;
      let score = 1;
      if (key.match !== 'subject') {
        const named = this.keyAsNamed(id, key, query, partial.get(id));
        if (!named) continue;
        score = asksEditedPrompt(key, mention) ? 1 : this.classifier.score(pairFeatures(named, text));
      }
      if (score >= this.classifier.thresholdFor(key.subjects.length > 0 || key.match === 'subject') && !this.templates.contradicts(query, id)) matches.push({ id, score });
    }
    return { matches: matches.sort((a, b) => b.score - a.score), ambiguous };
  }

  /** The key to read the pair with: as stored when the query names the subject, else with the alias or partial name it used. */
  private keyAsNamed(id: string, key: HeldKey, query: string, partialMention?: string): ScopeKey | undefined {
    if (subjectMentioned(key, query)) return key;
    const alias = aliasMentioned(key, query) ?? (partialMention === undefined ? undefined : normaliseMention(partialMention));
    if (alias === undefined) return undefined;
    if (!key.subjects.length) return key;
    const byName = this.namedKeys.get(id) ?? new Map<string, ScopeKey>();
    let named = byName.get(alias);
    if (!named) {
      named = { text: key.text, subjects: [...key.subjects, alias], ...(key.object ? { object: key.object } : {}) };
      byName.set(alias, named);
      this.namedKeys.set(id, byName);
    }
    return named;
  }
}

export function keyOf(text: string, subjects: readonly string[] = [], object?: string): ScopeKey {
  return { text: { ...readScopeText(text), raw: text }, subjects: subjects.map((s) => s.toLowerCase()), ...(object ? { object } : {}) };
}

/**
 * The detector's key: aliases normalised as mentions are, and for a subject that reads as a
 * person's name, its parts (a request may name the person by surname or initial).
 */
function heldKey(text: string, subjects: readonly string[] | undefined, object: string | undefined, match: ScopeMatchKind, aliases: readonly string[] = []): HeldKey {
  const key = keyOf(text, subjects, object);
  const normalised = [...new Set(aliases.map(normaliseMention).filter((a) => a && !key.subjects.includes(a)))];
  const subject = match === 'relation' && key.subjects.length === 1 ? writtenSubject(text, key.subjects[0]) : undefined;
  const person = subject === undefined ? undefined : personName(subject);
  const prompt = editedPrompt(text, object);
  return { ...key, match, aliases: normalised, ...(person ? { person } : {}), ...(prompt ? { prompt } : {}) };
}

/** The prompt the edit was made for (its statement without the object ending it), normalised as mentions are. */
function editedPrompt(statement: string, object: string | undefined): string | undefined {
  const normalisedObject = object ? normaliseMention(object) : '';
  const normalised = normaliseMention(statement);
  if (!normalisedObject || !normalised.endsWith(` ${normalisedObject}`)) return undefined;
  return normalised.slice(0, -normalisedObject.length - 1).trim() || undefined;
}

/**
 * Whether a request (normalised as mentions are) ends with the very prompt an edit was made for. No classifier is needed
 * there, and none was trained on every prompt shape (a whole passage, as WikiBio's edits have).
 */
function asksEditedPrompt(key: HeldKey, mention: string): boolean {
  return key.prompt !== undefined && (mention === key.prompt || mention.endsWith(` ${key.prompt}`));
}

/** The subject as the statement writes it (the stored subject is lower case), for its capitals. */
function writtenSubject(statement: string, subject: string): string {
  const at = statement.toLowerCase().indexOf(subject);
  return at >= 0 ? statement.slice(at, at + subject.length) : subject;
}

/** The first of the key's aliases the query names in full, normalised. */
function aliasMentioned(key: HeldKey, query: string): string | undefined {
  if (!key.aliases.length) return undefined;
  const lowerQuery = ` ${normaliseMention(query)} `;
  return key.aliases.find((a) => lowerQuery.includes(` ${a} `));
}
