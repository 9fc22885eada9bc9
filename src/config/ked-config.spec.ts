import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.schema';
import { loadConfig } from './ked-config';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ked-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const failure = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads the editing, audit and rate-limit settings, and names a bad one', () => {
    const config = loadConfig({ KED_DATA_DIR: dir, KED_EDIT_METHODS: 'memit,ft-m', KED_AUDIT_CRON: '*/5 * * * *', KED_AUDIT_QUARANTINE: 'on', KED_RATE_LIMIT: '60' });
    expect(config.editPolicy).toEqual({ modification: ['memit', 'ft-m'], insertion: ['memit', 'ft-m'], memoryRelations: [], memoryMethod: 'mello' });
    const split = loadConfig({ KED_DATA_DIR: dir, KED_EDIT_METHODS: 'rome', KED_INSERTION_METHODS: 'melo,ice', KED_MEMORY_RELATIONS: 'citizen_of,capital_of', KED_MEMORY_METHOD: 'pokemqa' });
    expect(split.editPolicy).toEqual({ modification: ['rome'], insertion: ['melo', 'ice'], memoryRelations: ['citizen_of', 'capital_of'], memoryMethod: 'pokemqa' });
    expect(config.audit).toMatchObject({ cron: '*/5 * * * *', minLocality: 95, quarantine: true });
    expect(config.rateLimit).toBe(60);
    expect(config.worker).toBe(true);
    expect(loadConfig({ KED_DATA_DIR: dir, KED_AUDIT_CRON: 'off' }).audit.cron).toBeNull();
    expect(failure({ KED_DATA_DIR: dir, KED_AUDIT_CRON: 'every night' }).setting).toBe('KED_AUDIT_CRON');
    expect(failure({ KED_DATA_DIR: dir, KED_EDIT_METHODS: 'rome;ft-m' }).message).toContain('KED_EDIT_METHODS must be a comma-separated list');
    expect(failure({ KED_DATA_DIR: dir, KED_WORKER: 'maybe' }).message).toContain('KED_WORKER must be on or off');
    expect(failure({ KED_DATA_DIR: dir, KED_INSERTION_METHODS: 'melo ice' }).setting).toBe('KED_INSERTION_METHODS');
    expect(failure({ KED_DATA_DIR: dir, KED_MEMORY_METHOD: 'rome' }).message).toContain('KED_MEMORY_METHOD must be mello or pokemqa');
    expect(failure({ KED_DATA_DIR: dir, KED_AUDIT_MIN_LOCALITY: '120' }).setting).toBe('KED_AUDIT_MIN_LOCALITY');
  });

  it("reads PokeMQA's knowledge base from the fixture world's knowledge-base.json by default, a given file, or none", () => {
    expect(loadConfig({ KED_DATA_DIR: dir }).knowledgeBase).toMatch(/data[\\/]world[\\/]knowledge-base\.json$/);
    expect(loadConfig({ KED_DATA_DIR: dir, KED_KNOWLEDGE_BASE: 'kb.json' }).knowledgeBase).toBe(join(process.cwd(), 'kb.json'));
    expect(loadConfig({ KED_DATA_DIR: dir, KED_KNOWLEDGE_BASE: 'off' }).knowledgeBase).toBeUndefined();
  });

  it("reads the statistics corpus and audit probes from the fixture world's plain files by default, and refuses a JSON file for either", () => {
    const config = loadConfig({ KED_DATA_DIR: dir });
    expect(config.statsCorpus).toMatch(/data[\\/]world[\\/]stats-corpus\.jsonl$/);
    expect(config.audit.probes).toMatch(/data[\\/]world[\\/]audit-probes\.jsonl$/);
    expect(loadConfig({ KED_DATA_DIR: dir, KED_STATS_CORPUS: 'corpus.txt', KED_AUDIT_PROBES: 'probes.jsonl' })).toMatchObject({ statsCorpus: join(process.cwd(), 'corpus.txt'), audit: { probes: join(process.cwd(), 'probes.jsonl') } });
    const world = failure({ KED_DATA_DIR: dir, KED_STATS_CORPUS: 'data/world/world.json' });
    expect(world.setting).toBe('KED_STATS_CORPUS');
    expect(world.message).toContain('the stats-corpus.jsonl that `ked world generate` writes beside its world.json');
    expect(failure({ KED_DATA_DIR: dir, KED_AUDIT_PROBES: 'world.json' }).message).toContain('the audit-probes.jsonl that `ked world generate` writes beside its world.json');
  });

  it('runs the model on every core unless KED_THREADS says how many', () => {
    expect(loadConfig({ KED_DATA_DIR: dir }).threads).toBe(availableParallelism());
    expect(loadConfig({ KED_DATA_DIR: dir, KED_THREADS: '1' }).threads).toBe(1);
    expect(failure({ KED_DATA_DIR: dir, KED_THREADS: '0' }).message).toContain('KED_THREADS must be at least 1');
  });

  it('defaults to the embedded engine under the data dir, port 3000, info logs', () => {
    const config = loadConfig({ KED_DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.logLevel).toBe('info');
    expect(config.database).toEqual({ mode: 'embedded', dir: join(dir, 'pg'), port: 0, poolSize: 1 });
    expect(config.lanceUri).toBe(join(dir, 'lance'));
    expect(config.model === undefined || config.model.endsWith(join('models', 'fixture'))).toBe(true);
  });

  it('resolves KED_MODEL to an absolute path', () => {
    expect(loadConfig({ KED_DATA_DIR: dir, KED_MODEL: 'some/model' }).model).toBe(join(process.cwd(), 'some/model'));
  });

  it('uses a server when DATABASE_URL is set, with a larger pool', () => {
    const config = loadConfig({ KED_DATA_DIR: dir, DATABASE_URL: 'postgresql://u:p@db.internal:6543/ked' });
    expect(config.database).toEqual({ mode: 'server', url: 'postgresql://u:p@db.internal:6543/ked', poolSize: 10 });
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ KED_DATA_DIR: dir, DATABASE_URL: '' }).database.mode).toBe('embedded');
  });

  it('keeps object-store LanceDB URIs as they are', () => {
    expect(loadConfig({ KED_DATA_DIR: dir, KED_LANCE_URI: 's3://bucket/ked' }).lanceUri).toBe('s3://bucket/ked');
  });

  it('names DATABASE_URL when it does not parse, without echoing its password', () => {
    const err = failure({ KED_DATA_DIR: dir, DATABASE_URL: 'mysql://root:hunter2@localhost/x' });
    expect(err.setting).toBe('DATABASE_URL');
    expect(err.message).toMatch(/^invalid configuration: DATABASE_URL must be a URL like postgres:\/\//);
    expect(err.message).not.toContain('hunter2');
    expect(failure({ KED_DATA_DIR: dir, DATABASE_URL: 'not a url' }).setting).toBe('DATABASE_URL');
  });

  it('names PORT when it is not a port', () => {
    expect(failure({ KED_DATA_DIR: dir, PORT: 'eighty' }).setting).toBe('PORT');
    expect(failure({ KED_DATA_DIR: dir, PORT: '70000' }).message).toContain('between 0 and 65535');
  });

  it('names LOG_LEVEL when it is not a pino level', () => {
    expect(failure({ KED_DATA_DIR: dir, LOG_LEVEL: 'loud' }).setting).toBe('LOG_LEVEL');
  });

  it('names KED_DATA_DIR when it cannot be written', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const err = failure({ KED_DATA_DIR: join(file, 'data') });
    expect(err.setting).toBe('KED_DATA_DIR');
    expect(err.message).toContain('is not a writable directory');
    expect(err.message).toContain('ENOTDIR');
  });
});
