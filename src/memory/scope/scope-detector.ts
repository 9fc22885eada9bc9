import type { ScopeClassifier } from './scope-classifier';
import { pairFeatures, subjectMentioned, subjectsOf, type ScopeKey } from './scope-features';
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
}

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
  private readonly keys = new Map<string, ScopeKey & { match: ScopeMatchKind }>();
  private readonly subjects = new SubjectIndex();
  private readonly templates = new StatedTemplates();

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
    for (const row of await this.index.rows()) this.remember(row.editId, { ...keyOf(row.text, row.subjects, row.object), match: row.match }, row.text, row.object);
  }

  async add(edits: readonly ScopedEdit[]): Promise<void> {
    const fresh = edits.filter((e) => !this.keys.has(e.id));
    const rows = fresh.map((e) => {
      const match = e.match ?? 'relation';
      const key = { ...keyOf(e.text, e.subjects, e.object), match };
      return { edit: e, key, row: { editId: e.id, text: e.text, subjects: key.subjects, match, object: e.object ?? '', vector: retrievalVector(key.text, key.subjects) } };
    });
    await this.index.add(rows.map((r) => r.row));
    for (const r of rows) this.remember(r.edit.id, r.key, r.edit.text, r.edit.object);
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.index.remove(ids);
    for (const id of ids) {
      const key = this.keys.get(id);
      if (key) this.subjects.remove(id, subjectsOf(key));
      this.keys.delete(id);
      this.templates.remove(id);
    }
  }

  private remember(id: string, key: ScopeKey & { match: ScopeMatchKind }, statement: string, object?: string): void {
    this.keys.set(id, key);
    this.subjects.add(id, subjectsOf(key));
    if (key.match === 'relation') this.templates.add(id, statement, subjectsOf(key), object);
  }

  /**
   * Stage 1 and the subject check: the edits retrieved for a request that it names the subject
   * of. The subject index finds exactly those; LanceDB's fuzzy hits are filtered to them.
   */
  async candidates(query: string, options: RouteOptions = {}): Promise<string[]> {
    if (options.retrieval !== 'lance') return [...this.subjects.candidates(query)];
    const hits = await this.index.search(retrievalVector(readScopeText(query)), query, options.candidates ?? 24);
    const named = hits.map((c) => c.editId).filter((id) => {
      const key = this.keys.get(id);
      return key !== undefined && key.match !== 'subject' && subjectMentioned(key, query);
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
    if (this.keys.size === 0) return [];
    const text = readScopeText(query);
    const matches: ScopeMatch[] = [];
    for (const id of await this.candidates(query, options)) {
      const key = this.keys.get(id);
      if (!key) continue;
      const score = key.match === 'subject' ? 1 : this.classifier.score(pairFeatures(key, text));
      if (score >= this.classifier.thresholdFor(key.subjects.length > 0 || key.match === 'subject') && !this.templates.contradicts(query, id)) matches.push({ id, score });
    }
    return matches.sort((a, b) => b.score - a.score);
  }
}

export function keyOf(text: string, subjects: readonly string[] = [], object?: string): ScopeKey {
  return { text: { ...readScopeText(text), raw: text }, subjects: subjects.map((s) => s.toLowerCase()), ...(object ? { object } : {}) };
}
