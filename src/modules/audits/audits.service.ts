import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { DataSource, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { AuditResult } from '../../memory/entities/audit-result.entity';
import { Audit } from '../../memory/entities/audit.entity';
import { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { ModelVersion } from '../../memory/entities/model-version.entity';
import { EditMemoryService } from '../edits/edit-memory.service';
import { ModelVersionsService } from '../edits/model-versions.service';
import { CompletionsService } from '../inference/completions.service';
import { ModelService } from '../model/model.service';
import { loadAuditProbes } from './audit-probes';

/** Greedy tokens compared per probe: enough to see an answer change, cheap enough for hundreds of probes. */
const PROBE_TOKENS = 4;

export interface AuditSummary {
  probes: number;
  /** Probes that changed because they ask the very fact an edit changed (its own wording): intended, not counted. */
  intended: number;
  /** Probes that name an erased subject: left out of the audit (not run, not stored), so no audit row names the person. */
  erased: number;
  /** Percent of the other probes whose greedy continuation is exactly the baseline's. */
  locality: number;
  minLocality: number;
  /** Edits routed into probes that changed, with how many they were in. */
  blamed: Array<{ edit: string; factId: string | null; method: string; failedProbes: number }>;
  quarantined: string[];
  baselineAudit: string;
  error?: string;
}

/**
 * Locality regression audits: a fixed probe set of unrelated prompts is answered by the model as
 * it was when its version was first seen (the baseline, captured once and stored as an audit of
 * its own) and again through the edit memory now; every changed answer blames the edits routed
 * into it, unless the probe asks the very fact those edits changed (a probe set drawn from the
 * world's facts will meet the facts a stream edits). Runs on a schedule (KED_AUDIT_CRON) and on
 * demand, one at a time.
 */
@Injectable()
export class AuditsService implements OnModuleInit {
  private readonly logger = new Logger(AuditsService.name);
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectKedConfig() private readonly config: KedConfig,
    private readonly models: ModelService,
    private readonly memory: EditMemoryService,
    private readonly completions: CompletionsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly versions: ModelVersionsService,
  ) {}

  onModuleInit(): void {
    if (!this.config.audit.cron || !this.models.configured) return;
    const job = CronJob.from({ cronTime: this.config.audit.cron, onTick: () => void this.start('schedule').catch((err: Error) => this.logger.error(`scheduled audit: ${err.message}`)) });
    this.scheduler.addCronJob('locality-audit', job);
    job.start();
  }

  /** Records an audit and runs it after any audit already running; returns its id at once. */
  async start(trigger: 'manual' | 'schedule'): Promise<string> {
    const audit = await this.dataSource.getRepository(Audit).save({ kind: 'locality', trigger, status: 'queued', summary: null, modelVersionId: null, startedAt: null, finishedAt: null });
    this.queue = this.queue.then(() => this.run(audit.id)).catch((err: Error) => this.logger.error(`audit ${audit.id}: ${err.message}`));
    return audit.id;
  }

  /** Resolves once every audit started so far has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(id: string): Promise<void> {
    const audits = this.dataSource.getRepository(Audit);
    await audits.update({ id }, { status: 'running', startedAt: new Date() });
    try {
      const all = loadAuditProbes(this.config);
      if (!all.length) throw new Error('no probe set: set KED_AUDIT_PROBES to a file of prompts');
      const probes = [];
      for (const probe of all) if (!(await this.memory.namesErasedSubject(probe.prompt))) probes.push(probe);
      const erased = all.length - probes.length;
      const version = await this.modelVersion();
      const baseline = await this.baseline(version, probes.map((p) => p.prompt));
      const results: Array<Omit<AuditResult, 'id'>> = [];
      const blame = new Map<string, number>();
      let intended = 0;
      for (const { prompt } of probes) {
        const prepared = await this.completions.prepare(prompt, prompt, { maxTokens: PROBE_TOKENS }, 'default');
        const observed = (await prepared.run()).text;
        const expected = baseline.answers.get(prompt)!;
        const passed = observed === expected;
        // An erasure's edits change what they must: never blamed, never quarantined.
        const asking = passed ? [] : prepared.edits.filter((edit) => this.memory.isErasureEdit(edit) || this.memory.asksEditedFact(prompt, edit));
        const isIntended = !passed && prepared.edits.length > 0 && asking.length === prepared.edits.length;
        if (isIntended) intended++;
        else if (!passed) for (const edit of prepared.edits) if (!asking.includes(edit)) blame.set(edit, (blame.get(edit) ?? 0) + 1);
        results.push({ auditId: id, probe: prompt, expected, observed: { text: observed, edits: prepared.edits, ...(asking.length ? { asking } : {}) }, score: passed ? 1 : 0, passed });
      }
      await this.dataSource.getRepository(AuditResult).insert(results as QueryDeepPartialEntity<AuditResult>[]);
      const counted = results.length - intended;
      const locality = counted ? Math.round((1000 * results.filter((r) => r.passed).length) / counted) / 10 : 100;
      const failed = locality < this.config.audit.minLocality;
      const ops = blame.size ? await this.dataSource.getRepository(EditOperationRow).findBy({ id: In([...blame.keys()]) }) : [];
      const blamed = ops.map((o) => ({ edit: o.id, factId: o.factId, method: o.method, failedProbes: blame.get(o.id)! })).sort((a, b) => b.failedProbes - a.failedProbes);
      const quarantined: string[] = [];
      if (failed && this.config.audit.quarantine) {
        for (const b of blamed.filter((x) => !ops.find((o) => o.id === x.edit)?.erasureId)) {
          await this.dataSource.getRepository(EditOperationRow).update({ id: b.edit }, { status: 'failed', verification: { quarantinedBy: id } });
          await this.memory.deactivate([b.edit]);
          quarantined.push(b.edit);
        }
      }
      const summary: AuditSummary = { probes: results.length, intended, erased, locality, minLocality: this.config.audit.minLocality, blamed, quarantined, baselineAudit: baseline.auditId };
      await audits.update({ id }, { status: failed ? 'failed' : 'passed', modelVersionId: version.id, summary: summary as unknown as Record<string, unknown>, finishedAt: new Date() });
    } catch (err) {
      await audits.update({ id }, { status: 'error', summary: { error: (err as Error).message }, finishedAt: new Date() });
    }
  }

  /** The served model's current version (a commit or a committed rollback makes a new one, with its own baseline). */
  private modelVersion(): Promise<ModelVersion> {
    return this.versions.current();
  }

  /** The unedited model's answers to the probes, captured once per model version. */
  private async baseline(version: ModelVersion, prompts: string[]): Promise<{ auditId: string; answers: Map<string, string> }> {
    const audits = this.dataSource.getRepository(Audit);
    const existing = await audits.findOne({ where: { modelVersionId: version.id, trigger: 'baseline' }, order: { createdAt: 'DESC' } });
    if (existing) {
      const rows = await this.dataSource.getRepository(AuditResult).findBy({ auditId: existing.id });
      const answers = new Map(rows.map((r) => [r.probe, r.expected as string]));
      if (prompts.every((p) => answers.has(p))) return { auditId: existing.id, answers };
    }
    const audit = await audits.save({ kind: 'locality', trigger: 'baseline', status: 'running', modelVersionId: version.id, summary: null, startedAt: new Date(), finishedAt: null });
    const answers = new Map<string, string>();
    for (const prompt of prompts) {
      // Scope text '' routes nothing: the unedited model.
      const prepared = await this.completions.prepare(prompt, '', { maxTokens: PROBE_TOKENS }, 'default');
      answers.set(prompt, (await prepared.run()).text);
    }
    await this.dataSource.getRepository(AuditResult).insert([...answers].map(([probe, text]) => ({ auditId: audit.id, probe, expected: text, observed: { text, edits: [] }, score: 1, passed: true })) as QueryDeepPartialEntity<AuditResult>[]);
    await audits.update({ id: audit.id }, { status: 'passed', summary: { probes: prompts.length, baseline: true }, finishedAt: new Date() });
    return { auditId: audit.id, answers };
  }

  async list(limit: number): Promise<Audit[]> {
    return this.dataSource.getRepository(Audit).find({ order: { createdAt: 'DESC' }, take: limit });
  }

  async find(id: string): Promise<{ audit: Audit; results: AuditResult[] } | undefined> {
    const audit = await this.dataSource.getRepository(Audit).findOneBy({ id });
    if (!audit) return undefined;
    return { audit, results: await this.dataSource.getRepository(AuditResult).find({ where: { auditId: id }, order: { probe: 'ASC' } }) };
  }
}
