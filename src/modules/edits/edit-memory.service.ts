import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import type { FactRetriever } from '../../editors/edit-method';
import type { EditOperation as Operation, KeyedOperation } from '../../editors/edit-operation';
import { encodeOperation } from '../../editors/operation-codec';
import { EditMemory, type KeyReader, type MemoryEdit, type ResolvedEdits } from '../../memory/edit-memory';
import { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { loadScopeClassifier } from '../../memory/scope/load-classifier';
import { memoryEditOf, scopedEditOf, scopeKeysOf, type EditScopeKeys } from '../../memory/stored-edit';
import { HiddenKeyIndex } from '../../memory/vector/hidden-key-index';
import { LanceService } from '../../memory/vector/lance.service';
import { EditEventsService } from './edit-events.service';

/**
 * The RASE edit memory in the daemon: PostgreSQL holds every operation (the record), and an
 * `EditMemory` (src/memory/edit-memory.ts) routes the live routed ones. This service keeps the
 * two in step: it stores operations, loads the live ones at start, rebuilds LanceDB's keys from
 * the rows wherever they disagree (a crash between commit and indexing), and follows the other
 * daemons' changes through edit events. Routing questions are delegated to the memory.
 */
@Injectable()
export class EditMemoryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EditMemoryService.name);
  private loaded?: EditMemory;
  /** The keyed operations' keys in LanceDB (the durable copy; requests are matched in memory). */
  private keyIndex?: Promise<HiddenKeyIndex>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lance: LanceService,
    private readonly events: EditEventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.loaded = await EditMemory.open(this.lance.connection, loadScopeClassifier());
    // Other daemons on the same server activate and deactivate edits too; listening before the
    // first reconcile loses nothing in between (both only make routing match the rows).
    this.events.subscribe(
      async (event) => {
        if (event.kind === 'routing') await this.reload(event.ids);
      },
      async () => void (await this.reconcile()),
    );
    const { loaded, stale } = await this.reconcile();
    if (loaded || stale) this.logger.log(`edit memory: ${loaded} routed edits loaded, ${stale} stale scope keys removed`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loaded?.close();
  }

  /** The routing memory (loaded at start). */
  get memory(): EditMemory {
    if (!this.loaded) throw new Error('the edit memory is not loaded yet');
    return this.loaded;
  }

  /**
   * Makes routing match Postgres: the live routed rows are active, nothing else is; scope keys
   * LanceDB lacks are added and keys it should not have are dropped (a crash between commit and
   * indexing, another daemon's changes while events were lost).
   */
  private async reconcile(): Promise<{ loaded: number; stale: number }> {
    const rows = await this.dataSource.getRepository(EditOperationRow).find({ where: { status: In(['applied', 'verified']), mode: 'routed' }, order: { createdAt: 'ASC' } });
    const live = new Set(rows.map((r) => r.id));
    const stale = this.memory.indexedIds().filter((id) => !live.has(id));
    await this.memory.remove(stale);
    await this.memory.add(rows.map((row) => ({ edit: memoryEditOf(row), scope: scopedEditOf(row) })));
    await this.indexKeys(this.memory.keyedEdits());
    if (this.keyIndex) {
      const index = await this.keyIndex;
      await index.remove((await index.ids()).filter((id) => !this.memory.keyedEdits([id]).length));
    }
    return { loaded: rows.length, stale: stale.length };
  }

  /** Re-reads the named rows after another daemon changed them: live routed rows are routed, others not. */
  private async reload(ids: readonly string[]): Promise<void> {
    const rows = await this.dataSource.getRepository(EditOperationRow).findBy({ id: In([...ids]) });
    const live = rows.filter((r) => r.mode === 'routed' && (r.status === 'applied' || r.status === 'verified'));
    const liveIds = new Set(live.map((r) => r.id));
    await this.deactivate(ids.filter((id) => !liveIds.has(id)), { publish: false });
    await this.activate(live.filter((r) => !this.memory.has(r.id)), { publish: false });
  }

  get size(): number {
    return this.memory.size;
  }

  get retriever(): FactRetriever {
    return this.memory.retriever;
  }

  /** Stores an operation (payload content-addressed by its sha256) inside the caller's transaction. */
  async save(manager: EntityManager, row: { factId: string | null; erasureId?: string; operation: Operation; scope: EditScopeKeys; verification: unknown }): Promise<EditOperationRow> {
    const payload = encodeOperation(row.operation);
    const text = JSON.stringify(payload);
    return manager.getRepository(EditOperationRow).save({
      factId: row.factId,
      erasureId: row.erasureId ?? null,
      method: row.operation.method,
      kind: row.operation.kind,
      mode: 'routed',
      layers: row.operation.kind === 'delta' ? row.operation.factors.map((f) => f.layer) : row.operation.kind === 'codebook' ? [row.operation.key.tap.layer] : [],
      payloadSha256: createHash('sha256').update(text).digest('hex'),
      payload,
      scopeKeys: scopeKeysOf(row.scope),
      status: 'verified',
      modelVersionId: null,
      verification: row.verification,
    });
  }

  /** Makes stored operations visible to routing (after their transaction committed), here and in the other daemons. */
  async activate(rows: readonly EditOperationRow[], options: { publish?: boolean } = {}): Promise<void> {
    if (!rows.length) return;
    await this.memory.add(rows.map((row) => ({ edit: memoryEditOf(row), scope: scopedEditOf(row) })));
    await this.indexKeys(this.memory.keyedEdits(rows.map((r) => r.id)));
    if (options.publish ?? true) await this.events.publish({ kind: 'routing', ids: rows.map((r) => r.id) });
  }

  /** Takes operations out of routing (rollback, quarantine, erasure, commit), here and in the other daemons. */
  async deactivate(ids: readonly string[], options: { publish?: boolean } = {}): Promise<void> {
    if (!ids.length) return;
    await this.memory.remove(ids);
    if (this.keyIndex) await (await this.keyIndex).remove(ids);
    if (options.publish ?? true) await this.events.publish({ kind: 'routing', ids: [...ids] });
  }

  /** Whether this daemon routes the operation now (it is active here). */
  isRouting(id: string): boolean {
    return this.memory.has(id);
  }

  isErasureEdit(id: string): boolean {
    return this.memory.isErasureEdit(id);
  }

  namesErasedSubject(text: string): Promise<boolean> {
    return this.memory.namesErasedSubject(text);
  }

  asksEditedFact(text: string, editId: string): boolean {
    return this.memory.asksEditedFact(text, editId);
  }

  /** Everything that applies to one request (see EditMemory.resolve). */
  resolve(text: string, readKeys?: KeyReader): Promise<ResolvedEdits> {
    return this.memory.resolve(text, readKeys);
  }

  /** The edits in scope of a request's text (see EditMemory.inScope). */
  inScope(text: string): Promise<MemoryEdit[]> {
    return this.memory.inScope(text);
  }

  /** Makes removed scope keys and hidden keys physically gone (compaction and old-version cleanup). */
  async purge(): Promise<void> {
    await this.memory.purge();
    if (this.keyIndex) await (await this.keyIndex).purge();
  }

  /** Indexes the given keyed operations' keys (an upsert: safe to repeat). */
  private async indexKeys(edits: ReadonlyArray<MemoryEdit & { operation: KeyedOperation; spec: string }>): Promise<void> {
    const rows = edits.map((edit) => ({ editId: edit.id, vector: edit.operation.key.center.data as Float32Array, radius: edit.operation.key.radius, spec: edit.spec }));
    if (!rows.length) return;
    this.keyIndex ??= HiddenKeyIndex.open(this.lance.connection, rows[0].vector.length);
    await (await this.keyIndex).upsert(rows);
  }
}
