import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { counterfactRecords } from './support/counterfact';
import { ENGINES } from './support/engines';
import { isSettled } from './support/fact-status';

jest.setTimeout(600_000);

const EDITED = counterfactRecords(0, 20);
const UNRELATED = counterfactRecords(500, 520).filter((r) => !EDITED.some((e) => r.prompt.includes(e.subject)));

/**
 * The daemon end to end on the fixture model: 20 counterfact facts streamed over HTTP are applied
 * by the worker (ROME routed, FT-M when ROME's verification fails), and completions see exactly
 * the edits in their scope.
 */
describe.each(ENGINES)('streaming facts into the daemon and completing through it (%s engine)', (engine) => {
  let app: INestApplication | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let key = '';
  const post = (url: string) => request(app!.getHttpServer()).post(url).set('authorization', `Bearer ${key}`);
  const get = (url: string) => request(app!.getHttpServer()).get(url).set('authorization', `Bearer ${key}`);
  const complete = async (prompt: string) => (await post('/v1/completions').send({ prompt, max_tokens: 8 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };

  beforeAll(async () => {
    const setup = await testConfig(engine, { KED_WORKER: 'on' });
    if (!setup) return;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['admin'] })).key;
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('applies 20 facts: edited prompts say the new target, unrelated prompts answer as before', async () => {
    if (!app) return;
    expect(UNRELATED.length).toBeGreaterThanOrEqual(18);
    const before = new Map<string, string>();
    for (const r of [...UNRELATED, EDITED[0]]) before.set(r.prompt, (await complete(r.prompt)).choices[0].text);

    const ndjson = EDITED.map((r, i) => JSON.stringify({ ...r, key: `flow:${i}` })).join('\n');
    const accepted = await post('/v1/facts').set('content-type', 'application/x-ndjson').send(ndjson).expect(202);
    const ids = accepted.body.ids as string[];
    const deadline = Date.now() + 300_000;
    let facts: Array<{ status: string; operations: Array<{ method: string }>; error: string | null }> = [];
    do {
      await new Promise((r) => setTimeout(r, 1000));
      facts = [];
      for (const id of ids) facts.push((await get(`/v1/facts/${id}`).expect(200)).body);
    } while (!facts.every((f) => isSettled(f.status)) && Date.now() < deadline);
    const verified = facts.filter((f) => f.status === 'verified');
    expect(verified.length).toBeGreaterThanOrEqual(18);
    for (const f of verified) expect(f.operations.length).toBeGreaterThan(0);

    let said = 0;
    for (const r of EDITED) {
      const res = await post('/v1/completions').send({ prompt: r.prompt, max_tokens: 8 }).expect(200);
      if (res.body.choices[0].text.trim().startsWith(r.target_new)) said++;
      expect(res.body.ked.edits.length).toBeGreaterThan(0);
      expect(res.headers['x-ked-edits']).toBe(res.body.ked.edits.join(','));
    }
    expect(said / EDITED.length).toBeGreaterThanOrEqual(0.9);

    let unchanged = 0;
    for (const r of UNRELATED) {
      const res = await complete(r.prompt);
      expect(res.ked.edits).toEqual([]);
      if (res.choices[0].text === before.get(r.prompt)) unchanged++;
    }
    expect(unchanged / UNRELATED.length).toBeGreaterThanOrEqual(0.95);

    // The edit memory lists what was made, and rolling one edit back takes it out of routing.
    const listed = await get(`/v1/edits?factId=${ids[0]}`).expect(200);
    expect(listed.body.total).toBeGreaterThanOrEqual(1);
    // Its scope keys: the subject, the statement, and the new object the statement ends with.
    expect(listed.body.edits[0].scopeKeys).toEqual(
      expect.arrayContaining([
        { kind: 'subject', text: EDITED[0].subject },
        { kind: 'statement', text: `${EDITED[0].prompt} ${EDITED[0].target_new}` },
        { kind: 'object', text: EDITED[0].target_new },
      ]),
    );
    const page = await get('/v1/edits?limit=5').expect(200);
    expect(page.body.edits).toHaveLength(5);
    expect(page.body.total).toBeGreaterThanOrEqual(18);
    expect(page.body.edits[0]).not.toHaveProperty('payload');
    await get('/v1/edits?status=bogus&limit=0').expect(400);
    for (const edit of listed.body.edits) await request(app.getHttpServer()).delete(`/v1/edits/${edit.id}`).set('authorization', `Bearer ${key}`).expect(200);
    await request(app.getHttpServer()).delete(`/v1/edits/${listed.body.edits[0].id}`).set('authorization', `Bearer ${key}`).expect(409);
    const rolledBack = await complete(EDITED[0].prompt);
    expect(rolledBack.ked.edits).toEqual([]);
    expect(rolledBack.choices[0].text).toBe(before.get(EDITED[0].prompt));
    expect((await get(`/v1/edits/${listed.body.edits[0].id}`).expect(200)).body.status).toBe('reverted');

    // Sending the same facts again (same keys) changes nothing.
    const again = await post('/v1/facts').set('content-type', 'application/x-ndjson').send(ndjson).expect(202);
    expect(again.body).toEqual({ ids, duplicates: 20 });
  });

  it('answers bad completion requests with 400 and field paths', async () => {
    if (!app) return;
    const res = await post('/v1/completions').send({ prompt: '', max_tokens: 0, temprature: 1 }).expect(400);
    expect(res.body.error.errors).toEqual(
      expect.arrayContaining([
        { path: 'prompt', message: 'must not be empty', code: 'invalid_value' },
        { path: 'max_tokens', message: 'must be at least 1', code: 'invalid_value' },
        { path: 'temprature', message: 'unknown field "temprature"', code: 'unknown_parameter' },
      ]),
    );
    await post('/v1/completions').send({ prompt: 'x', stream: 'yes' }).expect(400);
    await request(app.getHttpServer()).post('/v1/completions').send({ prompt: 'x' }).expect(401);
  });
});
