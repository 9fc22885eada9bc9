import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { packageRoot } from '../package-root';
import { defaultThreads } from '../runtime/session/default-threads';
import { isAbsolute, join, resolve } from 'node:path';
import { CronTime } from 'cron';
import { ConfigError, parseConfig } from './config.schema';

/** The resolved configuration the daemon runs with (paths absolute, defaults applied). */
/**
 * The planner's policy: methods per kind of fact, tried in order (a failed verification escalates
 * to the next), and the relations whose facts also get a memory record for multi-hop questions.
 */
export interface EditPolicy {
  /** For a fact that replaces an answer (it names the ground truth): KED_EDIT_METHODS. */
  modification: string[];
  /** For a fact without a ground truth (new knowledge): KED_INSERTION_METHODS, else KED_EDIT_METHODS. */
  insertion: string[];
  /** Relations (as facts name them in `relation`) whose facts also get a memory record: KED_MEMORY_RELATIONS. */
  memoryRelations: string[];
  /** The method that makes that record (mello or pokemqa): KED_MEMORY_METHOD. */
  memoryMethod: string;
}

export interface KedConfig {
  port: number;
  host: string;
  dataDir: string;
  database:
    | { mode: 'server'; url: string; poolSize: number }
    | { mode: 'embedded'; dir: string; port: number; poolSize: number };
  lanceUri: string;
  model?: string;
  /** onnxruntime intra-op threads for the model (KED_THREADS; default every core). */
  threads: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Key-statistics sample for locate-and-edit methods: JSONL with "text", or plain text lines. */
  statsCorpus?: string;
  /** A knowledge-base.json whose entities describe a question's key entity (PokeMQA's knowledge prompt); none if absent. */
  knowledgeBase?: string;
  /** A directory of `<method>.json` hyper-parameter files over the methods' defaults (KED_HPARAMS_DIR). */
  hparamsDir?: string;
  /** Which methods edit which facts (see src/modules/facts/edit-policy.ts). */
  editPolicy: EditPolicy;
  /** Whether this process applies queued facts. */
  worker: boolean;
  /**
   * Timer batching for batchable first methods (MEMIT, AlphaEdit): after claiming a fact the
   * worker waits `windowMs` for more and edits up to `max` facts in one computation (0 = off).
   */
  batch: { windowMs: number; max: number };
  /**
   * The edit process (src/modules/model/edit-process): its onnxruntime threads, heap limit (MiB),
   * time per computation (ms) and niceness; a computation past either budget ends that process,
   * never the daemon.
   */
  editProcess: { threads: number; memoryMb: number; timeoutMs: number; nice: number };
  /**
   * The fact stream: a fact whose computation crashed or timed out is tried at most `maxAttempts`
   * times; a worker's claim on a fact lapses `leaseMs` after its last heartbeat (another worker
   * on the same PostgreSQL server then takes it).
   */
  stream: { maxAttempts: number; leaseMs: number };
  /** Locality audits: cron expression ('off' disables the schedule), probe file (JSONL with "prompt", or plain lines), pass mark, quarantine. */
  audit: { cron: string | null; probes?: string; minLocality: number; quarantine: boolean };
  /** Optional NATS JetStream source of facts (off when no URL). */
  nats?: { url: string; stream: string; subject: string };
  /** Requests per minute per API key (per client address for public routes). */
  rateLimit: number;
  /**
   * Where a daemon that finds no API key at all writes the admin key it creates (mode 0600), so
   * that a fresh install can be used without stopping it to run `ked keys create`; null: never.
   */
  initialAdminKeyFile: string | null;
}

export const KED_CONFIG = Symbol('KED_CONFIG');

/** Parses the environment and checks what can be checked before start (the data dir is writable). */
export function loadConfig(env: Record<string, string | undefined> = process.env): KedConfig {
  const raw = parseConfig(env);
  const dataDir = resolve(raw.KED_DATA_DIR);
  ensureWritableDir(dataDir, 'KED_DATA_DIR');
  const lanceUri = raw.KED_LANCE_URI ?? join(dataDir, 'lance');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(lanceUri)) {
    ensureWritableDir(isAbsolute(lanceUri) ? lanceUri : resolve(lanceUri), 'KED_LANCE_URI');
  }
  const database: KedConfig['database'] = raw.DATABASE_URL
    ? { mode: 'server', url: raw.DATABASE_URL, poolSize: raw.KED_DB_POOL_SIZE ?? 10 }
    : {
        mode: 'embedded',
        dir: join(dataDir, 'pg'),
        port: raw.KED_EMBEDDED_PG_PORT,
        // One connection: pglite-socket can interleave extended-protocol messages of concurrent
        // connections ("portal does not exist" under load); PGlite runs one statement at a time anyway.
        poolSize: raw.KED_DB_POOL_SIZE ?? 1,
      };
  return {
    port: raw.PORT,
    host: raw.HOST,
    dataDir,
    database,
    lanceUri: /^[a-z][a-z0-9+.-]*:\/\//i.test(lanceUri) ? lanceUri : resolve(lanceUri),
    model: raw.KED_MODEL ? resolve(raw.KED_MODEL) : defaultModel(),
    threads: raw.KED_THREADS ?? defaultThreads(),
    logLevel: raw.LOG_LEVEL,
    rateLimit: raw.KED_RATE_LIMIT,
    initialAdminKeyFile: raw.KED_INITIAL_ADMIN_KEY === 'off' ? null : join(dataDir, 'initial-admin.key'),
    statsCorpus: raw.KED_STATS_CORPUS ? resolve(raw.KED_STATS_CORPUS) : fixtureWorldFile('stats-corpus.jsonl'),
    knowledgeBase: raw.KED_KNOWLEDGE_BASE === 'off' ? undefined : raw.KED_KNOWLEDGE_BASE ? resolve(raw.KED_KNOWLEDGE_BASE) : fixtureWorldFile('knowledge-base.json'),
    hparamsDir: raw.KED_HPARAMS_DIR ? resolve(raw.KED_HPARAMS_DIR) : undefined,
    editPolicy: {
      modification: raw.KED_EDIT_METHODS.split(','),
      insertion: (raw.KED_INSERTION_METHODS ?? raw.KED_EDIT_METHODS).split(','),
      memoryRelations: raw.KED_MEMORY_RELATIONS ? raw.KED_MEMORY_RELATIONS.split(',') : [],
      memoryMethod: raw.KED_MEMORY_METHOD,
    },
    worker: raw.KED_WORKER === 'on',
    batch: { windowMs: raw.KED_BATCH_WINDOW_MS, max: raw.KED_BATCH_MAX },
    editProcess: { threads: raw.KED_EDIT_THREADS, memoryMb: raw.KED_EDIT_MEMORY_MB, timeoutMs: raw.KED_EDIT_TIMEOUT_S * 1000, nice: raw.KED_EDIT_NICE },
    stream: { maxAttempts: raw.KED_FACT_MAX_ATTEMPTS, leaseMs: raw.KED_FACT_LEASE_S * 1000 },
    nats: raw.KED_NATS_URL ? { url: raw.KED_NATS_URL, stream: raw.KED_NATS_STREAM, subject: raw.KED_NATS_SUBJECT } : undefined,
    audit: {
      cron: raw.KED_AUDIT_CRON === 'off' ? null : checkCron(raw.KED_AUDIT_CRON),
      probes: raw.KED_AUDIT_PROBES ? resolve(raw.KED_AUDIT_PROBES) : fixtureWorldFile('audit-probes.jsonl'),
      minLocality: raw.KED_AUDIT_MIN_LOCALITY,
      quarantine: raw.KED_AUDIT_QUARANTINE === 'on',
    },
  };
}

/** A cron expression the scheduler accepts, or a ConfigError naming KED_AUDIT_CRON. */
function checkCron(expression: string): string {
  try {
    new CronTime(expression);
  } catch (err) {
    throw new ConfigError('KED_AUDIT_CRON', `must be a cron expression or "off" (${(err as Error).message}; got "${expression}")`);
  }
  return expression;
}

/**
 * One of the fixture world's plain files in data/world (the fixture model's statistics sample,
 * audit probes and knowledge base, which `ked world generate` writes), when it is there.
 */
function fixtureWorldFile(name: string): string | undefined {
  const file = join(packageRoot(), 'data', 'world', name);
  return existsSync(file) ? file : undefined;
}

/** The fixture model ked trains on its generated world (models/fixture), when it is there. */
function defaultModel(): string | undefined {
  const fixture = join(packageRoot(), 'models', 'fixture');
  return existsSync(join(fixture, 'config.json')) ? fixture : undefined;
}

function ensureWritableDir(dir: string, setting: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    // A real write, not access(2): root passes W_OK checks on read-only mounts.
    const probe = join(dir, `.ked-write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(setting, `is not a writable directory: ${dir} (${code})`);
  }
}
