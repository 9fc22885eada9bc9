import { ConflictException, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { getMethod } from '../../editors/builtin-methods';
import type { DeltaOperation } from '../../editors/edit-operation';
import { decodeOperation } from '../../editors/operation-codec';
import { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { ModelVersion } from '../../memory/entities/model-version.entity';
import { ModelService } from '../model/model.service';
import { EditEventsService } from './edit-events.service';
import { EditMemoryService } from './edit-memory.service';

const LIVE = ['applied', 'verified'] as const;

/**
 * Model versions: the loaded checkpoint is version 1; committing an edit merges its delta into the
 * served weights (W' = W + V·Uᵀ) and makes version n+1, rolling a committed edit back subtracts
 * it and makes another. At start the live committed edits are merged again, in the order of the
 * versions they made, so the served model is always the checkpoint plus exactly those edits.
 */
@Injectable()
export class ModelVersionsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ModelVersionsService.name);
  /** Commits and rollbacks one at a time: each makes the next version from the current one. */
  private readonly versionLock = new Mutex();
  /**
   * The version these weights are, as this daemon last made or followed it: it answers requests
   * without a query, and it lags the database exactly as long as these weights do.
   */
  private servedVersion?: ModelVersion;
  /** Payloads (sha256, or the edit id) merged into the served weights now. */
  private readonly merged = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly models: ModelService,
    private readonly memory: EditMemoryService,
    private readonly events: EditEventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Another daemon on the same server committed or rolled back an edit: do the same to these weights.
    this.events.subscribe(
      async (event) => {
        if (event.kind === 'weights') await this.follow(event.editId, event.sign);
      },
      async () => void (await this.resync()),
    );
    const { merged } = await this.syncWeights(false);
    this.servedVersion = await this.current();
    if (merged) this.logger.log(`model version: ${merged} committed edits merged into the checkpoint`);
  }

  /**
   * Merges (1) or subtracts (−1) a delta once, and says whether it did: the payloads merged into
   * this daemon's weights are tracked, so an event about a commit the start-up replay already
   * merged changes nothing.
   */
  private async apply(merge: Merge, row: EditOperationRow, operation: DeltaOperation, sign: 1 | -1): Promise<boolean> {
    const payload = payloadOf(row);
    if ((sign === 1) === this.merged.has(payload)) return false;
    await merge(operation, sign);
    if (sign === 1) this.merged.add(payload);
    else this.merged.delete(payload);
    return true;
  }

  /**
   * After events were lost (the listening connection dropped): the weights are brought to the
   * live committed edits as at start, and edits committed meanwhile leave routing.
   */
  private async resync(): Promise<{ merged: number; subtracted: number }> {
    const synced = await this.syncWeights(true);
    this.servedVersion = await this.current();
    if (synced.merged || synced.subtracted) this.logger.warn(`edit events were lost for a while: ${synced.merged} committed edits merged and ${synced.subtracted} rolled-back edits subtracted since`);
    return synced;
  }

  /**
   * Brings the served weights to exactly the live committed edits (the start-up replay, and the
   * resync after lost events): merges the payloads not merged yet, subtracts the merged ones no
   * longer live (deltas add, so order does not matter). With `leaveRouting` the edits merged here
   * leave routing under the same weight lock (the edit memory's own resync does the same from
   * Postgres); at start they were never routed.
   */
  private async syncWeights(leaveRouting: boolean): Promise<{ merged: number; subtracted: number }> {
    if (!this.models.configured) return { merged: 0, subtracted: 0 };
    return this.versionLock.runExclusive(async () => {
      const live = await this.liveCommitted();
      const wanted = new Set(live.map(payloadOf));
      const toMerge = live.filter((r) => !this.merged.has(payloadOf(r)));
      const toSubtract = await this.rowsOfPayloads([...this.merged].filter((p) => !wanted.has(p)));
      if (!toMerge.length && !toSubtract.length) return { merged: 0, subtracted: 0 };
      return this.models.changingWeights(async (_model, merge) => {
        let [merged, subtracted] = [0, 0];
        for (const row of toSubtract) if (await this.apply(merge, row, decodeOperation(row.payload) as DeltaOperation, -1)) subtracted++;
        for (const row of toMerge) if (await this.apply(merge, row, decodeOperation(row.payload) as DeltaOperation, 1)) merged++;
        if (leaveRouting) await this.memory.deactivate(toMerge.map((r) => r.id), { publish: false });
        return { merged, subtracted };
      });
    });
  }

  /** One row for each payload (sha256, or an edit id for a row without one). */
  private async rowsOfPayloads(payloads: readonly string[]): Promise<EditOperationRow[]> {
    if (!payloads.length) return [];
    const repo = this.dataSource.getRepository(EditOperationRow);
    const rows = [...(await repo.findBy({ payloadSha256: In([...payloads]) })), ...(await repo.findBy({ id: In(payloads.filter((p) => /^[0-9a-f-]{36}$/.test(p))) }))];
    return [...new Map(rows.filter((r) => payloads.includes(payloadOf(r))).map((r) => [payloadOf(r), r])).values()];
  }

  /** Another daemon's commit (sign 1) or rollback (−1) of an edit, applied to this daemon's weights. */
  private async follow(editId: string, sign: 1 | -1): Promise<void> {
    if (!this.models.configured) return;
    const row = await this.dataSource.getRepository(EditOperationRow).findOneBy({ id: editId });
    if (!row?.payload) return;
    const operation = decodeOperation(row.payload) as DeltaOperation;
    const ids = await this.sharing(row, 'committed');
    await this.versionLock.runExclusive(() =>
      this.models.changingWeights(async (_model, merge) => {
        await this.apply(merge, row, operation, sign);
        if (sign === 1) await this.memory.deactivate(ids, { publish: false });
        this.servedVersion = await this.current();
      }),
    );
  }

  /** The version of the weights this daemon serves now (read once at start, then kept as they change). */
  async served(): Promise<ModelVersion> {
    return (this.servedVersion ??= await this.current());
  }

  /** The served model's newest version in the database (version 1, the checkpoint itself, is made on first use). */
  async current(manager: EntityManager = this.dataSource.manager): Promise<ModelVersion> {
    const { name } = await this.models.get();
    const latest = (m: EntityManager) => m.getRepository(ModelVersion).findOne({ where: { modelId: 'default', checkpointUri: name }, order: { version: 'DESC' } });
    const found = await latest(manager);
    if (found) return found;
    // Made once, under the lock that orders versions, so that concurrent first calls agree.
    const create = async (m: EntityManager) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [VERSION_LOCK]);
      return (await latest(m)) ?? m.getRepository(ModelVersion).save({ modelId: 'default', version: 1, parentId: null, checkpointUri: name, description: 'the loaded checkpoint, no committed edits' });
    };
    return manager.queryRunner?.isTransactionActive ? create(manager) : this.dataSource.transaction(create);
  }

  /**
   * Merges a routed weight edit into the served model. Operations sharing its payload (one batch
   * computation stored for several facts) are committed with it: the merged delta serves them all.
   */
  async commit(id: string): Promise<{ version: ModelVersion; edits: string[] }> {
    return this.versionLock.runExclusive(async () => {
      const row = await this.dataSource.getRepository(EditOperationRow).findOneBy({ id });
      if (!row) throw new NotFoundException(`no edit ${id}`);
      // Committed, a subject-wide refusal would reach every request.
      if (row.erasureId) throw new ConflictException(`edit ${id} belongs to privacy erasure ${row.erasureId}; its edits stay routed`);
      if (row.kind !== 'delta') throw new ConflictException(`edit ${id} is a ${row.kind} edit; only weight edits (kind delta) can be committed`);
      // A keyed delta (MELO) selects its requests by their hidden state: merged, it would reach every request.
      if (!getMethod(row.method).capabilities.committable) throw new ConflictException(`edit ${id} was made by ${row.method}, whose edits are not committable`);
      if (row.mode === 'committed') throw new ConflictException(`edit ${id} is already committed`);
      if (!(LIVE as readonly string[]).includes(row.status)) throw new ConflictException(`edit ${id} is ${row.status}; only applied or verified edits can be committed`);
      return this.change(row, await this.sharing(row, 'routed'), 1, (version) => ({ mode: 'committed', modelVersionId: version.id }));
    });
  }

  /** Subtracts a committed edit (and those sharing its payload) from the served model; they become `reverted`. */
  async rollback(id: string): Promise<{ version: ModelVersion; edits: string[] }> {
    return this.versionLock.runExclusive(async () => {
      const row = await this.dataSource.getRepository(EditOperationRow).findOneBy({ id });
      if (!row) throw new NotFoundException(`no edit ${id}`);
      if (row.mode !== 'committed' || !(LIVE as readonly string[]).includes(row.status)) throw new ConflictException(`edit ${id} is not a live committed edit`);
      return this.change(row, await this.sharing(row, 'committed'), -1, () => ({ status: 'reverted' }));
    });
  }

  /**
   * A commit (sign 1) or committed rollback (−1) of `row`'s delta for the rows `ids`: the next
   * version and the rows' new state in one transaction, then the weights, all under the weight
   * lock so that no request sees the edit twice (merged and routed) or half-merged; then the
   * other daemons are told.
   */
  private change(row: EditOperationRow, ids: string[], sign: 1 | -1, update: (version: ModelVersion) => QueryDeepPartialEntity<EditOperationRow>, description?: string): Promise<{ version: ModelVersion; edits: string[] }> {
    const operation = decodeOperation(row.payload) as DeltaOperation;
    return this.models.changingWeights(async (_model, merge) => {
      const version = await this.dataSource.transaction(async (manager) => {
        // Daemons on one server make versions one at a time, each from the latest.
        await manager.query(`SELECT pg_advisory_xact_lock($1)`, [VERSION_LOCK]);
        const made = await this.next(manager, description ?? `${sign === 1 ? 'commit' : 'rollback'} of edit ${row.id}`);
        await manager.update(EditOperationRow, { id: In(ids) }, update(made));
        return made;
      });
      await this.apply(merge, row, operation, sign);
      this.servedVersion = version;
      if (sign === 1) await this.memory.deactivate(ids, { publish: false });
      await this.events.publish({ kind: 'weights', editId: row.id, sign });
      this.logger.log(`model version ${version.version}: ${sign === 1 ? 'committed' : 'rolled back'} ${ids.join(', ')}`);
      return { version, edits: ids };
    });
  }

  /**
   * Rolls back older live committed edits that a newer fact of the same identity replaces, before
   * that fact is computed on the served weights: they become `superseded` by it. A committed
   * payload shared with facts of other identities (one MEMIT batch) stays merged: subtracting it
   * would undo those facts too. Returns the ids rolled back.
   */
  async supersedeCommitted(rows: readonly EditOperationRow[], successorFactId: string): Promise<string[]> {
    const done: string[] = [];
    const candidates = new Set(rows.map((r) => r.id));
    for (const row of rows) {
      if (done.includes(row.id)) continue;
      const rolledBack = await this.versionLock.runExclusive(async () => {
        const current = await this.dataSource.getRepository(EditOperationRow).findOneBy({ id: row.id });
        if (!current || current.mode !== 'committed' || !(LIVE as readonly string[]).includes(current.status)) return [];
        const ids = await this.sharing(current, 'committed');
        if (ids.some((id) => !candidates.has(id))) {
          this.logger.warn(`edit ${row.id} is superseded by fact ${successorFactId} but stays merged: its committed payload serves other facts too`);
          return [];
        }
        const { edits } = await this.change(current, ids, -1, () => ({ status: 'superseded', supersededBy: successorFactId }), `rollback of edit ${row.id}: superseded by fact ${successorFactId}`);
        return edits;
      });
      done.push(...rolledBack);
    }
    return done;
  }

  /**
   * Merges again the committed edits rolled back for a newer fact that then failed: an older value
   * stays served until a newer one can be.
   */
  async restoreSuperseded(successorFactId: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(EditOperationRow).findBy({ supersededBy: successorFactId, mode: 'committed', status: 'superseded' });
    const restored: string[] = [];
    for (const row of rows) {
      if (restored.includes(row.id)) continue;
      const ids = rows.filter((r) => payloadOf(r) === payloadOf(row)).map((r) => r.id);
      await this.versionLock.runExclusive(() => this.change(row, ids, 1, (version) => ({ status: 'verified', supersededBy: null, modelVersionId: version.id }), `restore of edit ${row.id}: fact ${successorFactId} failed`));
      restored.push(...ids);
    }
    return restored;
  }

  /**
   * Undo of a supersession: once a fact has no live edit left (its edits were rolled back), the
   * edits and facts it superseded come back (routed ones are routed again, committed ones merged
   * again), so that rolling back the newest value serves the one before it.
   */
  async restorePredecessors(factId: string): Promise<string[]> {
    const repo = this.dataSource.getRepository(EditOperationRow);
    if (await repo.count({ where: { factId, status: In([...LIVE]) } })) return [];
    const routed = await repo.findBy({ supersededBy: factId, status: 'superseded', mode: 'routed' });
    if (routed.length) {
      await repo.update({ id: In(routed.map((r) => r.id)) }, { status: 'verified', supersededBy: null });
      await this.memory.activate(routed);
    }
    const committed = await this.restoreSuperseded(factId);
    await this.dataSource.query(`UPDATE facts SET status = 'verified', superseded_by = NULL, updated_at = now() WHERE superseded_by = $1 AND status = 'superseded'`, [factId]);
    return [...routed.map((r) => r.id), ...committed];
  }

  /** Every version of the served checkpoint, newest first (version 1, the checkpoint, from the start). */
  async list(): Promise<ModelVersion[]> {
    await this.current();
    const { name } = await this.models.get();
    return this.dataSource.getRepository(ModelVersion).find({ where: { modelId: 'default', checkpointUri: name }, order: { version: 'DESC' } });
  }

  private async next(manager: EntityManager, description: string): Promise<ModelVersion> {
    const parent = await this.current(manager);
    return manager.getRepository(ModelVersion).save({ modelId: 'default', version: parent.version + 1, parentId: parent.id, checkpointUri: parent.checkpointUri, description });
  }

  /** The live operations of the given mode with the row's payload (the row itself included). */
  private async sharing(row: EditOperationRow, mode: 'routed' | 'committed'): Promise<string[]> {
    if (!row.payloadSha256) return [row.id];
    const rows = await this.dataSource.getRepository(EditOperationRow).find({ where: { payloadSha256: row.payloadSha256, mode, status: In([...LIVE]) }, select: { id: true } });
    return [...new Set([row.id, ...rows.map((r) => r.id)])];
  }

  /** Live committed operations in the order of the versions they made (rows committed together share a payload, merged once). */
  private async liveCommitted(): Promise<EditOperationRow[]> {
    const rows = await this.dataSource.getRepository(EditOperationRow).find({ where: { mode: 'committed', status: In([...LIVE]) } });
    if (!rows.length) return [];
    const versions = await this.dataSource.getRepository(ModelVersion).findBy({ id: In([...new Set(rows.map((r) => r.modelVersionId!))]) });
    const order = new Map(versions.map((v) => [v.id, v.version]));
    return rows.sort((a, b) => order.get(a.modelVersionId!)! - order.get(b.modelVersionId!)! || a.createdAt.getTime() - b.createdAt.getTime());
  }
}

const payloadOf = (row: EditOperationRow) => row.payloadSha256 ?? row.id;

/** Adds (1) or subtracts (−1) a delta in the served weights and the edit process's copy. */
type Merge = (operation: DeltaOperation, sign: 1 | -1) => Promise<void>;

/** The advisory lock key under which daemons sharing a server make model versions. */
const VERSION_LOCK = 0x6b6564_01;
