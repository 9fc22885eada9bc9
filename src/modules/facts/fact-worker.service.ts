import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, In, type EntityManager } from 'typeorm';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { getMethod } from '../../editors/builtin-methods';
import type { MemoryReader } from '../../editors/edit-method';
import type { EditOperation } from '../../editors/edit-operation';
import type { EditRequest } from '../../editors/edit-request';
import { decodeOperation } from '../../editors/operation-codec';
import { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { Fact } from '../../memory/entities/fact.entity';
import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import { EditMemoryService } from '../edits/edit-memory.service';
import { factScope, type EditScopeKeys } from '../../memory/stored-edit';
import { ModelVersionsService } from '../edits/model-versions.service';
import { EditProcessCrash } from '../model/edit-process/edit-runner';
import { ModelService } from '../model/model.service';
import { methodsFor, wantsMemoryRecord } from './edit-policy';
import { verifyEdit, type Verification } from './verify-edit';

const IDLE_POLL_MS = 200;

/** A claim this worker no longer holds (its lease lapsed and another worker took the fact): nothing is stored. */
class LostClaim extends Error {}

/**
 * Applies queued facts in arrival order (their ingest sequence number), one at a time or, with
 * timer batching, several in one computation of a batchable method. Each method the policy gives
 * the fact computes an edit in the edit process, a verification runs the fact's prompt with it,
 * and the first that passes is stored with the fact's new status (and, for a fact of a
 * KED_MEMORY_RELATIONS relation, a memory record) in one transaction, then routed.
 *
 * The stream's semantics (ARCHITECTURE.md): a fact about the same identity (subject and relation)
 * as older live edits supersedes them in that transaction; a fact the unedited model already
 * answers retires them and adds none. Workers on one PostgreSQL server share the queue: a claim
 * takes the oldest queued facts whose identity has no older fact queued or in flight (so one
 * identity is never reordered), holds them under a lease its heartbeat renews, and stores only
 * while it still holds them. A fact whose computation crashed, timed out, or whose worker died
 * is tried again up to KED_FACT_MAX_ATTEMPTS times, then fails with the reason.
 */
@Injectable()
export class FactWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FactWorkerService.name);
  /** This process's name on its claims. */
  private readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private stopping = false;
  private running?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private lastExpiry = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectKedConfig() private readonly config: KedConfig,
    private readonly models: ModelService,
    private readonly memory: EditMemoryService,
    private readonly versions: ModelVersionsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker || !this.models.configured) return;
    this.running = this.loop().catch((err: Error) => this.logger.error(`fact worker stopped: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.running;
    clearInterval(this.heartbeat);
  }

  private async loop(): Promise<void> {
    // The embedded engine has one daemon: whatever it was computing at its last stop is orphaned.
    await this.expireClaims(this.config.database.mode === 'embedded');
    await this.models.get();
    this.heartbeat = setInterval(() => void this.renewClaims().catch((err: Error) => this.logger.warn(`heartbeat: ${err.message}`)), this.config.stream.leaseMs / 3);
    this.heartbeat.unref();
    while (!this.stopping) {
      if (Date.now() - this.lastExpiry > this.config.stream.leaseMs / 2) await this.expireClaims(false);
      const [fact] = await this.claim(1);
      if (!fact) {
        await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
        continue;
      }
      const claimed = [fact, ...(await this.gatherBatch(fact))];
      const pending: Fact[] = [];
      for (const f of claimed) if (await this.settleWithoutEdit(f).catch((err: Error) => this.failed(f, err))) pending.push(f);
      if (!pending.length) continue;
      // Facts claimed with it whose policy starts with another method are edited one by one after.
      const first = methodsFor(this.config.editPolicy, pending[0])[0];
      const batch = pending.filter((f) => methodsFor(this.config.editPolicy, f)[0] === first);
      const alone = pending.filter((f) => !batch.includes(f));
      for (const work of [batch, ...alone.map((f) => [f])]) {
        try {
          if (work.length > 1) await this.applyBatch(work);
          else await this.apply(work[0]);
        } catch (err) {
          for (const f of work) await this.failed(f, err as Error);
        }
      }
    }
  }

  /**
   * A fact that ended in an error outside the methods' own failures: a crashed or timed-out edit
   * process is tried again while attempts remain; anything else fails the fact with its reason.
   */
  private async failed(fact: Fact, err: Error): Promise<boolean> {
    if (err instanceof LostClaim) {
      this.logger.warn(`fact ${fact.id}: ${err.message}`);
      return false;
    }
    const retry = err instanceof EditProcessCrash && fact.attempts < this.config.stream.maxAttempts;
    this.logger.error(`fact ${fact.id} (attempt ${fact.attempts} of ${this.config.stream.maxAttempts}): ${err.message}${retry ? '; queued again' : ''}`);
    const error = err instanceof EditProcessCrash ? `attempt ${fact.attempts} of ${this.config.stream.maxAttempts}: ${err.message}` : err.message;
    await this.dataSource.query(
      `UPDATE facts SET status = $3, error = $2, claimed_by = NULL, lease_until = NULL, updated_at = now() WHERE id = $1 AND status = 'computing' AND claimed_by = $4`,
      [fact.id, error, retry ? 'queued' : 'failed', this.workerId],
    );
    if (!retry) await this.restoreOlder(fact);
    return false;
  }

  /**
   * Claims whose lease lapsed (their worker died or hung) go back to the queue, or fail once they
   * used up their attempts: a fact that kills its daemon every time cannot loop. `all`: every
   * claim, whoever holds it (the embedded engine's one daemon, at start).
   */
  private async expireClaims(all: boolean): Promise<void> {
    this.lastExpiry = Date.now();
    const max = this.config.stream.maxAttempts;
    const result: unknown[] = await this.dataSource.query(
      `UPDATE facts SET status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
              error = CASE WHEN attempts >= $1 THEN 'its worker stopped while computing it, ' || attempts || ' times of ' || $1 || ' allowed (a crash, kill or hang)' ELSE error END,
              claimed_by = NULL, lease_until = NULL, updated_at = now()
        WHERE status = 'computing' AND ($2 OR lease_until IS NULL OR lease_until < now())
        RETURNING id, status`,
      [max, all],
    );
    const rows = (Array.isArray(result[0]) ? result[0] : result) as Array<{ id: string; status: string }>;
    if (rows.length) this.logger.warn(`${rows.length} facts were in flight with a worker that stopped: ${rows.filter((r) => r.status === 'queued').length} queued again, ${rows.filter((r) => r.status === 'failed').length} failed after ${max} attempts`);
    for (const row of rows.filter((r) => r.status === 'failed')) await this.versions.restoreSuperseded(row.id);
  }

  /** Renews this worker's leases while it computes (a long computation keeps its facts). */
  private async renewClaims(): Promise<void> {
    await this.dataSource.query(`UPDATE facts SET lease_until = now() + ($2 || ' milliseconds')::interval WHERE claimed_by = $1 AND status = 'computing'`, [this.workerId, String(this.config.stream.leaseMs)]);
  }

  /**
   * Timer batching (KED_BATCH_WINDOW_MS): when the first method for the fact edits in batches,
   * wait the window and claim up to KED_BATCH_MAX − 1 more queued facts to edit with it.
   */
  private async gatherBatch(fact: Fact): Promise<Fact[]> {
    const { windowMs, max } = this.config.batch;
    if (windowMs === 0 || max < 2 || !getMethod(methodsFor(this.config.editPolicy, fact)[0]).capabilities.batchable) return [];
    // Wake early at shutdown: the fact in hand is edited alone rather than waited on.
    for (const until = Date.now() + windowMs; Date.now() < until && !this.stopping; ) await new Promise((r) => setTimeout(r, Math.min(IDLE_POLL_MS, until - Date.now())));
    return this.stopping ? [] : this.claim(max - 1);
  }

  /**
   * The oldest queued facts whose identity has no older fact queued or in flight, marked computing
   * under this worker's lease (SKIP LOCKED: workers never claim the same fact, and the older fact
   * of an identity blocks the newer one until it is settled, whoever holds it).
   */
  private async claim(limit: number): Promise<Fact[]> {
    const result: unknown[] = await this.dataSource.query(
      `UPDATE facts SET status = 'computing', attempts = attempts + 1, claimed_by = $2, lease_until = now() + ($3 || ' milliseconds')::interval, updated_at = now()
        WHERE id IN (
          SELECT id FROM facts f WHERE status = 'queued'
             AND NOT EXISTS (SELECT 1 FROM facts g WHERE g.identity = f.identity AND g.seq < f.seq AND g.status IN ('queued', 'computing'))
           ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, seq, identity, subject, prompt, target_new, ground_truth, relation, record, attempts, created_at`,
      [limit, this.workerId, String(this.config.stream.leaseMs)],
    );
    // TypeORM answers UPDATE … RETURNING with [rows, count].
    const rows = (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
    return rows
      .map((row) => ({ id: row.id, seq: Number(row.seq), identity: row.identity, subject: row.subject, prompt: row.prompt, targetNew: row.target_new, groundTruth: row.ground_truth, relation: row.relation, record: row.record, attempts: Number(row.attempts), createdAt: new Date(String(row.created_at)) }) as unknown as Fact)
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * Settles a fact that needs no edit, and readies the others: a fact older than a live fact of
   * its identity (it arrived in a transaction that committed late) is superseded at once; older
   * committed edits of its identity are rolled back so it is computed on weights without them; a
   * fact the model then already answers retires the older edits and adds none. True when the
   * fact still needs an edit.
   */
  private async settleWithoutEdit(fact: Fact): Promise<boolean> {
    const [newer] = (await this.dataSource.query(`SELECT id FROM facts WHERE identity = $1 AND seq > $2 AND status IN ('verified', 'applied') ORDER BY seq DESC LIMIT 1`, [fact.identity, fact.seq])) as Array<{ id: string }>;
    if (newer) {
      await this.dataSource.transaction(async (manager) => {
        await this.settle(manager, fact, 'superseded', newer.id);
      });
      return false;
    }
    const older = await this.olderLive(fact);
    const committed = older.filter((r) => r.mode === 'committed');
    if (committed.length) await this.versions.supersedeCommitted(committed, fact.id);
    if (wantsMemoryRecord(this.config.editPolicy, fact, '')) return true;
    const { serving, tokenizer } = await this.models.get();
    const unedited = await this.models.reading(() => verifyEdit(serving, tokenizer, requestOf(fact), [], 'none'));
    if (!unedited.passed) return true;
    await this.store([{ fact, tried: [unedited] }], [], 'none');
    return false;
  }

  /** The live edits of older facts of the fact's identity (erasures' edits are never among them). */
  private olderLive(fact: Fact): Promise<EditOperationRow[]> {
    return this.dataSource
      .getRepository(EditOperationRow)
      .createQueryBuilder('o')
      .where(`o.fact_id IN (SELECT id FROM facts WHERE identity = :identity AND seq < :seq)`, { identity: fact.identity, seq: fact.seq })
      .andWhere('o.status IN (:...live)', { live: ['applied', 'verified'] })
      .getMany();
  }

  /** A fact that ends failed gets back the older committed edits rolled back for it. */
  private async restoreOlder(fact: Fact): Promise<void> {
    const restored = await this.versions.restoreSuperseded(fact.id);
    if (restored.length) this.logger.warn(`fact ${fact.id} failed: the older committed edits ${restored.join(', ')} are merged again`);
  }

  /**
   * One computation of the batchable first method for every fact (all of them start with it),
   * verified fact by fact. The facts that pass store the same operations (one content-addressed
   * payload, applied once per request however many of them are in scope); the others go on
   * through the rest of the policy.
   */
  private async applyBatch(facts: Fact[]): Promise<void> {
    const { serving, tokenizer } = await this.models.get();
    const name = methodsFor(this.config.editPolicy, facts[0])[0];
    const requests = facts.map(requestOf);
    const failed = await this.exclusive(name, async () => {
      let operations;
      try {
        operations = await this.models.computeEdit(name, requests, { liveEdits: this.liveEditsOf(name, facts) });
      } catch (err) {
        if (err instanceof EditProcessCrash) throw err;
        return facts.map((fact) => ({ fact, tried: [{ method: name, error: (err as Error).message }] as Tried[] }));
      }
      const passed: Array<{ fact: Fact; tried: Tried[] }> = [];
      const rest: Array<{ fact: Fact; tried: Tried[] }> = [];
      const reader = this.readerOf(name, serving, tokenizer);
      for (const [i, fact] of facts.entries()) {
        const verification = await this.models.reading(() => verifyEdit(serving, tokenizer, requests[i], operations, name, reader));
        (verification.passed ? passed : rest).push({ fact, tried: [{ ...verification, batch: facts.length } as Tried] });
      }
      if (passed.length) await this.store(passed, operations, name);
      return rest;
    });
    for (const { fact, tried } of failed) await this.apply(fact, 1, tried);
  }

  /**
   * For a method whose edits depend on the earlier ones (AlphaEdit's preserved keys): the live
   * edits of that method, which the edit process's state is brought to before it computes.
   */
  private liveEditsOf(name: string, facts: readonly Fact[]): { ids: () => Promise<string[]>; load: (ids: string[]) => Promise<EditOperation[]> } | undefined {
    if (!getMethod(name).account) return undefined;
    const repo = this.dataSource.getRepository(EditOperationRow);
    return {
      ids: async () => {
        // The edits these facts will supersede leave the live set when the result is stored: their
        // keys are no knowledge to preserve (the state is that of the edits live afterwards).
        const replaced = new Set((await Promise.all(facts.map((f) => this.olderLive(f)))).flat().map((r) => r.id));
        const live = await repo.find({ select: { id: true }, where: { method: name, status: In(['applied', 'verified']) }, order: { createdAt: 'ASC' } });
        return live.map((r) => r.id).filter((id) => !replaced.has(id));
      },
      load: async (ids) => (await repo.findBy({ id: In(ids) })).filter((r) => r.payload !== null).map((r) => decodeOperation(r.payload)),
    };
  }

  /**
   * Runs a computation of a method whose edits depend on the earlier ones, through to storing its
   * result, under a PostgreSQL advisory lock: workers sharing a server take turns, so each one
   * computes against every edit stored before (the embedded engine has one worker).
   */
  private async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (!getMethod(name).account || this.config.database.mode === 'embedded') return work();
    const session = this.dataSource.createQueryRunner();
    await session.connect();
    const key = methodLockKey(name);
    try {
      await session.query('SELECT pg_advisory_lock($1)', [key]);
      try {
        return await work();
      } finally {
        await session.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      await session.release();
    }
  }

  /** The method's memory reader over the serving model, for methods that have one (MeLLo, PokeMQA). */
  private readerOf(name: string, serving: LanguageModel, tokenizer: KedTokenizer): MemoryReader | undefined {
    const method = getMethod(name);
    return method.reader?.({ model: serving, tokenizer, retriever: this.memory.retriever, knowledge: this.models.knowledge() }, this.models.methods.hparams(method.name));
  }

  /**
   * Stores the operations for each verified fact (with its memory record where the policy wants
   * one) and its new status in one transaction, retiring the older live edits of its identity,
   * then routes the new edits and takes the retired ones out of routing.
   */
  /** A fact's scope: its subject with the aliases the fact gives and those the knowledge base knows. */
  private scopeOf(fact: Fact): EditScopeKeys {
    const known = this.models.knowledge()?.aliasesOf(fact.subject) ?? [];
    return factScope(fact.subject, fact.prompt, fact.targetNew, [...declaredAliases(fact), ...known]);
  }

  private async store(verified: ReadonlyArray<{ fact: Fact; tried: Tried[] }>, operations: readonly EditOperation[], editedWith: string): Promise<void> {
    const records = new Map<string, EditOperation[]>();
    for (const { fact } of verified) records.set(fact.id, operations.length ? await this.memoryRecord(fact, editedWith) : []);
    const { saved, retired } = await this.dataSource.transaction(async (manager) => {
      const rows = [];
      const retiredIds: string[] = [];
      for (const { fact, tried } of verified) {
        await this.settle(manager, fact, 'verified');
        const scope = this.scopeOf(fact);
        for (const operation of operations) rows.push(await this.memory.save(manager, { factId: fact.id, operation, scope, verification: { tried, worker: this.workerId } }));
        for (const operation of records.get(fact.id)!) rows.push(await this.memory.save(manager, { factId: fact.id, operation, scope, verification: { memoryRecordFor: editedWith } }));
        const superseded = (await manager.query(
          `UPDATE edit_operations SET status = 'superseded', superseded_by = $1, updated_at = now()
            WHERE fact_id IN (SELECT id FROM facts WHERE identity = $2 AND seq < $3) AND status IN ('applied', 'verified') AND mode = 'routed'
            RETURNING id`,
          [fact.id, fact.identity, fact.seq],
        )) as [Array<{ id: string }>, number];
        retiredIds.push(...superseded[0].map((r) => r.id));
        await manager.query(`UPDATE facts SET status = 'superseded', superseded_by = $1, updated_at = now() WHERE identity = $2 AND seq < $3 AND status IN ('applied', 'verified')`, [fact.id, fact.identity, fact.seq]);
      }
      return { saved: rows, retired: retiredIds };
    });
    await this.memory.activate(saved);
    await this.memory.deactivate(retired);
  }

  /** The fact's final status, stored only while this worker still holds its claim. */
  private async settle(manager: EntityManager, fact: Fact, status: 'verified' | 'superseded', supersededBy: string | null = null): Promise<void> {
    const [rows] = (await manager.query(
      `UPDATE facts SET status = $3, superseded_by = $4, error = NULL, claimed_by = NULL, lease_until = NULL, updated_at = now()
        WHERE id = $1 AND status = 'computing' AND claimed_by = $2 RETURNING id`,
      [fact.id, this.workerId, status, supersededBy],
    )) as [unknown[], number];
    if (!rows.length) throw new LostClaim(`the claim lapsed while it was computed (another worker took it); this result is dropped`);
  }

  /**
   * The memory record of a fact of a multi-hop relation (KED_MEMORY_RELATIONS), made by the
   * policy's memory method; none for other facts, or when the record cannot be made (the edit
   * itself passed verification and stands; the failure is logged).
   */
  private async memoryRecord(fact: Fact, editedWith: string): Promise<EditOperation[]> {
    const policy = this.config.editPolicy;
    if (!wantsMemoryRecord(policy, fact, editedWith)) return [];
    try {
      return await this.models.computeEdit(policy.memoryMethod, [requestOf(fact)]);
    } catch (err) {
      this.logger.warn(`fact ${fact.id}: no ${policy.memoryMethod} memory record (${(err as Error).message})`);
      return [];
    }
  }

  /** The policy's methods for the fact from `from` on, the fact alone, until one passes verification. */
  private async apply(fact: Fact, from = 0, tried: Tried[] = []): Promise<void> {
    const { serving, tokenizer } = await this.models.get();
    const request = requestOf(fact);
    for (const name of methodsFor(this.config.editPolicy, fact).slice(from)) {
      const stored = await this.exclusive(name, async () => {
        let operations;
        try {
          operations = await this.models.computeEdit(name, [request], { liveEdits: this.liveEditsOf(name, [fact]) });
        } catch (err) {
          if (err instanceof EditProcessCrash) throw err;
          tried.push({ method: name, error: (err as Error).message });
          return false;
        }
        const verification = await this.models.reading(() => verifyEdit(serving, tokenizer, request, operations, name, this.readerOf(name, serving, tokenizer)));
        tried.push(verification);
        if (!verification.passed) return false;
        await this.store([{ fact, tried }], operations, name);
        return true;
      });
      if (stored) return;
    }
    const summary = tried.map((t) => ('error' in t ? `${t.method}: ${t.error}` : `${t.method}: prompt accuracy ${t.prompt.toFixed(2)}`)).join('; ');
    await this.dataSource.query(`UPDATE facts SET status = 'failed', error = $2, claimed_by = NULL, lease_until = NULL, updated_at = now() WHERE id = $1 AND status = 'computing' AND claimed_by = $3`, [
      fact.id,
      `no method made the model say the target (${summary})`,
      this.workerId,
    ]);
    await this.restoreOlder(fact);
  }
}

type Tried = Verification | { method: string; error: string };

/** The advisory lock key under which workers compute a method's state-dependent edits. */
function methodLockKey(name: string): string {
  return createHash('sha256').update(`ked:method:${name}`).digest().readBigInt64BE(0).toString();
}

function requestOf(fact: Fact): EditRequest {
  const record = fact.record as { rephrase_prompt?: string };
  return { subject: fact.subject, prompt: fact.prompt, target_new: fact.targetNew, ground_truth: groundTruthList(fact.groundTruth), rephrase_prompt: record.rephrase_prompt };
}

/** The aliases a fact gives its subject (`subject_aliases`). */
function declaredAliases(fact: Fact): string[] {
  const aliases = (fact.record as { subject_aliases?: unknown }).subject_aliases;
  return Array.isArray(aliases) ? aliases.filter((a): a is string => typeof a === 'string') : [];
}

function groundTruthList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flat().filter((v): v is string => typeof v === 'string');
  return undefined;
}
