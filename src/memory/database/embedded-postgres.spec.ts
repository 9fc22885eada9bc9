import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabaseBusyError, EmbeddedDatabaseUnreadableError, EmbeddedPostgres } from './embedded-postgres';

describe('EmbeddedPostgres', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ked-pglite-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('serves PostgreSQL to the pg driver and keeps data across restarts', async () => {
    const dir = join(root, 'pg');
    let engine = await EmbeddedPostgres.start({ dir, port: 0, maxConnections: 4 });
    let client = new Client({ connectionString: engine.url });
    await client.connect();
    await client.query(`CREATE TABLE notes (body text)`);
    await client.query(`INSERT INTO notes VALUES ('kept')`);
    await client.end();
    await engine.stop();

    engine = await EmbeddedPostgres.start({ dir, port: 0, maxConnections: 4 });
    client = new Client({ connectionString: engine.url });
    await client.connect();
    expect((await client.query(`SELECT body FROM notes`)).rows).toEqual([{ body: 'kept' }]);
    await client.end();
    await engine.stop();
  }, 60_000);

  it('refuses a directory another live process holds, and takes over a dead one', async () => {
    const dir = join(root, 'pg');
    writeFileSync(`${dir}.lock`, String(process.ppid)); // a live process that is not us
    await expect(EmbeddedPostgres.start({ dir, port: 0, maxConnections: 2 })).rejects.toBeInstanceOf(
      EmbeddedDatabaseBusyError,
    );
    writeFileSync(`${dir}.lock`, '2147483646'); // no such pid
    const engine = await EmbeddedPostgres.start({ dir, port: 0, maxConnections: 2 });
    await engine.stop();
  }, 60_000);

  it('names the directory and the way out when its files are damaged, and releases the lock', async () => {
    const dir = join(root, 'pg');
    const engine = await EmbeddedPostgres.start({ dir, port: 0, maxConnections: 2 });
    await engine.stop();
    // Losing the write-ahead log is what two processes writing one directory leave behind.
    for (const segment of readdirSync(join(dir, 'pg_wal')).filter((name) => /^[0-9A-F]{24}$/.test(name))) {
      rmSync(join(dir, 'pg_wal', segment));
    }
    const failure = EmbeddedPostgres.start({ dir, port: 0, maxConnections: 2 });
    await expect(failure).rejects.toBeInstanceOf(EmbeddedDatabaseUnreadableError);
    await expect(failure).rejects.toThrow(`the embedded database in ${dir} cannot be opened`);
    await expect(failure).rejects.toThrow('DATABASE_URL');
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 60_000);
});
