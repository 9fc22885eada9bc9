import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { getMethod } from '../../editors/builtin-methods';
import type { EditRequest } from '../../editors/edit-request';
import { loadHparams } from '../../editors/registry';
import { Fact } from '../../memory/entities/fact.entity';
import { EditMemoryService } from '../edits/edit-memory.service';
import { ModelService } from '../model/model.service';
import { verifyEdit, type Verification } from './verify-edit';

const IDLE_POLL_MS = 200;

/**
 * Applies queued facts one at a time, in arrival order: each method of the policy (KED_EDIT_METHODS)
 * computes an edit, a verification runs the fact's prompt with it, and the first that passes is
 * stored with the fact's new status in one transaction, then routed. A crash before that commit
 * leaves the fact `computing`; the next start puts it back in the queue, so it is applied exactly
 * once. One worker per database (the in-flight reset at start assumes it).
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
      const fact = await this.claim();
      if (!fact) {
        await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
        continue;
      }
      try {
        await this.apply(fact);
      } catch (err) {
        this.logger.error(`fact ${fact.id}: ${(err as Error).message}`);
        await this.dataSource.query(`UPDATE facts SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`, [fact.id, (err as Error).message]);
      }
    }
  }

  /** The oldest queued fact, marked computing (SKIP LOCKED: safe against a second claimer). */
  private async claim(): Promise<Fact | undefined> {
    const result: unknown[] = await this.dataSource.query(
      `UPDATE facts SET status = 'computing', attempts = attempts + 1, updated_at = now()
        WHERE id = (SELECT id FROM facts WHERE status = 'queued' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, subject, prompt, target_new, ground_truth, record`,
    );
    // TypeORM answers UPDATE … RETURNING with [rows, count].
    const rows = (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
    const row = rows[0];
    if (!row) return undefined;
    return { id: row.id, subject: row.subject, prompt: row.prompt, targetNew: row.target_new, groundTruth: row.ground_truth, record: row.record } as Fact;
  }

  private async apply(fact: Fact): Promise<void> {
    const { serving, tokenizer } = await this.models.get();
    const record = fact.record as { rephrase_prompt?: string };
    const request: EditRequest = { subject: fact.subject, prompt: fact.prompt, target_new: fact.targetNew, ground_truth: groundTruthList(fact.groundTruth), rephrase_prompt: record.rephrase_prompt };
    const tried: Array<Verification | { method: string; error: string }> = [];
    for (const name of this.config.editMethods) {
      const method = getMethod(name);
      let operations;
      try {
        operations = await this.models.withEditing((context) => method.compute({ ...context, methodState: this.methodState }, [request], loadHparams(method)));
      } catch (err) {
        tried.push({ method: name, error: (err as Error).message });
        continue;
      }
      const verification = await verifyEdit(serving, tokenizer, request, operations, name);
      tried.push(verification);
      if (!verification.passed) continue;
      const saved = await this.dataSource.transaction(async (manager) => {
        const rows = [];
        for (const operation of operations) rows.push(await this.memory.save(manager, { factId: fact.id, operation, scope: { subjects: [fact.subject], statement: `${fact.prompt} ${fact.targetNew}` }, verification: { tried } }));
        await manager.update(Fact, { id: fact.id }, { status: 'verified', error: null });
        return rows;
      });
      await this.memory.activate(saved);
      return;
    }
    const summary = tried.map((t) => ('error' in t ? `${t.method}: ${t.error}` : `${t.method}: prompt accuracy ${t.prompt.toFixed(2)}`)).join('; ');
    await this.dataSource.getRepository(Fact).update({ id: fact.id }, { status: 'failed', error: `no method made the model say the target (${summary})` });
  }
}

function groundTruthList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flat().filter((v): v is string => typeof v === 'string');
  return undefined;
}
