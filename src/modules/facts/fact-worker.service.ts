import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { getMethod } from '../../editors/builtin-methods';
import type { MemoryReader } from '../../editors/edit-method';
import type { EditOperation } from '../../editors/edit-operation';
import type { EditRequest } from '../../editors/edit-request';
import { loadHparams } from '../../editors/registry';
import { Fact } from '../../memory/entities/fact.entity';
import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import { EditMemoryService, type EditScope } from '../edits/edit-memory.service';
import { ModelService } from '../model/model.service';
import { methodsFor, wantsMemoryRecord } from './edit-policy';
import { verifyEdit, type Verification } from './verify-edit';

const IDLE_POLL_MS = 200;

/**
 * Applies queued facts in arrival order, one at a time or, with timer batching, several in one
 * computation of a batchable method: each method the policy gives the fact (KED_EDIT_METHODS for
 * a modification, KED_INSERTION_METHODS for an insertion) computes an edit, a verification runs
 * the fact's prompt with it, and the first that passes is stored with the fact's new status
 * (and, for a fact of a KED_MEMORY_RELATIONS relation, a memory record) in one transaction, then
 * routed. A crash before that commit leaves the fact `computing`; the next start puts it back in
 * the queue, so it is applied exactly once. One worker per database (the in-flight reset at
 * start assumes it).
 */
@Injectable()
export class FactWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FactWorkerService.name);
  private stopping = false;
  private running?: Promise<void>;
  /** AlphaEdit-style method state for the edits this process made. */
  private readonly methodState = new Map<string, unknown>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectKedConfig() private readonly config: KedConfig,
    private readonly models: ModelService,
    private readonly memory: EditMemoryService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker || !this.models.configured) return;
    this.running = this.loop().catch((err: Error) => this.logger.error(`fact worker stopped: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    const reset = await this.dataSource.query(`UPDATE facts SET status = 'queued' WHERE status = 'computing'`);
    if (Number(reset[1])) this.logger.warn(`${reset[1]} facts were in flight at the last stop; queued again`);
    await this.models.get();
    while (!this.stopping) {
      const [fact] = await this.claim(1);
      if (!fact) {
        await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
        continue;
      }
      const claimed = [fact, ...(await this.gatherBatch(fact))];
      // Facts claimed with it whose policy starts with another method are edited one by one after.
      const first = methodsFor(this.config.editPolicy, fact)[0];
      const batch = claimed.filter((f) => methodsFor(this.config.editPolicy, f)[0] === first);
      const alone = claimed.filter((f) => !batch.includes(f));
      for (const work of [batch, ...alone.map((f) => [f])]) {
        try {
          if (work.length > 1) await this.applyBatch(work);
          else await this.apply(work[0]);
        } catch (err) {
          for (const f of work) {
            this.logger.error(`fact ${f.id}: ${(err as Error).message}`);
            await this.dataSource.query(`UPDATE facts SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status = 'computing'`, [f.id, (err as Error).message]);
          }
        }
      }
    }
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

  /** The oldest queued facts, marked computing (SKIP LOCKED: safe against a second claimer). */
  private async claim(limit: number): Promise<Fact[]> {
    const result: unknown[] = await this.dataSource.query(
      `UPDATE facts SET status = 'computing', attempts = attempts + 1, updated_at = now()
        WHERE id IN (SELECT id FROM facts WHERE status = 'queued' ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, subject, prompt, target_new, ground_truth, relation, record, created_at`,
      [limit],
    );
    // TypeORM answers UPDATE … RETURNING with [rows, count].
    const rows = (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
    return rows
      .map((row) => ({ id: row.id, subject: row.subject, prompt: row.prompt, targetNew: row.target_new, groundTruth: row.ground_truth, relation: row.relation, record: row.record, createdAt: new Date(String(row.created_at)) }) as Fact)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
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
    const method = getMethod(name);
    const requests = facts.map(requestOf);
    let operations;
    try {
      operations = await this.models.withEditing((context) => method.compute({ ...context, methodState: this.methodState }, requests, loadHparams(method)));
    } catch (err) {
      for (const fact of facts) await this.apply(fact, 1, [{ method: name, error: (err as Error).message }]);
      return;
    }
    const passed: Array<{ fact: Fact; tried: Tried[] }> = [];
    const failed: Array<{ fact: Fact; tried: Tried[] }> = [];
    const reader = this.readerOf(name, serving, tokenizer);
    for (const [i, fact] of facts.entries()) {
      const verification = await this.models.reading(() => verifyEdit(serving, tokenizer, requests[i], operations, name, reader));
      (verification.passed ? passed : failed).push({ fact, tried: [{ ...verification, batch: facts.length } as Tried] });
    }
    if (passed.length) await this.store(passed, operations, name);
    for (const { fact, tried } of failed) await this.apply(fact, 1, tried);
  }

  /** The method's memory reader over the serving model, for methods that have one (MeLLo, PokeMQA). */
  private readerOf(name: string, serving: LanguageModel, tokenizer: KedTokenizer): MemoryReader | undefined {
    const method = getMethod(name);
    return method.reader?.({ model: serving, tokenizer, retriever: this.memory.retriever, knowledge: this.models.knowledge() }, loadHparams(method));
  }

  /**
   * Stores the operations for each verified fact (with its memory record where the policy wants
   * one) and its new status in one transaction, then routes them.
   */
  private async store(verified: ReadonlyArray<{ fact: Fact; tried: Tried[] }>, operations: readonly EditOperation[], editedWith: string): Promise<void> {
    const records = new Map<string, EditOperation[]>();
    for (const { fact } of verified) records.set(fact.id, await this.memoryRecord(fact, editedWith));
    const saved = await this.dataSource.transaction(async (manager) => {
      const rows = [];
      for (const { fact, tried } of verified) {
        for (const operation of operations) rows.push(await this.memory.save(manager, { factId: fact.id, operation, scope: scopeOf(fact), verification: { tried } }));
        for (const operation of records.get(fact.id)!) rows.push(await this.memory.save(manager, { factId: fact.id, operation, scope: scopeOf(fact), verification: { memoryRecordFor: editedWith } }));
        await manager.update(Fact, { id: fact.id }, { status: 'verified', error: null });
      }
      return rows;
    });
    await this.memory.activate(saved);
  }

  /**
   * The memory record of a fact of a multi-hop relation (KED_MEMORY_RELATIONS), made by the
   * policy's memory method; none for other facts, or when the record cannot be made (the edit
   * itself passed verification and stands; the failure is logged).
   */
  private async memoryRecord(fact: Fact, editedWith: string): Promise<EditOperation[]> {
    const policy = this.config.editPolicy;
    if (!wantsMemoryRecord(policy, fact, editedWith)) return [];
    const method = getMethod(policy.memoryMethod);
    try {
      return await this.models.withEditing((context) => method.compute(context, [requestOf(fact)], loadHparams(method)));
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
      const method = getMethod(name);
      let operations;
      try {
        operations = await this.models.withEditing((context) => method.compute({ ...context, methodState: this.methodState }, [request], loadHparams(method)));
      } catch (err) {
        tried.push({ method: name, error: (err as Error).message });
        continue;
      }
      const verification = await this.models.reading(() => verifyEdit(serving, tokenizer, request, operations, name, this.readerOf(name, serving, tokenizer)));
      tried.push(verification);
      if (!verification.passed) continue;
      await this.store([{ fact, tried }], operations, name);
      return;
    }
    const summary = tried.map((t) => ('error' in t ? `${t.method}: ${t.error}` : `${t.method}: prompt accuracy ${t.prompt.toFixed(2)}`)).join('; ');
    await this.dataSource.getRepository(Fact).update({ id: fact.id }, { status: 'failed', error: `no method made the model say the target (${summary})` });
  }
}

type Tried = Verification | { method: string; error: string };

function requestOf(fact: Fact): EditRequest {
  const record = fact.record as { rephrase_prompt?: string };
  return { subject: fact.subject, prompt: fact.prompt, target_new: fact.targetNew, ground_truth: groundTruthList(fact.groundTruth), rephrase_prompt: record.rephrase_prompt };
}

function scopeOf(fact: Fact): EditScope {
  return { subjects: [fact.subject], statement: `${fact.prompt} ${fact.targetNew}`, object: fact.targetNew };
}

function groundTruthList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flat().filter((v): v is string => typeof v === 'string');
  return undefined;
}
