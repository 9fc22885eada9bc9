import { KedDataSource } from '../../src/memory/database/ked-data-source';
import { testConfig } from './support/app-env';
import { ENGINES } from './support/engines';

const KED_TABLES = ['api_keys', 'audit_results', 'audits', 'edit_operations', 'erasure_requests', 'facts', 'model_versions'];

describe.each(ENGINES)('migrations on the %s engine', (engine) => {
  let source: KedDataSource | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const setup = await testConfig(engine);
    if (!setup) return;
    cleanup = setup.cleanup;
    source = await KedDataSource.open(setup.config.database, { migrate: false });
  });

  afterAll(async () => {
    await source?.destroy();
    await cleanup?.();
  });

  const tables = async () =>
    (
      await source!.query(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_schema IN ('public', 'pgboss') AND table_name <> 'ked_migrations' ORDER BY 1`,
      )
    ).map((row: { name: string }) => row.name);

  it('run up, down, and up again cleanly', async () => {
    if (!source) return;
    expect(await tables()).toEqual([]);

    const applied = await source.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(['InitialSchema1764320000000', 'JobQueueSchema1764320000001', 'CodebookEditKind1764400000000', 'FactStream1765000000000', 'DropJobQueue1765100000000']);
    const up = await tables();
    expect(up).toEqual(expect.arrayContaining(KED_TABLES.map((t) => `public.${t}`)));
    expect(up.filter((t: string) => t.startsWith('pgboss.'))).toEqual([]);

    while ((await source.query(`SELECT 1 FROM ked_migrations`)).length > 0) {
      await source.undoLastMigration({ transaction: 'each' });
    }
    expect(await tables()).toEqual([]);

    await source.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(up);
    expect(await source.runMigrations()).toEqual([]); // idempotent: nothing left to apply

    // A database an older ked migrated still holds pg-boss's schema: the last migration drops it.
    await source.undoLastMigration({ transaction: 'each' });
    await source.query(`CREATE SCHEMA pgboss; CREATE TABLE pgboss.job (id uuid)`);
    expect(await tables()).toContain('pgboss.job');
    await source.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(up);
  });

  it('leave a schema the entities map exactly (no drift between code and migrations)', async () => {
    if (!source) return;
    await source.runMigrations({ transaction: 'each' });
    const pending = await source.driver.createSchemaBuilder().log();
    // Columns and tables must agree. Indexes, checks and foreign keys are the migrations' business
    // (partial and expression indexes, CHECK lists), which the entities do not restate.
    const drift = pending.upQueries
      .map((q) => q.query)
      .filter((sql) => !/INDEX|DROP CONSTRAINT/i.test(sql));
    expect(drift).toEqual([]);
  });

  it('enforce the state machines the code relies on', async () => {
    if (!source) return;
    await expect(
      source.query(`INSERT INTO facts (subject, prompt, target_new, record, identity, status) VALUES ('s', 'p', 't', '{}', 's | p', 'bogus')`),
    ).rejects.toThrow(/check constraint/);
    await source.query(`INSERT INTO facts (key, subject, prompt, target_new, record, identity) VALUES ('k1', 's', 'p', 't', '{}', 's | p')`);
    await expect(
      source.query(`INSERT INTO facts (key, subject, prompt, target_new, record, identity) VALUES ('k1', 's', 'p', 't', '{}', 's | p')`),
    ).rejects.toThrow(/duplicate key/);
  });
});
