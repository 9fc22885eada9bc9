import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, runKed, startDaemon, type DaemonProcess } from './support/daemon-process';
import { scratchDatabase, serverReachable, tempDataDir } from './support/engines';

/** The daemon as a real process: what `npm start` runs, killed the way machines kill it. */
describe('ked serve as a process', () => {
  it('keeps committed data through kill -9 and a restart on the embedded engine', async () => {
    const data = tempDataDir();
    const pgPort = await freePort();
    const env = { KED_DATA_DIR: data.dir, KED_EMBEDDED_PG_PORT: String(pgPort) };
    const url = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
    const started: DaemonProcess[] = [];
    try {
      const first = await startDaemon(env);
      started.push(first);
      expect(first.stdout()).toContain(`embedded PostgreSQL at ${url}`);
      const client = new Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(
        `INSERT INTO facts (key, subject, prompt, target_new, record, identity)
         VALUES ('survivor', 'Leo Arons', 'Leo Arons died in', 'Berlin', '{}', 'leo arons | template:{s} died in') RETURNING id`,
      );
      await client.end();

      // A second daemon must not open the same files while the first one runs.
      const rival = await runKed(['serve'], { ...env, KED_EMBEDDED_PG_PORT: '0', PORT: String(await freePort()) }).done;
      expect(rival.code).toBe(1);
      expect(rival.stderr.trim().split('\n')).toEqual([expect.stringMatching(/embedded database is in use by another process/)]);

      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull(); // killed, no clean shutdown

      const second = await startDaemon(env);
      started.push(second);
      const again = new Client({ connectionString: url });
      await again.connect();
      const after = await again.query(`SELECT id, subject, target_new FROM facts WHERE key = 'survivor'`);
      await again.end();
      expect(after.rows).toEqual([{ id: rows[0].id, subject: 'Leo Arons', target_new: 'Berlin' }]);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0); // a clean stop on SIGTERM...
      expect(existsSync(join(data.dir, 'pg.lock'))).toBe(false); // ...that released the engine's files
    } finally {
      // A failed assertion must not leave a daemon running (it would keep the test runner alive).
      for (const d of started) d.child.kill('SIGKILL');
      data.remove();
    }
  }, 180_000);

  it('answers /health with DATABASE_URL pointing at a PostgreSQL server', async () => {
    if (!(await serverReachable())) {
      if (process.env.CI) throw new Error('CI is set but no PostgreSQL server is reachable');
      return;
    }
    const data = tempDataDir();
    const scratch = await scratchDatabase();
    try {
      const daemon = await startDaemon({ KED_DATA_DIR: data.dir, DATABASE_URL: scratch.url });
      const health = (await (await fetch(`http://127.0.0.1:${daemon.port}/health`)).json()) as {
        details: { database: { status: string } };
      };
      expect(health.details.database.status).toBe('up');
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    } finally {
      await scratch.drop();
      data.remove();
    }
  }, 120_000);

  describe('bad configuration exits with one line naming the setting', () => {
    const cases: Array<[string, Record<string, string>, RegExp, number]> = [
      ['an unparseable DATABASE_URL', { DATABASE_URL: 'mysql://root:secret@db/x' }, /^ked: invalid configuration: DATABASE_URL must be a URL/, 2],
      ['an unwritable KED_DATA_DIR', { KED_DATA_DIR: '/dev/null/ked' }, /^ked: invalid configuration: KED_DATA_DIR is not a writable directory/, 2],
      ['a PORT that is not a number', { PORT: 'http' }, /^ked: invalid configuration: PORT must be a port number/, 2],
      ['an unknown LOG_LEVEL', { LOG_LEVEL: 'chatty' }, /^ked: invalid configuration: LOG_LEVEL /, 2],
      ['a missing KED_HPARAMS_DIR', { KED_HPARAMS_DIR: '/nonexistent/hparams' }, /^ked: invalid configuration: KED_HPARAMS_DIR .*no such directory/, 2],
      ['an unreachable database server', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/ked' }, /^ked: cannot connect to the database \(DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/ked\)/, 1],
    ];
    it.each(cases)('%s', async (_name, env, line, code) => {
      const data = tempDataDir();
      try {
        const result = await runKed(['serve'], { KED_DATA_DIR: data.dir, ...env }).done;
        expect(result.code).toBe(code);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(line);
        expect(result.stderr).not.toContain('secret');
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      } finally {
        data.remove();
      }
    }, 60_000);
  });

  it('migrates, reports and reverts the schema with `ked db`', async () => {
    const data = tempDataDir();
    const env = { KED_DATA_DIR: data.dir };
    const status = async () => JSON.parse((await runKed(['db', 'status', '--json'], env).done).stdout);
    try {
      expect(await status()).toEqual({
        mode: 'embedded',
        migrations: [
          { name: 'InitialSchema1764320000000', applied: false },
          { name: 'JobQueueSchema1764320000001', applied: false },
          { name: 'CodebookEditKind1764400000000', applied: false },
          { name: 'FactStream1765000000000', applied: false },
          { name: 'DropJobQueue1765100000000', applied: false },
        ],
      });
      const migrate = await runKed(['db', 'migrate'], env).done;
      expect(migrate.stdout).toBe('applied InitialSchema1764320000000\napplied JobQueueSchema1764320000001\napplied CodebookEditKind1764400000000\napplied FactStream1765000000000\napplied DropJobQueue1765100000000\n');
      expect((await status()).migrations.every((m: { applied: boolean }) => m.applied)).toBe(true);
      const revert = await runKed(['db', 'revert', '--all'], env).done;
      expect(revert.stdout).toBe('reverted DropJobQueue1765100000000\nreverted FactStream1765000000000\nreverted CodebookEditKind1764400000000\nreverted JobQueueSchema1764320000001\nreverted InitialSchema1764320000000\n');
      expect((await status()).migrations.some((m: { applied: boolean }) => m.applied)).toBe(false);
    } finally {
      data.remove();
    }
  }, 120_000);

  it('prints help for every command', async () => {
    const top = await runKed(['--help'], {}).done;
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/serve \[options\]\s+run the daemon/);
    const serve = await runKed(['serve', '--help'], {}).done;
    expect(serve.stdout).toContain('env: DATABASE_URL');
  });
});
