import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { redactUrl } from '../config/config.schema';
import { packageRoot } from '../package-root';
import { counterfactFacts, quantile, SETTLED, type CounterfactFact } from './serve-bench';
import { freePort } from './free-port';

/** The PostgreSQL server the bench makes its scratch databases on, without DATABASE_URL. */
export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface StreamBenchOptions {
  /** Counterfact facts (the file's first N records) posted at once per worker count. */
  facts: number;
  /** Worker counts to measure, each on a fresh scratch database with fresh daemons. */
  workers: number[];
  /** The server the scratch databases are made on (DATABASE_URL, else DEFAULT_SERVER_URL). */
  serverUrl: string;
  onPhase?: (message: string) => void;
}

export interface StreamBenchPoint {
  workers: number;
  facts: number;
  /** Facts settled (verified, failed or superseded) per minute, from the POST's answer to the last one settled. */
  factsPerMinute: number;
  /** Seconds from the POST's answer to each verified fact's updatedAt: median and p99. */
  freshnessP50S: number;
  freshnessP99S: number;
  failed: number;
  superseded: number;
  /** Facts not settled when the bench stopped waiting (0 unless the worker stalled). */
  unsettled: number;
  /** Seconds from the POST's answer to the last fact settled. */
  elapsedS: number;
}

/** A `ked serve` child process of the bench. */
interface Daemon {
  child: ChildProcess;
  port: number;
  dataDir: string;
  exited: Promise<void>;
  output: () => string;
}

const HEALTH_TIMEOUT_MS = 120_000;
const WARMUP_TIMEOUT_MS = 300_000;
const POLL_MS = 250;

/**
 * `ked bench stream`: facts per minute and freshness (POST to verified) with 1, 2 … `ked serve`
 * worker processes sharing one PostgreSQL server. Per worker count: a scratch database on the
 * server, that many daemons (each with its own KED_DATA_DIR, KED_WORKER=on,
 * KED_EDIT_METHODS=rome unless the environment names methods) on 127.0.0.1, one warm-up fact
 * per daemon (unmeasured: each daemon's edit process starts on its first fact), then the first N
 * counterfact facts in one POST. ROME's key statistics are computed once per data dir: the
 * first run's warm-up computes them and later daemons start with a copy. Every daemon, data
 * dir and scratch database is removed at the end, on failure and on Ctrl-C too.
 */
export async function benchStream(options: StreamBenchOptions): Promise<StreamBenchPoint[]> {
  const records = counterfactFacts();
  const maxWorkers = Math.max(...options.workers);
  if (options.facts + maxWorkers > records.length) throw new Error(`--facts: at most ${records.length - maxWorkers} (the counterfact test file has ${records.length} records, ${maxWorkers} are warm-up facts)`);
  const scratch = new Scratch(options.serverUrl);
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`ked bench stream: ${signal}: stopping the daemons and dropping the scratch databases\n`);
    void scratch.cleanup(true).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const points: StreamBenchPoint[] = [];
    for (const workers of options.workers) {
      options.onPhase?.(`${workers} worker${workers > 1 ? 's' : ''}: scratch database and daemons`);
      const url = await scratch.database();
      // The first daemon migrates the fresh database; the others start once it is done.
      const daemons = [await scratch.daemon(url, true)];
      daemons.push(...(await Promise.all(Array.from({ length: workers - 1 }, () => scratch.daemon(url, false)))));
      const key = await adminKey(daemons[0]);
      const first = daemons[0];

      options.onPhase?.(`${workers} worker${workers > 1 ? 's' : ''}: ${workers} warm-up fact${workers > 1 ? 's' : ''} (unmeasured)`);
      const warmup = await postFacts(first.port, key, records.slice(records.length - workers));
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        await waitSettled(db, warmup, WARMUP_TIMEOUT_MS, daemons);
        scratch.keepStats(first.dataDir);

        options.onPhase?.(`${workers} worker${workers > 1 ? 's' : ''}: ${options.facts} facts`);
        const ids = await postFacts(first.port, key, records.slice(0, options.facts));
        const posted = Date.now();
        // Bounded: a stalled worker ends the wait with the facts it left unsettled.
        await waitSettled(db, ids, 120_000 + options.facts * 30_000, daemons, (n) => options.onPhase?.(`${n} of ${ids.length} settled`)).catch((err: Error) => options.onPhase?.(err.message));
        points.push(await measure(first.port, key, ids, posted, workers, options.onPhase));
      } finally {
        await db.end().catch(() => undefined);
      }
      await scratch.cleanup();
    }
    return points;
  } finally {
    await scratch.cleanup(true);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Every fact's final status and updatedAt through GET /v1/facts/:id, as the point of a worker count. */
async function measure(port: number, key: string, ids: string[], posted: number, workers: number, onPhase?: (message: string) => void): Promise<StreamBenchPoint> {
  const views: Array<{ id: string; status: string; updatedAt: string; subject: string; error: string | null }> = [];
  for (const id of ids) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/facts/${id}`, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`GET /v1/facts/${id} answered ${res.status}`);
    views.push((await res.json()) as (typeof views)[number]);
  }
  for (const v of views.filter((v) => v.status === 'failed')) onPhase?.(`fact ${v.id} (${v.subject}) failed: ${v.error}`);
  const settled = views.filter((v) => (SETTLED as readonly string[]).includes(v.status));
  // 'applied': verified and stored, not yet routed by the daemon asked (another worker made it).
  const verified = views.filter((v) => v.status === 'verified' || v.status === 'applied');
  const seconds = (v: { updatedAt: string }) => Math.max(0, (Date.parse(v.updatedAt) - posted) / 1000);
  const elapsed = settled.length ? Math.max(...settled.map(seconds)) : (Date.now() - posted) / 1000;
  const freshness = verified.map(seconds);
  return {
    workers,
    facts: ids.length,
    factsPerMinute: elapsed > 0 ? round((settled.length / elapsed) * 60) : 0,
    freshnessP50S: round(quantile(freshness, 0.5)),
    freshnessP99S: round(quantile(freshness, 0.99)),
    failed: views.filter((v) => v.status === 'failed').length,
    superseded: views.filter((v) => v.status === 'superseded').length,
    unsettled: ids.length - settled.length,
    elapsedS: round(elapsed),
  };
}

/** Polls the facts' statuses in the database until all settled (or `timeoutMs`, or a daemon exits). */
async function waitSettled(db: Client, ids: string[], timeoutMs: number, daemons: Daemon[], progress?: (settled: number) => void): Promise<void> {
  const until = Date.now() + timeoutMs;
  let gone: Daemon | undefined;
  for (const d of daemons) void d.exited.then(() => (gone ??= d));
  let last = -1;
  let reported = Date.now();
  for (;;) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM facts WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])`, [ids, SETTLED]);
    const settled = Number(rows[0].n);
    // Progress at most every 10 s, so that a long run stays readable.
    if (settled !== last && settled < ids.length && Date.now() - reported >= 10_000) {
      progress?.(settled);
      reported = Date.now();
    }
    last = settled;
    if (settled >= ids.length) return;
    if (gone) throw new Error(`a daemon exited while ${ids.length - settled} facts were unsettled:\n${gone.output().slice(-2000)}`);
    if (Date.now() > until) throw new Error(`${ids.length - settled} of ${ids.length} facts were not settled within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function postFacts(port: number, key: string, facts: CounterfactFact[]): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/facts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ facts }) });
  if (res.status !== 202) throw new Error(`POST /v1/facts answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return ((await res.json()) as { ids: string[] }).ids;
}

/** The admin key the first daemon on a fresh database writes to its data dir. */
async function adminKey(daemon: Daemon): Promise<string> {
  const file = join(daemon.dataDir, 'initial-admin.key');
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    if (existsSync(file)) {
      const key = readFileSync(file, 'utf8').trim();
      if (key) return key;
    }
  }
  throw new Error(`the first daemon wrote no admin key to ${file}`);
}

/**
 * What the bench made and must remove: daemons (each its own process group: the daemon and its
 * edit process), their data dirs and the scratch databases. `cleanup` is idempotent and safe to
 * call from a signal handler while a run is in progress.
 */
class Scratch {
  private readonly daemons: Daemon[] = [];
  private readonly dirs: string[] = [];
  private readonly databases: string[] = [];
  private readonly statsSeed = mkdtempSync(join(tmpdir(), 'ked-bench-stream-stats-'));
  private seeded = false;
  private cleaning?: Promise<void>;
  /** Set by the final cleanup: nothing new is started after it (a Ctrl-C during a start). */
  private closed = false;

  constructor(private readonly serverUrl: string) {}

  /** A fresh database on the server, dropped by cleanup. */
  async database(): Promise<string> {
    const name = `ked_bench_${randomBytes(6).toString('hex')}`;
    if (this.closed) throw new Error('the bench is stopping');
    this.databases.push(name);
    await this.admin(`CREATE DATABASE ${name}`);
    if (this.closed) {
      await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      throw new Error('the bench is stopping');
    }
    const url = new URL(this.serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** `ked serve` on a free port of 127.0.0.1 with a fresh data dir (ROME's statistics copied in once known), healthy. */
  async daemon(databaseUrl: string, writesKey: boolean): Promise<Daemon> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ked-bench-stream-'));
    this.dirs.push(dataDir);
    if (this.seeded) cpSync(this.statsSeed, join(dataDir, 'stats'), { recursive: true });
    const port = await freePort();
    if (this.closed) throw new Error('the bench is stopping');
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'ked.js'), 'serve'], {
      env: {
        ...process.env,
        KED_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        KED_WORKER: 'on',
        KED_EDIT_METHODS: process.env.KED_EDIT_METHODS || 'rome',
        LOG_LEVEL: 'warn',
        KED_AUDIT_CRON: 'off',
        KED_INITIAL_ADMIN_KEY: writesKey ? 'file' : 'off',
        KED_RATE_LIMIT: String(10_000_000),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: cleanup reaches the edit process too, and a Ctrl-C in the terminal
      // reaches only the bench, which stops the daemons in order.
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const daemon: Daemon = { child, port, dataDir, exited, output: () => output };
    this.daemons.push(daemon);
    let gone = false;
    void exited.then(() => (gone = true));
    for (const until = Date.now() + HEALTH_TIMEOUT_MS; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      if (gone) throw new Error(`ked serve exited before it was healthy (DATABASE_URL=${redactUrl(databaseUrl)}):\n${output.slice(-2000)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return daemon;
      } catch {
        // not listening yet
      }
    }
    throw new Error(`ked serve was not healthy within ${HEALTH_TIMEOUT_MS / 1000} s:\n${output.slice(-2000)}`);
  }

  /** Keeps the statistics ROME computed in a daemon's data dir, for the daemons started later. */
  keepStats(dataDir: string): void {
    const stats = join(dataDir, 'stats');
    if (this.seeded || !existsSync(stats)) return;
    cpSync(stats, this.statsSeed, { recursive: true });
    this.seeded = true;
  }

  /**
   * Stops every daemon (SIGTERM, then SIGKILL to its group after 15 s) and removes the data dirs
   * and databases made so far; `final` removes the kept statistics too. Calls run one after another.
   */
  cleanup(final = false): Promise<void> {
    if (final) this.closed = true;
    this.cleaning = (this.cleaning ?? Promise.resolve()).then(() => this.removeAll(final));
    return this.cleaning;
  }

  private async removeAll(final: boolean): Promise<void> {
    const daemons = this.daemons.splice(0);
    await Promise.all(
      daemons.map(async (d) => {
        if (d.child.exitCode === null && d.child.signalCode === null) {
          d.child.kill('SIGTERM');
          await Promise.race([d.exited, new Promise((r) => setTimeout(r, 15_000))]);
        }
        try {
          process.kill(-d.child.pid!, 'SIGKILL'); // whatever is left of its group
        } catch {
          // the group is gone
        }
      }),
    );
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    for (const name of this.databases.splice(0)) {
      await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((err: Error) => process.stderr.write(`ked bench stream: could not drop the scratch database ${name}: ${err.message}\n`));
    }
    if (final) rmSync(this.statsSeed, { recursive: true, force: true });
  }

  private async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.serverUrl, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
