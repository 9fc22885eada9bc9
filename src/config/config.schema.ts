import { z } from 'zod';

/**
 * Every setting ked reads from the environment, with its default.
 * README's configuration table mirrors this file; keep them in step.
 */
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be an integer')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a URL like postgres://user:password@host:5432/database');

/**
 * A file of lines the daemon reads (a statistics corpus, audit probes): JSONL or plain text, never
 * a JSON document (a ked world.json is one: its world's plain files are written beside it).
 */
const lineFile = (what: string, file: string) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .refine((path) => !/\.json$/i.test(path), `must be a JSONL file of ${what} or plain text lines, not JSON (for a ked world, the ${file} that \`ked world generate\` writes beside its world.json)`)
      .optional(),
  );

export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  KED_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), postgresUrl.optional()),
  KED_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).optional(),
  KED_EMBEDDED_PG_PORT: port.default(0),
  KED_LANCE_URI: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  KED_MODEL: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  KED_STATS_CORPUS: lineFile('{"text"} objects', 'stats-corpus.jsonl'),
  KED_KNOWLEDGE_BASE: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  KED_HPARAMS_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  KED_EDIT_METHODS: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be a comma-separated list of method names, e.g. rome,ft-m')
    .default('rome,ft-m'),
  KED_INSERTION_METHODS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .trim()
      .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be a comma-separated list of method names, e.g. melo,ice')
      .optional(),
  ),
  KED_MEMORY_RELATIONS: z
    .string()
    .trim()
    .regex(/^([^,\s]+(,[^,\s]+)*)?$/, 'must be a comma-separated list of relation names, e.g. citizen_of,capital_of')
    .default(''),
  KED_MEMORY_METHOD: z.enum(['mello', 'pokemqa'], { error: 'must be mello or pokemqa' }).default('mello'),
  KED_WORKER: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  KED_BATCH_WINDOW_MS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number of milliseconds').min(0, 'must be 0 (off) or more').max(600_000, 'must be at most 600000').default(0),
  KED_BATCH_MAX: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(256, 'must be at most 256').default(16),
  KED_AUDIT_CRON: z.string().trim().min(1).default('0 3 * * *'),
  KED_AUDIT_PROBES: lineFile('{"prompt"} objects', 'audit-probes.jsonl'),
  KED_AUDIT_MIN_LOCALITY: z.coerce.number({ error: 'must be a number' }).min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').default(95),
  KED_AUDIT_QUARANTINE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  KED_NATS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^(nats|tls):\/\/\S+$/, 'must be a URL like nats://127.0.0.1:4222').optional()),
  KED_NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a JetStream stream name (letters, digits, - and _)').default('KED_FACTS'),
  KED_NATS_SUBJECT: z.string().min(1).default('ked.facts'),
  KED_INITIAL_ADMIN_KEY: z.enum(['file', 'off'], { error: 'must be file or off' }).default('file'),
  KED_THREADS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(256, 'must be at most 256').optional(),
  KED_EDIT_THREADS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(256, 'must be at most 256').default(1),
  KED_EDIT_MEMORY_MB: z.coerce.number({ error: 'must be a number' }).int('must be a whole number of MiB').min(256, 'must be at least 256').max(1_048_576, 'must be at most 1048576').default(4096),
  KED_EDIT_TIMEOUT_S: z.coerce.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(86_400, 'must be at most 86400').default(600),
  KED_EDIT_NICE: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be between 0 and 19').max(19, 'must be between 0 and 19').default(10),
  KED_FACT_MAX_ATTEMPTS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(3),
  KED_FACT_LEASE_S: z.coerce.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(3600, 'must be at most 3600').default(30),
  KED_RATE_LIMIT: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').default(6000),
});

export type RawConfig = z.infer<typeof configSchema>;

/** A setting that cannot be used; `setting` names it so the CLI can print one clear line. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`invalid configuration: ${setting} ${reason}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): RawConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const setting = String(issue.path[0] ?? 'environment');
    const got = env[setting];
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(redactUrl(got))})`;
    throw new ConfigError(setting, `${issue.message}${shown}`);
  }
  return result.data;
}

/** Hides a password before a URL is echoed in an error. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
