import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, Not } from 'typeorm';
import type { KedDataSource } from '../../memory/database/ked-data-source';
import { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { ErasureRequest } from '../../memory/entities/erasure-request.entity';
import { Fact } from '../../memory/entities/fact.entity';
import type { EditRequest } from '../../editors/edit-request';
import { normaliseMention } from '../../memory/scope/scope-features';
import { subjectDigest } from '../../memory/scope/subject-digest';
import { EditMemoryService } from '../edits/edit-memory.service';
import { scopedEditOf, type EditScopeKeys } from '../../memory/stored-edit';
import { ModelVersionsService } from '../edits/model-versions.service';
import { ERASED_KEY_SQL } from '../facts/fact-key';
import { ModelService } from '../model/model.service';
import { CompletionsService } from '../inference/completions.service';
import type { ErasureInput } from './erasure-input';
import { erasureProbes, REFUSAL, reinforcementPrompts, SUBJECT_SLOT, suppressionContext } from './erasure-probes';
import { redactReport, redactText, targetDigest, type ErasureReport } from './erasure-report';

const PROBE_TOKENS = 6;
/** What an erasure on a PostgreSQL server reports for the WAL: ked scrubs rows, the server keeps history. */
export const SERVER_WAL = 'out of reach: a PostgreSQL server keeps WAL, archives, replicas and backups that ked cannot scrub';
const ERASED = '[erased]';

/**
 * Privacy erasure: finds every edit and fact about a subject, asks the base model what it says
 * by itself, installs a suppression edit (a routed context edit in scope of every request that
 * names the subject, making the model answer "I don't know."), scrubs the rows (Postgres
 * payloads and fact text, LanceDB scope keys) and purges their old versions from disk, then
 * verifies through the router. One erasure at a time; an interrupted one reruns at start.
 */
@Injectable()
export class ErasuresService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ErasuresService.name);
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly memory: EditMemoryService,
    private readonly completions: CompletionsService,
    private readonly models: ModelService,
    private readonly versions: ModelVersionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.resuming = this.dataSource
      .getRepository(ErasureRequest)
      .find({ where: { status: In(['queued', 'running']) }, order: { createdAt: 'ASC' } })
      .then((pending) => pending.forEach((e) => this.enqueue(e.id)))
      .catch((err: Error) => this.logger.error(`resuming erasures: ${err.message}`));
  }

  /** A daemon stopped right after it started waits for the lookup of erasures to resume (not for them to run). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.resuming;
  }

  private resuming?: Promise<void>;

  /** Records the request durably and runs it after those before it; returns its id at once. */
  async start(input: ErasureInput): Promise<string> {
    const [targetKind, target] = input.subject !== undefined ? (['subject', input.subject] as const) : input.factId !== undefined ? (['fact', input.factId] as const) : (['text', input.text!] as const);
    const row = await this.dataSource.getRepository(ErasureRequest).save({ targetKind, target, status: 'queued', report: null, completedAt: null });
    this.enqueue(row.id);
    return row.id;
  }

  find(id: string): Promise<ErasureRequest | null> {
    return this.dataSource.getRepository(ErasureRequest).findOneBy({ id });
  }

  /** Resolves once every erasure started so far has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(id: string): void {
    this.queue = this.queue.then(() => this.run(id)).catch((err: Error) => this.logger.error(`erasure ${id}: ${err.message}`));
  }

  private async run(id: string): Promise<void> {
    const requests = this.dataSource.getRepository(ErasureRequest);
    const request = await requests.findOneByOrFail({ id });
    await requests.update({ id }, { status: 'running' });
    // The request row outlives the erasure: once it ends, it names the subject only by digest.
    const target = () => (request.targetKind === 'fact' ? request.target : targetDigest(request.target));
    try {
      const report = await this.erase(request);
      const passed = report.verification.every((v) => v.passed);
      await requests.update({ id }, { status: passed ? 'done' : 'failed', target: target(), report: redactReport(report) as unknown as Record<string, unknown>, completedAt: new Date() });
    } catch (err) {
      // A fact erasure learns its subject while it runs (kept in the report of the first try).
      const subject = request.targetKind === 'fact' ? ((await requests.findOneBy({ id }))?.report as { subject?: string } | null)?.subject : request.target.trim();
      const error = subject ? redactText((err as Error).message, subject) : (err as Error).message;
      await requests.update({ id }, { status: 'failed', target: target(), report: { error }, completedAt: new Date() });
      throw err;
    } finally {
      await this.vacuum('erasure_requests');
      // The request row named the subject until now: its old version leaves the WAL too.
      const wal = await this.purgeWal();
      if (wal !== true && wal !== SERVER_WAL) this.logger.error(`erasure ${id}: WAL purge failed: ${wal}`);
    }
  }

  /**
   * The embedded engine's WAL still holds the scrubbed rows' old versions: a checkpoint makes the
   * current segment unneeded, a switch starts a new one, and a second checkpoint removes the old
   * ones (the engine runs with wal_recycle off, so they are deleted, not renamed for reuse with
   * their old bytes). A server's WAL, archives, replicas and backups are out of ked's reach.
   */
  private async purgeWal(): Promise<true | string> {
    if ((this.dataSource as KedDataSource).mode !== 'embedded') return SERVER_WAL;
    try {
      await this.dataSource.query('CHECKPOINT');
      await this.dataSource.query('SELECT pg_switch_wal()');
      await this.dataSource.query('CHECKPOINT');
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * VACUUM FULL of tables whose rows were scrubbed; true or the error. A plain VACUUM frees the old
   * versions' space but leaves their bytes in the pages until overwritten; FULL rewrites the table
   * and its indexes into new files, and the old files are emptied at the next checkpoint.
   */
  private async vacuum(...tables: string[]): Promise<true | string> {
    try {
      await this.dataSource.query(`VACUUM FULL ${tables.join(', ')}`);
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private async erase(request: ErasureRequest): Promise<ErasureReport> {
    const { subject, facts, relationOf } = await this.resolve(request);
    const operations = await this.operationsAbout(subject, request, facts);
    const probes = [...erasureProbes(subject), ...(relationOf ? [relationOf] : [])];
    const baseModel = [];
    for (const prompt of probes) baseModel.push({ prompt, text: await this.answer(prompt, '') });

    // Suppression first, so that no request sees the subject unsuppressed once scrubbing starts.
    const aliases = this.aliasesOf(subject, operations, facts);
    const suppression = await this.suppression(request.id, subject, relationOf, aliases);
    const erasedEdits = operations.map((o) => o.id);
    // A committed edit about the subject is subtracted from the served weights before its row is scrubbed.
    for (const op of operations) if (op.mode === 'committed' && (op.status === 'applied' || op.status === 'verified')) await this.versions.rollback(op.id);
    await this.memory.deactivate(erasedEdits);
    await this.dataSource.transaction(async (manager) => {
      if (erasedEdits.length) await manager.update(EditOperationRow, { id: In(erasedEdits) }, { status: 'erased', payload: () => 'NULL', payloadSha256: null, scopeKeys: [], verification: () => 'NULL' });
      // The idempotency key may name the subject too: only its hash stays, which still answers a resend.
      if (facts.length) await manager.update(Fact, { id: In(facts.map((f) => f.id)) }, { subject: ERASED, prompt: ERASED, targetNew: ERASED, identity: ERASED, groundTruth: () => 'NULL', relation: null, record: {}, error: null, key: () => ERASED_KEY_SQL });
      // Audit rows (baselines and results, before and after this erasure) quote probes and answers about the subject.
      await manager.query(`DELETE FROM audit_results r WHERE r.probe ILIKE $1 OR r.expected::text ILIKE $1 OR r.observed::text ILIKE $1`, [`%${escapeLike(subject)}%`]);
    });
    let lance = false;
    try {
      await this.memory.purge();
      lance = true;
    } catch (err) {
      this.logger.error(`erasure ${request.id}: LanceDB purge: ${(err as Error).message}`);
    }
    const vacuum = await this.vacuum('edit_operations', 'facts', 'audit_results');
    const wal = await this.purgeWal();
    let verification = await this.verify(probes);
    const reinforcements: string[] = [];
    const failing = verification.filter((v) => !v.passed).map((v) => v.prompt);
    // A subject erasure also checks generic continuations about the subject ("X is", "X's");
    // once anything leaks, they are all learned with the failing probes, which makes wordings
    // that neither list has refuse too (ked erasure-eval: held-out clozes 28.9 → 76.7% refused).
    const generic = relationOf ? [] : reinforcementPrompts(subject);
    const genericFailing = (await this.verify(generic)).some((v) => !v.passed);
    if (failing.length || genericFailing) {
      // The context alone did not hold: add a routed FT-M edit that makes the refusal the answer
      // under the context, in the same subject-wide scope, and verify again.
      reinforcements.push(...(await this.reinforce(request.id, subject, [...failing, ...generic], relationOf, aliases)));
      verification = await this.verify(probes);
    }
    return { subject, erasedEdits, erasedFacts: facts.map((f) => f.id), baseModel, suppressionEdit: suppression, reinforcementEdits: reinforcements, purge: { lance, vacuum, wal }, verification };
  }

  private async verify(probes: readonly string[]): Promise<ErasureReport['verification']> {
    const out = [];
    for (const prompt of probes) {
      const prepared = await this.completions.prepare(prompt, prompt, { maxTokens: PROBE_TOKENS }, 'default');
      const text = (await prepared.run()).text;
      out.push({ prompt, text, edits: prepared.edits, passed: text.trim().startsWith(REFUSAL) });
    }
    return out;
  }

  /** A routed FT-M edit teaching the refusal on the failing probes, as the model sees them. */
  private async reinforce(erasureId: string, subject: string, prompts: readonly string[], relationOf: string | undefined, aliases: readonly string[]): Promise<string[]> {
    // A rerun after a crash finds the reinforcement of the first try and does not add another.
    const earlier = await this.dataSource.getRepository(EditOperationRow).findBy({ erasureId, kind: 'delta' });
    if (earlier.length) return earlier.map((r) => r.id);
    const requests: EditRequest[] = prompts.map((prompt) => ({ subject, prompt: `${suppressionContext(subject)} ${prompt}`, target_new: REFUSAL }));
    const operations = await this.models.computeEdit('ft-m', requests);
    const rows = await this.dataSource.transaction(async (manager) => {
      const saved = [];
      for (const operation of operations) {
        saved.push(await this.memory.save(manager, { factId: null, erasureId, operation, scope: suppressionScope(subject, relationOf, aliases), verification: null }));
      }
      return saved;
    });
    await this.memory.activate(rows);
    return rows.map((r) => r.id);
  }

  /** The subject to erase, and for a fact erasure the fact and its prompt (what to suppress). */
  private async resolve(request: ErasureRequest): Promise<{ subject: string; facts: Fact[]; relationOf?: string }> {
    const facts = this.dataSource.getRepository(Fact);
    if (request.targetKind === 'fact') {
      // A rerun finds the fact already scrubbed: the subject was kept in the report of the first try.
      const fact = await facts.findOneBy({ id: request.target });
      if (!fact) throw new Error(`no fact ${request.target}`);
      const previous = request.report as { subject?: string; relationOf?: string } | null;
      if (fact.subject === ERASED && previous?.subject) return { subject: previous.subject, facts: [fact], relationOf: previous.relationOf };
      await this.dataSource.getRepository(ErasureRequest).update({ id: request.id }, { report: { subject: fact.subject, relationOf: fact.prompt } });
      return { subject: fact.subject, facts: [fact], relationOf: fact.prompt };
    }
    const subject = request.target.trim();
    const pattern = `%${escapeLike(subject)}%`;
    const about = await facts
      .createQueryBuilder('f')
      .where('f.subject ILIKE :pattern OR f.prompt ILIKE :pattern OR f.target_new ILIKE :pattern', { pattern })
      .getMany();
    return { subject, facts: about.filter((f) => mentions(`${f.subject} ${f.prompt} ${f.targetNew}`, subject)) };
  }

  /** Operations made for the facts, or whose scope keys name the subject (suppressions excluded). */
  private async operationsAbout(subject: string, request: ErasureRequest, facts: Fact[]): Promise<EditOperationRow[]> {
    const repo = this.dataSource.getRepository(EditOperationRow);
    const live = Not(In(['erased']));
    const byFact = facts.length ? await repo.findBy({ factId: In(facts.map((f) => f.id)), status: live }) : [];
    if (request.targetKind === 'fact') return byFact;
    const byScope = await repo
      .createQueryBuilder('o')
      .where("o.scope_keys::text ILIKE :pattern AND o.status <> 'erased' AND o.erasure_id IS NULL", { pattern: `%${escapeLike(subject)}%` })
      .getMany();
    const found = new Map([...byFact, ...byScope.filter((o) => mentions(JSON.stringify(o.scopeKeys), subject))].map((o) => [o.id, o]));
    return [...found.values()];
  }

  /**
   * The subject's other names: those its edits were stored with, those its facts gave, and the
   * knowledge base's. A request naming one is suppressed too.
   */
  private aliasesOf(subject: string, operations: readonly EditOperationRow[], facts: readonly Fact[]): string[] {
    const stored = operations.flatMap((o) => scopedEditOf(o).aliases ?? []);
    const given = facts.flatMap((f) => {
      const aliases = (f.record as { subject_aliases?: unknown }).subject_aliases;
      return Array.isArray(aliases) ? aliases.filter((a): a is string => typeof a === 'string') : [];
    });
    const known = this.models.knowledge()?.aliasesOf(subject) ?? [];
    return [...new Set([...stored, ...given, ...known].filter((a) => normaliseMention(a) && normaliseMention(a) !== normaliseMention(subject)))];
  }

  /** The routed suppression edit of this erasure (made once; a rerun finds it). */
  private async suppression(erasureId: string, subject: string, relationOf: string | undefined, aliases: readonly string[]): Promise<string> {
    const existing = await this.dataSource.getRepository(EditOperationRow).findOneBy({ erasureId, kind: 'context' });
    if (existing) return existing.id;
    // Subject-wide: stored with the subject's digest and a slot that routing fills with the request's mention of it.
    const operation = relationOf
      ? { kind: 'context' as const, method: 'erasure', requests: [0], text: suppressionContext(subject) }
      : { kind: 'context' as const, method: 'erasure', requests: [0], text: suppressionContext(SUBJECT_SLOT), subjectSlot: SUBJECT_SLOT };
    const row = await this.dataSource.transaction((manager) =>
      this.memory.save(manager, {
        factId: null,
        erasureId,
        operation,
        scope: suppressionScope(subject, relationOf, aliases),
        verification: null,
      }),
    );
    await this.memory.activate([row]);
    return row.id;
  }

  /** Greedy answer of the model with the edits in scope of `scopeText` ('' = none: the base model). */
  private async answer(prompt: string, scopeText: string): Promise<string> {
    const prepared = await this.completions.prepare(prompt, scopeText, { maxTokens: PROBE_TOKENS }, 'default');
    return (await prepared.run()).text;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `needle` occurs in `text` as whole words, ignoring case (the scope detector's comparison). */
function mentions(text: string, needle: string): boolean {
  return ` ${normaliseMention(text)} `.includes(` ${normaliseMention(needle)} `);
}

/**
 * Where a suppression or reinforcement applies: a fact's relation (the fact's prompt, which
 * names its subject), or everything about the subject and its other names, which are then
 * stored only as digests.
 */
function suppressionScope(subject: string, relationOf?: string, aliases: readonly string[] = []): EditScopeKeys {
  return relationOf
    ? { subjects: [subject], ...(aliases.length ? { aliases: [...aliases] } : {}), statement: relationOf }
    : { subjects: [subject, ...aliases].map(subjectDigest), statement: 'erasure suppression', match: 'subject' };
}
