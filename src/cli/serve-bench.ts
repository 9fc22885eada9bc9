import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/ked-config';
import type { CodebookOperation, DeltaOperation } from '../editors/edit-operation';
import { unit } from '../editors/keys/hidden-keys';
import { createApiKey } from '../guards/api-keys';
import { EditMemoryService } from '../modules/edits/edit-memory.service';
import { ModelService } from '../modules/model/model.service';
import { packageRoot } from '../package-root';
import { mulberry32 } from '../runtime/random';
import { createApp } from '../server';

export interface ServeBenchPoint {
  edits: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface ServeBenchOptions {
  editCounts: number[];
  durationSeconds: number;
  connections: number;
  maxTokens: number;
  /**
   * 'delta': rank-one deltas about synthetic subjects, found by the scope detector from the
   * request's text. 'keyed': GRACE codebook entries, found by the request's hidden-state key
   * (read from the generation's prefill, matched against the in-memory key scan).
   */
  kind: 'delta' | 'keyed';
  onPhase?: (message: string) => void;
}

/** A prompt no bench edit is about: routing has to look at every edit and apply none. */
const PROMPT = 'The capital of Veland is';

/**
 * `ked bench serve`: a real daemon on 127.0.0.1 (fresh embedded data dir, fixture model, worker
 * off), loaded by autocannon with completions while the edit memory holds 0, 1,000, 10,000 …
 * stored routed edits (rank-one deltas of ROME's shape about synthetic subjects, or GRACE
 * entries with random keys: either way, none applies to the bench prompt).
 */
export async function benchServe(options: ServeBenchOptions): Promise<ServeBenchPoint[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ked-bench-serve-'));
  let app: INestApplication | undefined;
  try {
    const config = loadConfig({ ...process.env, DATABASE_URL: '', KED_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', KED_WORKER: 'off', KED_RATE_LIMIT: String(10_000_000), KED_INITIAL_ADMIN_KEY: 'off' });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const memory = app.get(EditMemoryService);
    const { serving } = await app.get(ModelService).get();
    const { key } = await createApiKey(dataSource, { name: 'bench', roles: ['reader'] });
    const points: ServeBenchPoint[] = [];
    const random = mulberry32(7);
    let stored = 0;
    for (const target of [...options.editCounts].sort((a, b) => a - b)) {
      options.onPhase?.(`storing edits ${stored} → ${target}`);
      while (stored < target) {
        const batch = Math.min(500, target - stored);
        const rows = await dataSource.transaction(async (manager) => {
          const saved = [];
          for (let i = 0; i < batch; i++) {
            const n = stored + i;
            const { dModel, dFF } = serving.config;
            const vector = (length: number, scale: number) => Float32Array.from({ length }, () => (random() - 0.5) * scale);
            const operation: DeltaOperation | CodebookOperation =
              options.kind === 'keyed'
                ? { kind: 'codebook', method: 'grace', requests: [0], label: `Company ${n % 97}`, value: { dtype: 'float32', shape: [dModel], data: vector(dModel, 1) }, key: { tap: { kind: 'resid', layer: 2 }, position: 'last', center: { dtype: 'float32', shape: [dModel], data: unit(vector(dModel, 1)) }, radius: 0.12 } }
                : { kind: 'delta', method: 'rome', requests: [0], factors: [{ layer: 1, u: { dtype: 'float32', shape: [dModel, 1], data: vector(dModel, 1) }, v: { dtype: 'float32', shape: [dFF, 1], data: vector(dFF, 1 / 100) } }] };
            saved.push(await memory.save(manager, { factId: null, operation, scope: { subjects: [`Benchsubject ${n}`], statement: `Benchsubject ${n} works for Company ${n % 97}`, object: `Company ${n % 97}` }, verification: null }));
          }
          return saved;
        });
        await memory.activate(rows);
        stored += batch;
      }
      options.onPhase?.(`load with ${memory.size} edits in memory`);
      const body = JSON.stringify({ prompt: PROMPT, max_tokens: options.maxTokens });
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
      // Warm-up at full concurrency, so the first size does not pay for JIT and allocator growth
      // (3 s were not enough: the first size measured 15-25% below the next ones).
      await autocannon({ url: `${url}/v1/completions`, method: 'POST', headers, body, connections: options.connections, duration: points.length ? 3 : 10 });
      const result = await autocannon({ url: `${url}/v1/completions`, method: 'POST', headers, body, connections: options.connections, duration: options.durationSeconds });
      points.push({ edits: memory.size, rps: round(result.requests.average), p50Ms: round(result.latency.p50), p99Ms: round(result.latency.p99), errors: result.errors + result.non2xx + result.timeouts });
    }
    return points;
  } finally {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** A record of `data/world/world-counterfact.test.json`, sent as the compact fact POST /v1/facts takes. */
export interface CounterfactFact {
  subject: string;
  prompt: string;
  target_new: string;
  ground_truth?: string;
}

/** The committed counterfact test records (1,000), as facts. */
export function counterfactFacts(): CounterfactFact[] {
  const records = JSON.parse(readFileSync(join(packageRoot(), 'data', 'world', 'world-counterfact.test.json'), 'utf8')) as CounterfactFact[];
  return records.map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new, ...(r.ground_truth ? { ground_truth: r.ground_truth } : {}) }));
}

/** The nearest-rank quantile q (0–1) of the values; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** A fact's status that is final: it will not be computed again. */
export const SETTLED = ['verified', 'applied', 'failed', 'superseded'] as const;

export interface IngestBenchOptions {
  /** Counterfact facts (the file's first N records) posted at once after the idle phase. */
  facts: number;
  /** Seconds of idle load; with it, the longest ingest load too (undefined: until every fact settled). */
  durationSeconds?: number;
  connections: number;
  maxTokens: number;
  onPhase?: (message: string) => void;
}

export interface IngestBenchResult {
  idleRps: number;
  ingestRps: number;
  idleP50Ms: number;
  ingestP50Ms: number;
  idleP99Ms: number;
  ingestP99Ms: number;
  /** ingestP99Ms / idleP99Ms. */
  p99Ratio: number;
  /** p99 of sequential GET /health calls (one every 250 ms) during each phase. */
  idleHealthP99Ms: number;
  healthP99Ms: number;
  healthSamples: number;
  facts: number;
  /** Facts that settled (verified, failed or superseded) while the ingest load ran. */
  factsApplied: number;
  factsFailed: number;
  /** Seconds the ingest load ran (it stops once every fact settled). */
  ingestSeconds: number;
  connections: number;
  maxTokens: number;
  /** Completion errors, non-2xx answers and timeouts in both phases, and non-200 /health answers. */
  errors: number;
}

/** Longest ingest load when no --duration bounds it, and longest wait for the warm-up fact. */
const INGEST_CAP_S = 120;
const WARMUP_FACT_CAP_S = 300;
const HEALTH_EVERY_MS = 250;
const POLL_MS = 250;

/**
 * `ked bench serve --ingest N`: a daemon on 127.0.0.1 (fresh embedded data dir, fixture model,
 * worker on, KED_EDIT_METHODS=rome unless the environment names methods) loaded with completions
 * by autocannon, first idle, then while N counterfact facts posted at once are applied. One
 * warm-up fact (the file's last record) is applied first, so that neither phase pays for the edit
 * process's start or ROME's key statistics (computed once per data dir). The ingest load stops
 * when every fact settled or after `durationSeconds`, whichever comes first.
 */
export async function benchServeIngest(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const records = counterfactFacts();
  if (options.facts >= records.length) throw new Error(`--ingest: at most ${records.length - 1} facts (the counterfact test file has ${records.length} records, one is the warm-up)`);
  const dir = mkdtempSync(join(tmpdir(), 'ked-bench-ingest-'));
  let app: INestApplication | undefined;
  try {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: '',
      KED_DATA_DIR: dir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      KED_WORKER: 'on',
      KED_EDIT_METHODS: process.env.KED_EDIT_METHODS || 'rome',
      KED_AUDIT_CRON: 'off',
      KED_RATE_LIMIT: String(10_000_000),
      KED_INITIAL_ADMIN_KEY: 'off',
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const dataSource = app.get<DataSource>(getDataSourceToken());
    await app.get(ModelService).get();
    const { key } = await createApiKey(dataSource, { name: 'bench', roles: ['reader', 'ingest'] });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const post = async (facts: CounterfactFact[]): Promise<string[]> => {
      const res = await fetch(`${url}/v1/facts`, { method: 'POST', headers, body: JSON.stringify({ facts }) });
      if (res.status !== 202) throw new Error(`POST /v1/facts answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
      return ((await res.json()) as { ids: string[] }).ids;
    };
    const statuses = async (ids: string[]): Promise<Map<string, number>> => {
      const rows = (await dataSource.query(`SELECT status, count(*)::int AS n FROM facts WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids])) as Array<{ status: string; n: number }>;
      return new Map(rows.map((r) => [r.status, Number(r.n)]));
    };
    const settledOf = (counts: Map<string, number>) => SETTLED.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);

    const body = JSON.stringify({ prompt: PROMPT, max_tokens: options.maxTokens });
    const load = { url: `${url}/v1/completions`, method: 'POST' as const, headers, body, connections: options.connections };

    // Warm-up: the edit process starts and ROME computes its key statistics on the first fact
    // (tens of seconds on the fixture model), while serving warms up under full load.
    options.onPhase?.('warm-up: one fact applied while completions are loaded (unmeasured)');
    const warmup = await post([records[records.length - 1]]);
    await autocannon({ ...load, duration: 10 });
    const warmUntil = Date.now() + WARMUP_FACT_CAP_S * 1000;
    while (settledOf(await statuses(warmup)) < warmup.length) {
      if (Date.now() > warmUntil) throw new Error(`the warm-up fact did not settle within ${WARMUP_FACT_CAP_S} s: is the fact worker running?`);
      await sleep(POLL_MS);
    }
    if ((await statuses(warmup)).get('failed')) options.onPhase?.('note: the warm-up fact failed (the worker goes on)');

    options.onPhase?.(`idle load for ${options.durationSeconds ?? 10} s`);
    const idleHealth = healthProbe(url);
    const idle = await autocannon({ ...load, duration: options.durationSeconds ?? 10 });
    const idleHealthResult = await idleHealth.stop();

    options.onPhase?.(`posting ${options.facts} facts; load while they are applied`);
    const ids = await post(records.slice(0, options.facts));
    const started = Date.now();
    const health = healthProbe(url);
    const cap = options.durationSeconds ?? INGEST_CAP_S;
    let settled = 0;
    let counts = new Map<string, number>();
    const ingest = await new Promise<autocannon.Result>((resolve, reject) => {
      let done = false;
      const instance = autocannon({ ...load, duration: cap }, (err, result) => {
        done = true;
        if (err) reject(err);
        else resolve(result);
      });
      void (async () => {
        while (!done) {
          counts = await statuses(ids);
          settled = settledOf(counts);
          if (settled >= ids.length) {
            instance.stop();
            return;
          }
          await sleep(POLL_MS);
        }
      })().catch((err: Error) => {
        instance.stop();
        reject(err);
      });
    });
    const ingestSeconds = (Date.now() - started) / 1000;
    const healthResult = await health.stop();
    counts = await statuses(ids);
    settled = settledOf(counts);
    options.onPhase?.(`${settled} of ${ids.length} facts settled in ${round(ingestSeconds)} s of ingest load`);
    const failures = (r: autocannon.Result) => r.errors + r.non2xx + r.timeouts;
    return {
      idleRps: round(idle.requests.average),
      ingestRps: round(ingest.requests.average),
      idleP50Ms: round(idle.latency.p50),
      ingestP50Ms: round(ingest.latency.p50),
      idleP99Ms: round(idle.latency.p99),
      ingestP99Ms: round(ingest.latency.p99),
      p99Ratio: idle.latency.p99 > 0 ? round(ingest.latency.p99 / idle.latency.p99) : 0,
      idleHealthP99Ms: round(quantile(idleHealthResult.latencies, 0.99)),
      healthP99Ms: round(quantile(healthResult.latencies, 0.99)),
      healthSamples: healthResult.latencies.length,
      facts: ids.length,
      factsApplied: settled,
      factsFailed: counts.get('failed') ?? 0,
      ingestSeconds: round(ingestSeconds),
      connections: options.connections,
      maxTokens: options.maxTokens,
      errors: failures(idle) + failures(ingest) + idleHealthResult.errors + healthResult.errors,
    };
  } finally {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sequential GET /health calls, one every HEALTH_EVERY_MS, until stopped: their latencies and non-200 answers. */
function healthProbe(url: string): { stop: () => Promise<{ latencies: number[]; errors: number }> } {
  const latencies: number[] = [];
  let errors = 0;
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/health`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      if (!stopped) await sleep(HEALTH_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
      return { latencies, errors };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
