import type { Connection, Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';
import { RETRIEVAL_DIMENSIONS } from './retrieval-vector';

export interface ScopeRow {
  editId: string;
  /** The edit's statement (what full-text search reads). */
  text: string;
  /** Lower-cased subject strings. */
  subjects: string[];
  /** Other names of the subject, normalised ("dr kaimepan"). */
  aliases: string[];
  /** "relation": in scope when the query asks what the edit says; "subject": whatever it asks. */
  match: ScopeMatchKind;
  /** The new object the statement ends with; empty when unknown. */
  object: string;
  vector: Float32Array;
}

export type ScopeMatchKind = 'relation' | 'subject';

export interface Candidate {
  editId: string;
  text: string;
  subjects: string[];
  aliases: string[];
  match: ScopeMatchKind;
  object: string;
}

const SCHEMA = new Schema([
  new Field('edit_id', new Utf8(), false),
  new Field('text', new Utf8(), false),
  new Field('subjects', new Utf8(), false),
  new Field('match', new Utf8(), false),
  new Field('object', new Utf8(), false),
  new Field('aliases', new Utf8(), false),
  new Field('vector', new FixedSizeList(RETRIEVAL_DIMENSIONS, new Field('item', new Float32(), true)), false),
]);

/**
 * The scope keys in a LanceDB table: the durable store the detector's in-memory indexes are
 * loaded from, searchable by vector nearness and by LanceDB's full-text (BM25) index over the
 * edit text (stage 1's fuzzy retriever). Deletes are physical after `purge()` (erasure).
 */
export class ScopeIndex {
  /** Whether a full-text index exists, and whether rows changed since it was built. */
  private ftsBuilt = false;
  private ftsStale = true;

  private constructor(private readonly table: Table) {}

  static async open(connection: Connection, name = 'scope_keys'): Promise<ScopeIndex> {
    const names = await connection.tableNames();
    const table = names.includes(name) ? await connection.openTable(name) : await connection.createEmptyTable(name, SCHEMA);
    await addColumn(table, 'object', "''");
    await addColumn(table, 'aliases', "'[]'");
    return new ScopeIndex(table);
  }

  async count(): Promise<number> {
    return this.table.countRows();
  }

  async add(rows: readonly ScopeRow[]): Promise<void> {
    if (!rows.length) return;
    this.ftsStale = true;
    // An upsert on edit_id: daemons sharing one LanceDB each index an edit they are told about.
    await this.table
      .mergeInsert('edit_id')
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute(rows.map((r) => ({ edit_id: r.editId, text: r.text, subjects: JSON.stringify(r.subjects), match: r.match, object: r.object, aliases: JSON.stringify(r.aliases), vector: Array.from(r.vector) })));
  }

  async remove(editIds: readonly string[]): Promise<void> {
    if (!editIds.length) return;
    this.ftsStale = true;
    await this.table.delete(`edit_id IN (${editIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})`);
  }

  /** Every stored row without its vector (to rebuild stage 2's in-memory keys). */
  async rows(): Promise<Candidate[]> {
    const rows = await this.table.query().select(['edit_id', 'text', 'subjects', 'match', 'object', 'aliases']).toArray();
    return rows.map(toCandidate);
  }

  /** Builds or rebuilds the full-text index when rows changed since it was built. */
  async reindex(): Promise<void> {
    if (!this.ftsStale) return;
    if ((await this.count()) > 0) {
      const { Index } = await import('@lancedb/lancedb');
      await this.table.createIndex('text', { config: Index.fts(), replace: true });
      this.ftsBuilt = true;
    }
    this.ftsStale = false;
  }

  /** Vector and full-text search (the full-text index is brought up to date first). */
  async search(vector: Float32Array, queryText: string, k: number): Promise<Candidate[]> {
    await this.reindex();
    const byVector = await this.table.vectorSearch(Array.from(vector)).distanceType('cosine').select(['edit_id', 'text', 'subjects', 'match', 'aliases', '_distance']).limit(k).toArray();
    const seen = new Map<string, Candidate>(byVector.map((r) => [String(r.edit_id), toCandidate(r)]));
    if (this.ftsBuilt) {
      const terms = queryText.replace(/[^\p{L}\p{N}\s]+/gu, ' ').trim();
      if (terms) {
        const byText = await this.table.search(terms, 'fts', 'text').select(['edit_id', 'text', 'subjects', 'match', 'aliases', '_score']).limit(k).toArray();
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
    if (this.ftsBuilt) {
      this.ftsStale = true;
      await this.reindex();
      await this.table.optimize({ cleanupOlderThan: new Date(), deleteUnverified: true });
    }
  }

  close(): void {
    this.table.close();
  }
}

/**
 * Tables written before a column was kept get it with an empty value: objects (no template
 * evidence) and aliases (subjects named only as written).
 */
async function addColumn(table: Table, name: string, emptySql: string): Promise<void> {
  const has = async () => (await table.schema()).fields.some((f) => f.name === name);
  if (await has()) return;
  try {
    await table.addColumns([{ name, valueSql: emptySql }]);
  } catch (err) {
    // Another daemon on the same directory may have added it first.
    await table.checkoutLatest();
    if (!(await has())) throw err;
  }
}

function toCandidate(row: Record<string, unknown>): Candidate {
  return { editId: String(row.edit_id), text: String(row.text), subjects: JSON.parse(String(row.subjects)) as string[], aliases: typeof row.aliases === 'string' ? (JSON.parse(row.aliases) as string[]) : [], match: row.match === 'subject' ? 'subject' : 'relation', object: typeof row.object === 'string' ? row.object : '' };
}
