import type { ScopeClassifier } from './scope-classifier';
import { pairFeatures, subjectMentioned, type ScopeKey } from './scope-features';
import type { ScopeIndex, ScopeMatchKind } from './scope-index';
import { retrievalVector } from './retrieval-vector';
import { readScopeText } from './scope-text';

export interface ScopedEdit {
  id: string;
  /** The edit as a statement ("The CEO of Acme is Jane Doe."). */
  text: string;
  /** The subject, when known (fact edits know it); otherwise the text's entity spans stand in. */
  subjects?: string[];
  /** "subject": every query naming the subject is in scope (erasure's suppression edits). */
  match?: ScopeMatchKind;
}

export interface ScopeMatch {
  id: string;
  score: number;
}

export interface RouteOptions {
  /** Candidates stage 1 retrieves from each of its searches. */
  candidates?: number;
}

/**
 * The scope detector every method and the daemon's router share: stage 1 retrieves candidate
 * edits from LanceDB (vector and full-text search); stage 2 keeps the candidates whose subject
 * the query names in full ("Maria Kim" does not reach an edit about "Maria Lopez"), scores
 * each (edit, query) pair with the trained classifier and keeps those over its threshold,
 * best first.
 */
export class ScopeDetector {
  private readonly keys = new Map<string, ScopeKey & { match: ScopeMatchKind }>();

  constructor(
    private readonly index: ScopeIndex,
    private readonly classifier: ScopeClassifier,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** Loads stage 2's keys from what the index already holds (after a restart). */
  async load(): Promise<void> {
    for (const row of await this.index.rows()) this.keys.set(row.editId, { ...keyOf(row.text, row.subjects), match: row.match });
    await this.index.reindex();
  }

  async add(edits: readonly ScopedEdit[]): Promise<void> {
    const fresh = edits.filter((e) => !this.keys.has(e.id));
    const rows = fresh.map((e) => {
      const subjects = (e.subjects ?? []).map((s) => s.toLowerCase());
      const match = e.match ?? 'relation';
      const key = { ...keyOf(e.text, subjects), match };
      return { edit: e, key, row: { editId: e.id, text: e.text, subjects, match, vector: retrievalVector(key.text, subjects) } };
    });
    await this.index.add(rows.map((r) => r.row));
    for (const r of rows) this.keys.set(r.edit.id, r.key);
    await this.index.reindex();
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.index.remove(ids);
    for (const id of ids) this.keys.delete(id);
  }

  /** Makes removals physical (compaction and old-version cleanup). */
  async purge(): Promise<void> {
    await this.index.purge();
  }

  async route(query: string, options: RouteOptions = {}): Promise<ScopeMatch[]> {
    if (this.keys.size === 0) return [];
    const text = readScopeText(query);
    const candidates = await this.index.search(retrievalVector(text), query, options.candidates ?? 24);
    const matches: ScopeMatch[] = [];
    for (const candidate of candidates) {
      const key = this.keys.get(candidate.editId);
      if (!key || !subjectMentioned(key, query)) continue;
      const score = key.match === 'subject' ? 1 : this.classifier.score(pairFeatures(key, text));
      if (score >= this.classifier.threshold) matches.push({ id: candidate.editId, score });
    }
    return matches.sort((a, b) => b.score - a.score);
  }
}

export function keyOf(text: string, subjects: readonly string[] = []): ScopeKey {
  return { text: readScopeText(text), subjects: subjects.map((s) => s.toLowerCase()) };
}
