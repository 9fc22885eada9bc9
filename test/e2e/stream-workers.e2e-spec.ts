import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { runKed, startDaemon, type DaemonProcess } from './support/daemon-process';
import { scratchDatabase, serverReachable, tempDataDir } from './support/engines';
import { isSettled } from './support/fact-status';

const RECORDS = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'world', 'world-counterfact.test.json'), 'utf8')) as Array<{ subject: string; prompt: string; target_new: string }>;

jest.setTimeout(900_000);

/**
 * Two `ked serve` processes on one PostgreSQL server share a 200-fact stream in which 50 facts
 * give a newer value to an identity that an earlier fact set. Each is killed with -9 once and
 * started again while facts are in flight. Every fact must be applied exactly once (one stored
 * operation per verified fact), by both workers, and each identity must end on its newest value.
 */
describe('two workers on one PostgreSQL server', () => {
  const a = tempDataDir();
  const b = tempDataDir();
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  const daemons: Record<'a' | 'b', DaemonProcess | undefined> = { a: undefined, b: undefined };

  afterAll(async () => {
    for (const d of Object.values(daemons)) {
      d?.child.kill('SIGKILL');
      await d?.exited;
    }
    await scratch?.drop();
    a.remove();
    b.remove();
  });

  it('apply a stream exactly once, in per-identity order, through kill -9 of either one', async () => {
    if (!(await serverReachable())) {
      if (process.env.CI) throw new Error('CI is set but no PostgreSQL server answers');
      return;
    }
    scratch = await scratchDatabase();
    // A short lease: a killed worker's claims go to the other within seconds.
    const env = (dir: string) => ({ KED_DATA_DIR: dir, DATABASE_URL: scratch!.url, LOG_LEVEL: 'warn', KED_EDIT_METHODS: 'ft-m', KED_AUDIT_CRON: 'off', KED_FACT_LEASE_S: '3', KED_INITIAL_ADMIN_KEY: 'off' });
    const created = await runKed(['keys', 'create', '--role', 'admin', '--json'], env(a.dir)).done;
    const { key } = JSON.parse(created.stdout) as { key: string };
    const headers = { authorization: `Bearer ${key}` };
    daemons.a = await startDaemon(env(a.dir));
    daemons.b = await startDaemon(env(b.dir));

    const first = RECORDS.slice(600, 750).map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new }));
    // The newer values: each of the first 50 identities again, with another record's target.
    const newer = first.slice(0, 50).map((f, i) => ({ ...f, target_new: RECORDS[800 + i].target_new }));
    const stream = [...first.slice(0, 100), ...newer.slice(0, 25), ...first.slice(100), ...newer.slice(25)];
    const post = await fetch(`http://127.0.0.1:${daemons.a.port}/v1/facts`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: stream.map((f) => JSON.stringify(f)).join('\n') });
    expect(post.status).toBe(202);
    const { ids } = (await post.json()) as { ids: string[] };

    const db = new Client({ connectionString: scratch.url });
    await db.connect();
    try {
      const settledCount = async () => Number((await db.query(`SELECT count(*) AS n FROM facts WHERE status IN ('verified', 'failed', 'superseded')`)).rows[0].n);
      const waitFor = async (n: number, limitMs: number) => {
        for (const until = Date.now() + limitMs; Date.now() < until && (await settledCount()) < n; ) await new Promise((r) => setTimeout(r, 300));
      };
      for (const [name, at] of [['b', 30], ['a', 100]] as const) {
        await waitFor(at, 300_000);
        daemons[name]!.child.kill('SIGKILL');
        expect(await daemons[name]!.exited).toBeNull();
        daemons[name] = await startDaemon(env(name === 'a' ? a.dir : b.dir));
      }
      await waitFor(stream.length, 600_000);

      const facts = (await db.query(`SELECT id, seq, identity, status, superseded_by FROM facts ORDER BY seq`)).rows as Array<{ id: string; seq: string; identity: string; status: string; superseded_by: string | null }>;
      expect(facts.map((f) => f.id).sort()).toEqual([...ids].sort());
      expect(facts.filter((f) => !isSettled(f.status))).toEqual([]);
      const ops = (await db.query(`SELECT fact_id, status, verification->>'worker' AS worker FROM edit_operations`)).rows as Array<{ fact_id: string; status: string; worker: string }>;
      const perFact = new Map<string, number>();
      for (const op of ops) perFact.set(op.fact_id, (perFact.get(op.fact_id) ?? 0) + 1);
      // Exactly once: never two operations for one fact, none for a failed one.
      expect([...perFact.entries()].filter(([, n]) => n > 1)).toEqual([]);
      for (const f of facts.filter((x) => x.status === 'failed')) expect(perFact.get(f.id)).toBeUndefined();
      expect(facts.filter((f) => f.status === 'failed').length).toBeLessThanOrEqual(10);
      // Both processes applied facts (each start is a worker of its own).
      expect(new Set(ops.map((o) => o.worker.split(':').slice(0, 2).join(':'))).size).toBeGreaterThanOrEqual(2);
      // Per-identity order: the newest fact of each identity is the one that stands.
      const byIdentity = new Map<string, typeof facts>();
      for (const f of facts) byIdentity.set(f.identity, [...(byIdentity.get(f.identity) ?? []), f]);
      expect(byIdentity.size).toBe(150);
      for (const chain of byIdentity.values()) {
        const [latest, ...older] = [...chain].sort((x, y) => Number(y.seq) - Number(x.seq));
        if (latest.status === 'failed') continue;
        expect(latest.status).toBe('verified');
        for (const o of older) if (o.status !== 'failed') expect([o.status, o.superseded_by]).toEqual(['superseded', latest.id]);
      }
      const live = (await db.query(`SELECT f.identity, count(*) AS n FROM edit_operations o JOIN facts f ON f.id = o.fact_id WHERE o.status IN ('applied', 'verified') GROUP BY f.identity HAVING count(*) > 1`)).rows;
      expect(live).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
