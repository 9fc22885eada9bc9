import type { Command } from 'commander';
import type { KedDataSource } from '../memory/database/ked-data-source';
import { storageOptions, withDatabase } from './options';

/** `ked db …`: schema migrations by hand (the daemon also applies pending ones at start). */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('inspect and migrate the PostgreSQL schema');

  storageOptions(db.command('migrate').description('apply every pending migration'))
    .action(async (options: Record<string, unknown>) => {
      await withMigrationsTable(options, async (source) => {
        const applied = await source.runMigrations({ transaction: 'each' });
        console.log(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'schema is up to date');
      });
    });

  storageOptions(db.command('revert').description('undo the newest migration (or all of them)'))
    .option('--all', 'undo every migration, leaving an empty schema')
    .action(async (options: Record<string, unknown>) => {
      await withMigrationsTable(options, async (source) => {
        do {
          const executed = await source.query(`SELECT name FROM ked_migrations ORDER BY id DESC LIMIT 1`);
          if (executed.length === 0) break;
          await source.undoLastMigration({ transaction: 'each' });
          console.log(`reverted ${executed[0].name}`);
        } while (options.all);
      });
    });

  storageOptions(db.command('status').description('list migrations and whether each is applied'))
    .option('--json', 'print one JSON line')
    .action(async (options: Record<string, unknown>) => {
      await withMigrationsTable(options, async (source) => {
        const executed = new Set(
          (await source.query(`SELECT name FROM ked_migrations`)).map((row: { name: string }) => row.name),
        );
        const rows = source.migrations.map((m) => ({ name: m.name ?? m.constructor.name, applied: executed.has(m.name ?? '') }));
        if (options.json) console.log(JSON.stringify({ mode: source.mode, migrations: rows }));
        else for (const row of rows) console.log(`${row.applied ? 'applied' : 'pending'}  ${row.name}`);
      });
    });
}

/** The database without migrating it; the bookkeeping table exists even before the first migration runs. */
function withMigrationsTable(options: Record<string, unknown>, work: (source: KedDataSource) => Promise<void>): Promise<void> {
  return withDatabase(
    options,
    async (source) => {
      await source.query(`CREATE TABLE IF NOT EXISTS ked_migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL)`);
      await work(source);
    },
    { migrate: false },
  );
}
