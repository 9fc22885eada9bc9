import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/ked-config';
import { createApiKey } from '../../src/guards/api-keys';
import { EditEventsService } from '../../src/modules/edits/edit-events.service';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { tempDataDir } from './support/engines';
import { asFact, counterfactRecords, type CounterfactRecord } from './support/counterfact';
import { settledFacts } from './support/test-app';

jest.setTimeout(300_000);

const [FIRST, SECOND, THIRD] = counterfactRecords(70, 73);

type Completion = { choices: Array<{ text: string }>; ked: { edits: string[] } };

/** Two daemons on one PostgreSQL server (own data and LanceDB directories): routing and weights follow each other. */
describe('two daemons on one PostgreSQL server', () => {
  let a: INestApplication | undefined;
  let b: INestApplication | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let removeB: (() => void) | undefined;
  let key = '';
  const auth = (app: INestApplication, r: (h: ReturnType<typeof request>) => request.Test) => r(request(app.getHttpServer())).set('authorization', `Bearer ${key}`);
  const complete = async (app: INestApplication, prompt: string) => (await auth(app, (h) => h.post('/v1/completions')).send({ prompt, max_tokens: 4, temperature: 0 }).expect(200)).body as Completion;
  /** Polls until `check` holds (events arrive within milliseconds; the limit only bounds a failure). */
  const eventually = async (work: () => Promise<Completion>, check: (c: Completion) => boolean): Promise<Completion> => {
    const until = Date.now() + 15_000;
    for (;;) {
      const result = await work();
      if (check(result) || Date.now() > until) return result;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const applied = async (app: INestApplication, fact: CounterfactRecord): Promise<string> => {
    const { ids } = (await auth(app, (h) => h.post('/v1/facts')).send({ facts: [asFact(fact)] }).expect(202)).body as { ids: string[] };
    const [view] = await settledFacts({ get: (url) => auth(app, (h) => h.get(url)) }, ids, 200);
    expect(view.status).toBe('verified');
    return view.operations[0].id;
  };

  beforeAll(async () => {
    const setup = await testConfig('server', { KED_WORKER: 'on', KED_EDIT_METHODS: 'ft-m', KED_AUDIT_CRON: 'off' });
    if (!setup) return; // no server here (CI has one: testConfig fails there instead)
    cleanup = setup.cleanup;
    const other = tempDataDir();
    removeB = other.remove;
    const url = setup.config.database.mode === 'server' ? setup.config.database.url : '';
    a = await createApp(setup.config);
    await a.init();
    b = await createApp(loadConfig({ KED_DATA_DIR: other.dir, DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'warn', KED_WORKER: 'off', KED_AUDIT_CRON: 'off' }));
    await b.init();
    key = (await createApiKey(a.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['admin'] })).key;
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    removeB?.();
    await cleanup?.();
  });

  it('an edit applied by one daemon is routed by the other, and a rollback on the other reaches the first', async () => {
    if (!a || !b) return;
    const before = await complete(b, FIRST.prompt);
    const id = await applied(a, FIRST);
    const routed = await eventually(() => complete(b!, FIRST.prompt), (c) => c.ked.edits.includes(id));
    expect(routed.ked.edits).toEqual([id]);
    expect(routed.choices[0].text.trim().startsWith(FIRST.target_new)).toBe(true);

    await auth(b, (h) => h.delete(`/v1/edits/${id}`)).expect(200);
    const back = await eventually(() => complete(a!, FIRST.prompt), (c) => c.ked.edits.length === 0);
    expect(back.ked.edits).toEqual([]);
    expect(back.choices[0].text).toBe(before.choices[0].text);
  });

  it('an edit committed through one daemon changes the weights the other serves', async () => {
    if (!a || !b) return;
    const id = await applied(a, SECOND);
    await eventually(() => complete(b!, SECOND.prompt), (c) => c.ked.edits.includes(id));
    await auth(b, (h) => h.post(`/v1/edits/${id}/commit`)).expect(200);
    const merged = await eventually(() => complete(a!, SECOND.prompt), (c) => c.ked.edits.length === 0);
    expect(merged.ked.edits).toEqual([]);
    expect(merged.choices[0].text.trim().startsWith(SECOND.target_new)).toBe(true);
    expect((await complete(b, SECOND.prompt)).choices[0].text).toBe(merged.choices[0].text);
  });

  it('weight changes made while a daemon was not listening reach it when it reconnects', async () => {
    if (!a || !b) return;
    const events = a.get(EditEventsService);
    const listener = `ked-edit-events:${events.instance}`;
    const db = b.get<DataSource>(getDataSourceToken());
    const listening = async () => Number((await db.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [listener]))[0].n);
    const disconnectA = async () => {
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [listener]);
      while ((await listening()) > 0) await new Promise((r) => setTimeout(r, 20));
    };
    events.reconnectDelayMs = 4000; // long enough for the change below to be made while A is deaf
    try {
      const before = await complete(a, THIRD.prompt);
      const id = await applied(a, THIRD);
      await eventually(() => complete(b!, THIRD.prompt), (c) => c.ked.edits.includes(id));

      await disconnectA();
      await auth(b, (h) => h.post(`/v1/edits/${id}/commit`)).expect(200);
      expect(await listening()).toBe(0); // the commit's event went out while A was not listening
      const merged = await eventually(() => complete(a!, THIRD.prompt), (c) => c.ked.edits.length === 0 && c.choices[0].text !== before.choices[0].text);
      expect(merged.ked.edits).toEqual([]);
      expect(merged.choices[0].text.trim().startsWith(THIRD.target_new)).toBe(true);

      await disconnectA();
      await auth(b, (h) => h.delete(`/v1/edits/${id}`)).expect(200);
      expect(await listening()).toBe(0);
      const back = await eventually(() => complete(a!, THIRD.prompt), (c) => c.choices[0].text === before.choices[0].text);
      expect(back.choices[0].text).toBe(before.choices[0].text);
      expect(back.ked.edits).toEqual([]);
    } finally {
      events.reconnectDelayMs = 1000;
    }
  });
});
