import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKed, startDaemon, type DaemonProcess } from './support/daemon-process';
import { tempDataDir } from './support/engines';
import { isSettled } from './support/fact-status';

const RECORDS = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'world', 'world-counterfact.test.json'), 'utf8')) as Array<Record<string, unknown>>;

/**
 * kill -9 in the middle of a 200-fact stream: after a restart every fact ends applied exactly
 * once (one stored operation per verified fact, none lost, none twice). FT-M is the policy here
 * because it is the fastest method; the state machine is the same for every method.
 */
jest.setTimeout(900_000);

describe('a daemon killed while applying facts', () => {
  const data = tempDataDir();
  const env = { KED_DATA_DIR: data.dir, LOG_LEVEL: 'warn', KED_EDIT_METHODS: 'ft-m' };
  let daemon: DaemonProcess | undefined;
  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await daemon?.exited;
    data.remove();
  });

  it('applies every fact exactly once after kill -9 and a restart', async () => {
    const created = await runKed(['keys', 'create', '--role', 'admin', '--json'], env).done;
    const { key } = JSON.parse(created.stdout);
    const headers = { authorization: `Bearer ${key}` };
    daemon = await startDaemon(env);
    const base = () => `http://127.0.0.1:${daemon!.port}`;
    const facts = RECORDS.slice(0, 200).map((r, i) => JSON.stringify({ subject: r.subject, prompt: r.prompt, target_new: r.target_new, key: `crash:${i}` }));
    const accepted = await fetch(`${base()}/v1/facts`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: facts.join('\n') });
    expect(accepted.status).toBe(202);
    const { ids } = (await accepted.json()) as { ids: string[] };
    expect(ids).toHaveLength(200);

    const statuses = async () => {
      const out: Array<{ status: string; operations: unknown[] }> = [];
      for (const id of ids) out.push((await (await fetch(`${base()}/v1/facts/${id}`, { headers })).json()) as { status: string; operations: unknown[] });
      return out;
    };
    // Kill it once some facts are done and the rest are not.
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const res = await fetch(`${base()}/v1/facts/${ids[30]}`, { headers });
      if (((await res.json()) as { status: string }).status !== 'queued') break;
    }
    daemon.child.kill('SIGKILL');
    expect(await daemon.exited).toBeNull();

    daemon = await startDaemon(env);
    const finish = Date.now() + 600_000;
    let all = await statuses();
    while (!all.every((f) => isSettled(f.status)) && Date.now() < finish) {
      await new Promise((r) => setTimeout(r, 2000));
      all = await statuses();
    }
    const done = all.filter((f) => f.status === 'verified').length;
    expect(all.filter((f) => !isSettled(f.status))).toEqual([]);
    expect(done).toBeGreaterThanOrEqual(190);
    for (const f of all) expect(f.operations).toHaveLength(f.status === 'verified' ? 1 : 0);
  });
});
