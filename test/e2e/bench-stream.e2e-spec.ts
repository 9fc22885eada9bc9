import { Client } from 'pg';
import { benchLines, runKed } from './support/daemon-process';
import { SERVER_URL, serverReachable } from './support/engines';

/** `ked bench stream` starts `ked serve` workers on a scratch database of the PostgreSQL server; here with a few facts. */
describe('ked bench stream', () => {
  it('reports facts per minute and freshness for 1 and 2 workers, and leaves no scratch database behind', async () => {
    if (!(await serverReachable())) {
      if (process.env.CI) throw new Error('CI is set but no PostgreSQL server is reachable');
      return;
    }
    const env: Record<string, string> = process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {};
    const result = await runKed(['bench', 'stream', '--facts', '4', '--workers', '1,2', '--json'], env).done;
    expect(result.code).toBe(0);
    const lines = benchLines(result.stdout);
    const point = (workers: number) =>
      expect.objectContaining({
        workers,
        facts: 4,
        factsPerMinute: expect.any(Number),
        freshnessP50S: expect.any(Number),
        freshnessP99S: expect.any(Number),
        failed: expect.any(Number),
        unsettled: 0,
      });
    expect(lines).toEqual([point(1), point(2)]);
    for (const line of lines) {
      expect(line.factsPerMinute).toBeGreaterThan(0);
      expect(line.failed).toBe(0);
      expect(line.freshnessP50S).toBeLessThanOrEqual(line.freshnessP99S as number);
    }

    const client = new Client({ connectionString: SERVER_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'ked\\_bench\\_%'`);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  }, 300_000);
});
