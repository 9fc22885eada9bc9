import { runKed, startDaemon } from './support/daemon-process';
import { tempDataDir } from './support/engines';

/** `ked keys` works on the daemon's data dir without the daemon, and the daemon honours its keys. */
describe('ked keys with a real daemon', () => {
  const data = tempDataDir();
  const env = { KED_DATA_DIR: data.dir, LOG_LEVEL: 'warn' };
  afterAll(() => data.remove());

  it('creates a key the daemon accepts, lists it without the secret, and revokes it', async () => {
    const created = await runKed(['keys', 'create', '--role', 'ingest', '--role', 'reader', '--name', 'feeder', '--json'], env).done;
    expect(created.code).toBe(0);
    const { key, prefix, roles } = JSON.parse(created.stdout);
    expect(key).toMatch(/^ked_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(roles).toEqual(['ingest', 'reader']);

    const listed = await runKed(['keys', 'list', '--json'], env).done;
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ prefix, name: 'feeder', roles: ['ingest', 'reader'], revoked: false })]);
    expect(listed.stdout).not.toContain(key);

    const bad = await runKed(['keys', 'create', '--role', 'root'], env).done;
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown role "root"');

    const post = (port: number) =>
      fetch(`http://127.0.0.1:${port}/v1/facts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ facts: [{ subject: 'Ada Lovelace', prompt: 'Ada Lovelace was born in', target_new: 'Paris' }] }),
      });
    let daemon = await startDaemon(env);
    try {
      expect((await post(daemon.port)).status).toBe(202);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }

    const revoked = await runKed(['keys', 'revoke', prefix], env).done;
    expect(revoked.stdout).toContain('revoked 1 key');
    daemon = await startDaemon(env);
    try {
      expect((await post(daemon.port)).status).toBe(401);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
