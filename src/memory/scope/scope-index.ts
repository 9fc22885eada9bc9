import type { Connection, Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';
import { RETRIEVAL_DIMENSIONS } from './retrieval-vector';

export interface ScopeRow {
  editId: string;
  /** The edit's statement (what full-text search reads). */
  text: string;
  /** Lower-cased subject strings. */
  subjects: string[];
  /** "relation": in scope when the query asks what the edit says; "subject": whatever it asks. */
  match: ScopeMatchKind;
  vector: Float32Array;
}

export type ScopeMatchKind = 'relation' | 'subject';

export interface Candidate {
  editId: string;
  text: string;
  subjects: string[];
  match: ScopeMatchKind;
}

const SCHEMA = new Schema([
  new Field('edit_id', new Utf8(), false),
  new Field('text', new Utf8(), false),
  new Field('subjects', new Utf8(), false),
  new Field('match', new Utf8(), false),
  new Field('vector', new FixedSizeList(RETRIEVAL_DIMENSIONS, new Field('item', new Float32(), true)), false),
]);

/**
 * Stage 1 of the scope detector: the scope keys in a LanceDB table, searched by vector
 * nearness and by LanceDB's full-text (BM25) index over the edit text; the union of both
 * candidate lists goes to stage 2. Deletes are physical after `purge()` (erasure).
 */
export class ScopeIndex {
  private ftsRows = 0;

  private constructor(private readonly table: Table) {}

  static async open(connection: Connection, name = 'scope_keys'): Promise<ScopeIndex> {
    const names = await connection.tableNames();
    const table = names.includes(name) ? await connection.openTable(name) : await connection.createEmptyTable(name, SCHEMA);
    return new ScopeIndex(table);
  }

  async count(): Promise<number> {
    return this.table.countRows();
  }

  async add(rows: readonly ScopeRow[]): Promise<void> {
    if (!rows.length) return;
    await this.table.add(rows.map((r) => ({ edit_id: r.editId, text: r.text, subjects: JSON.stringify(r.subjects), match: r.match, vector: Array.from(r.vector) })));
  }

  async remove(editIds: readonly string[]): Promise<void> {
    if (!editIds.length) return;
    await this.table.delete(`edit_id IN (${editIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})`);
  }

  /** Every stored edit id (for reconciling with the durable edit memory at start). */
  async editIds(): Promise<string[]> {
    const rows = await this.table.query().select(['edit_id']).toArray();
    return rows.map((r) => String(r.edit_id));
  }

  /** Every stored row without its vector (to rebuild stage 2's in-memory keys). */
  async rows(): Promise<Candidate[]> {
    const rows = await this.table.query().select(['edit_id', 'text', 'subjects', 'match']).toArray();
    return rows.map(toCandidate);
  }

  /** Builds or refreshes the full-text index (new rows are searched unindexed until then). */
  async reindex(): Promise<void> {
    const rows = await this.count();
    if (rows === 0 || rows === this.ftsRows) return;
    const { Index } = await import('@lancedb/lancedb');
    await this.table.createIndex('text', { config: Index.fts(), replace: true });
    this.ftsRows = rows;
  }

  async search(vector: Float32Array, queryText: string, k: number): Promise<Candidate[]> {
    const byVector = await this.table.vectorSearch(Array.from(vector)).distanceType('cosine').select(['edit_id', 'text', 'subjects', 'match', '_distance']).limit(k).toArray();
    const seen = new Map<string, Candidate>(byVector.map((r) => [String(r.edit_id), toCandidate(r)]));
    if (this.ftsRows > 0) {
      const terms = queryText.replace(/[^\p{L}\p{N}\s]+/gu, ' ').trim();
      if (terms) {
        const byText = await this.table.search(terms, 'fts', 'text').select(['edit_id', 'text', 'subjects', 'match', '_score']).limit(k).toArray();
        for (const row of byText) if (!seen.has(String(row.edit_id))) seen.set(String(row.edit_id), toCandidate(row));
      }
    }
    return [...seen.values()];
  }

  /**
   * Compacts files, rebuilds the full-text index without the deleted rows' terms and drops
   * every old version, so deleted rows are gone from disk too (erasure).
   */
  async purge(): Promise<void> {
    await this.table.optimize({ cleanupOlderThan: new Date(), deleteUnverified: true });
    this.ftsRows = -1;
    await this.reindex();
    await this.table.optimize({ cleanupOlderThan: new Date(), deleteUnverified: true });
  }

  close(): void {
    this.table.close();
  }
}

function toCandidate(row: Record<string, unknown>): Candidate {
  return { editId: String(row.edit_id), text: String(row.text), subjects: JSON.parse(String(row.subjects)) as string[], match: row.match === 'subject' ? 'subject' : 'relation' };
}
