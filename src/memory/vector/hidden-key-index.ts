import type { Connection, Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';

export interface HiddenKeyRow {
  editId: string;
  /** Unit-length block centre. */
  vector: Float32Array;
  radius: number;
  /** Where keys are read ("resid.2.last"): only keys read the same way are compared. */
  spec: string;
}

/**
 * MELO's and GRACE's vector database: one row per live keyed operation (its centre, radius and
 * key spec) in a LanceDB table per key width, the durable index the edit memory reconciles with
 * and erasure purges. Requests are matched against the edit memory's copy in memory (a scan
 * is several times faster than a query at these sizes; see EditMemoryService.keyedFor).
 */
export class HiddenKeyIndex {
  private constructor(private readonly table: Table) {}

  static async open(connection: Connection, dimensions: number): Promise<HiddenKeyIndex> {
    const name = `hidden_keys_${dimensions}`;
    const names = await connection.tableNames();
    const schema = new Schema([
      new Field('edit_id', new Utf8(), false),
      new Field('spec', new Utf8(), false),
      new Field('radius', new Float32(), false),
      new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
    ]);
    return new HiddenKeyIndex(names.includes(name) ? await connection.openTable(name) : await connection.createEmptyTable(name, schema));
  }

  async upsert(rows: readonly HiddenKeyRow[]): Promise<void> {
    if (!rows.length) return;
    await this.table
      .mergeInsert('edit_id')
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute(rows.map((r) => ({ edit_id: r.editId, spec: r.spec, radius: r.radius, vector: Array.from(r.vector) })));
  }

  async remove(editIds: readonly string[]): Promise<void> {
    if (!editIds.length) return;
    await this.table.delete(`edit_id IN (${editIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})`);
  }

  async ids(): Promise<string[]> {
    return (await this.table.query().select(['edit_id']).toArray()).map((r) => String(r.edit_id));
  }

  /** Makes removals physical (compaction and old-version cleanup): keys are hidden states of edit prompts. */
  async purge(): Promise<void> {
    await this.table.optimize({ cleanupOlderThan: new Date(), deleteUnverified: true });
  }
}
