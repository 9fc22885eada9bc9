import type { INestApplication } from '@nestjs/common';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/ked-config';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { SERVER_URL, scratchDatabase, serverReachable, tempDataDir } from './support/engines';

const KEY = /^ked_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

async function start(env: Record<string, string>): Promise<INestApplication> {
  const app = await createApp(loadConfig({ PORT: '0', LOG_LEVEL: 'error', KED_WORKER: 'off', ...env }));
  await app.init();
  return app;
}

/** A fresh install is usable without stopping the daemon: its first admin key, then keys over HTTP. */
describe('API keys of a running daemon', () => {
  const data = tempDataDir();
  const file = join(data.dir, 'initial-admin.key');
  let app: INestApplication | undefined;
  afterAll(async () => {
    await app?.close();
    data.remove();
  });

  it('writes one admin key for a fresh install, manages keys over HTTP, and makes no second one at restart', async () => {
    writeFileSync(file, 'left from an earlier install\n', { mode: 0o644 });
    app = await start({ KED_DATA_DIR: data.dir, DATABASE_URL: '' });
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const admin = readFileSync(file, 'utf8').trim();
    expect(admin).toMatch(KEY);
    const http = () => request(app!.getHttpServer());
    const as = (key: string) => ({ get: (u: string) => http().get(u).set('authorization', `Bearer ${key}`), post: (u: string) => http().post(u).set('authorization', `Bearer ${key}`), del: (u: string) => http().delete(u).set('authorization', `Bearer ${key}`) });

    expect((await http().get('/v1/keys').expect(401)).body.message).toContain('initial-admin.key');
    const bad = await as(admin).post('/v1/keys').send({ name: 'x', roles: ['root'], extra: 1 }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['extra', 'roles[0]']);
    expect(bad.body.errors.find((e: { path: string }) => e.path === 'extra').message).toBe('unknown field "extra"');
    expect((await as(admin).post('/v1/keys').send({ name: 'feeder' }).expect(400)).body.errors[0].path).toBe('roles');

    const created = (await as(admin).post('/v1/keys').send({ name: 'feeder', roles: ['ingest'] }).expect(201)).body as { key: string; prefix: string; roles: string[] };
    expect(created.key).toMatch(KEY);
    expect(created.roles).toEqual(['ingest']);
    const fact = { facts: [{ subject: 'Ada Lovelace', prompt: 'Ada Lovelace was born in', target_new: 'Paris' }] };
    await as(created.key).post('/v1/facts').send(fact).expect(202);
    expect((await as(created.key).get('/v1/keys').expect(403)).body.message).toContain('needs admin');

    const listed = await as(admin).get('/v1/keys').expect(200);
    expect(listed.body.map((k: { name: string; roles: string[]; revoked: boolean }) => [k.name, k.roles, k.revoked])).toEqual([
      ['initial-admin', ['admin'], false],
      ['feeder', ['ingest'], false],
    ]);
    expect(listed.text).not.toContain(created.key);
    expect(listed.text).not.toContain(admin);

    expect((await as(admin).del(`/v1/keys/${created.prefix}`).expect(200)).body).toEqual({ revoked: 1 });
    await as(created.key).post('/v1/facts').send(fact).expect(401);
    await as(admin).del(`/v1/keys/${created.prefix}`).expect(404);

    // The operator copied the key and deleted the file: a restart finds keys and writes none.
    rmSync(file);
    await app.close();
    app = await start({ KED_DATA_DIR: data.dir, DATABASE_URL: '' });
    expect(existsSync(file)).toBe(false);
    await as(admin).get('/v1/keys').expect(200);
  });

  it('writes nothing with KED_INITIAL_ADMIN_KEY=off', async () => {
    const setup = await testConfig('embedded', { KED_INITIAL_ADMIN_KEY: 'off' });
    const off = await createApp(setup!.config);
    await off.init();
    try {
      expect(existsSync(join(setup!.config.dataDir, 'initial-admin.key'))).toBe(false);
    } finally {
      await off.close();
      await setup!.cleanup();
    }
  });

  it('lets only one of two daemons starting on one empty server database create it', async () => {
    if (!(await serverReachable())) {
      if (process.env.CI) throw new Error(`CI is set but no PostgreSQL server answers at ${SERVER_URL}`);
      return;
    }
    const scratch = await scratchDatabase();
    const dirs = [tempDataDir(), tempDataDir()];
    // Migrations first, so both daemons start at once on a ready schema.
    const first = await start({ KED_DATA_DIR: dirs[0].dir, DATABASE_URL: scratch.url, KED_INITIAL_ADMIN_KEY: 'off' });
    await first.close();
    const apps = await Promise.all(dirs.map((d) => start({ KED_DATA_DIR: d.dir, DATABASE_URL: scratch.url })));
    try {
      expect(dirs.filter((d) => existsSync(join(d.dir, 'initial-admin.key'))).length).toBe(1);
      const key = dirs.map((d) => join(d.dir, 'initial-admin.key')).filter(existsSync).map((f) => readFileSync(f, 'utf8').trim())[0];
      for (const a of apps) expect((await request(a.getHttpServer()).get('/v1/keys').set('authorization', `Bearer ${key}`).expect(200)).body).toHaveLength(1);
    } finally {
      for (const a of apps) await a.close();
      await scratch.drop();
      for (const d of dirs) d.remove();
    }
  });
});
