import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiKey, revokeApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { ENGINES } from './support/engines';

const COUNTERFACT = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'world', 'world-counterfact.test.json'), 'utf8')) as Array<Record<string, unknown>>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(ENGINES)('fact ingestion on the %s engine', (engine) => {
  let app: INestApplication | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let key = '';
  const http = () => {
    const agent = request(app!.getHttpServer());
    const auth = (r: request.Test) => r.set('authorization', `Bearer ${key}`);
    return { post: (url: string) => auth(agent.post(url)), get: (url: string) => auth(agent.get(url)) };
  };
  const storedFacts = async () => Number((await app!.get<DataSource>(getDataSourceToken()).query('SELECT count(*) AS n FROM facts'))[0].n);

  beforeAll(async () => {
    const setup = await testConfig(engine);
    if (!setup) return;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['ingest'] })).key;
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('stores compact and KnowEdit records and reports each one queued', async () => {
    if (!app) return;
    const facts = [
      { subject: 'Ada Lovelace', prompt: 'Ada Lovelace was born in', target_new: 'Paris', ground_truth: 'London', relation: 'born_in', key: 'e2e:ada' },
      COUNTERFACT[0],
      { subject: 'Mount Kosciuszko', prompt: 'The highest peak of Australia is Mount Kosciuszko, which is in', target_new: 'Victoria' },
    ];
    const res = await http().post('/v1/facts').send({ facts }).expect(202);
    expect(res.body.ids).toHaveLength(3);
    expect(res.body.duplicates).toBe(0);
    for (const id of res.body.ids) expect(id).toMatch(UUID);
    const ada = await http().get(`/v1/facts/${res.body.ids[0]}`).expect(200);
    expect(ada.body).toMatchObject({ id: res.body.ids[0], key: 'e2e:ada', status: 'queued', subject: 'Ada Lovelace', target_new: 'Paris', ground_truth: 'London', relation: 'born_in', operations: [] });
    const knowEdit = await http().get(`/v1/facts/${res.body.ids[1]}`).expect(200);
    expect(knowEdit.body).toMatchObject({ subject: COUNTERFACT[0].subject, prompt: COUNTERFACT[0].prompt, status: 'queued' });
  });

  it('does not store a repeated key twice, across requests and within one', async () => {
    if (!app) return;
    const fact = { subject: 'Grace Hopper', prompt: 'Grace Hopper worked for', target_new: 'the Navy', key: 'e2e:grace' };
    const first = await http().post('/v1/facts').send({ facts: [fact] }).expect(202);
    const before = await storedFacts();
    const again = await http().post('/v1/facts').send({ facts: [fact, { ...fact, key: 'e2e:grace-2' }, { ...fact, key: 'e2e:grace-2' }] }).expect(202);
    expect(again.body.ids[0]).toBe(first.body.ids[0]);
    expect(again.body.ids[1]).toBe(again.body.ids[2]);
    expect(again.body.duplicates).toBe(2);
    expect(await storedFacts()).toBe(before + 1);
  });

  it('takes an NDJSON stream of 20 counterfact records', async () => {
    if (!app) return;
    const lines = COUNTERFACT.slice(0, 20).map((r, i) => JSON.stringify({ ...r, key: `e2e:cf:${i}` }));
    const res = await http().post('/v1/facts').set('content-type', 'application/x-ndjson').send(`${lines.join('\n')}\n\n`).expect(202);
    expect(res.body.ids).toHaveLength(20);
    expect(new Set(res.body.ids).size).toBe(20);
    const last = await http().get(`/v1/facts/${res.body.ids[19]}`).expect(200);
    expect(last.body.prompt).toBe(COUNTERFACT[19].prompt);
  });

  it('answers malformed facts with 400, the record index and field path, and stores none of them', async () => {
    if (!app) return;
    const before = await storedFacts();
    const good = { subject: 'Alan Turing', prompt: 'Alan Turing was born in', target_new: 'Maida Vale' };
    const res = await http()
      .post('/v1/facts')
      .send({ facts: [good, { subject: 'Alan Turing', prompt: 'Alan Turing was born in' }, { ...good, subject: 'Turing Alan' }, { ...good, ground_truth: 7 }] })
      .expect(400);
    expect(res.body.message).toBe('3 problems in the facts; nothing was stored');
    expect(res.body.errors).toEqual([
      { index: 1, path: 'facts[1].target_new', message: 'must be a string' },
      { index: 2, path: 'facts[2].subject', message: 'must occur in "prompt"' },
      { index: 3, path: 'facts[3].ground_truth', message: 'must be a string, a list of strings or a list of alias lists' },
    ]);
    const ndjson = await http().post('/v1/facts').set('content-type', 'application/x-ndjson').send(`${JSON.stringify(good)}\n{"subject": oops}\n`).expect(400);
    expect(ndjson.body.errors[0]).toMatchObject({ index: 1, path: 'line 2' });
    await http().post('/v1/facts').send({ facts: [] }).expect(400);
    await http().post('/v1/facts').send({ fact: good }).expect(400);
    await http().post('/v1/facts').set('content-type', 'application/json').send('{"facts": [').expect(400);
    expect(await storedFacts()).toBe(before);
  });

  it('refuses bodies over the size limit with 413, and unknown or malformed ids', async () => {
    if (!app) return;
    const huge = `${JSON.stringify({ subject: 'X', prompt: `X ${'a'.repeat(17 * 1024 * 1024)}`, target_new: 'Y' })}\n`;
    const tooLarge = await http().post('/v1/facts').set('content-type', 'application/x-ndjson').send(huge).expect(413);
    expect(tooLarge.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    await http().get('/v1/facts/5b7d1a3e-8f0c-4e55-9d3a-1c2b3d4e5f60').expect(404);
    await http().get('/v1/facts/not-a-uuid').expect(400);
  });

  it('wants a key with the right role: 401 without one, 403 with the wrong role', async () => {
    if (!app) return;
    const server = app.getHttpServer();
    const fact = { subject: 'Ada Lovelace', prompt: 'Ada Lovelace was born in', target_new: 'Paris' };
    const missing = await request(server).post('/v1/facts').send({ facts: [fact] }).expect(401);
    expect(missing.body.message).toMatch(/API key is required/);
    await request(server).post('/v1/facts').set('authorization', 'Bearer ked_00000000_nope').send({ facts: [fact] }).expect(401);
    const source = app.get<DataSource>(getDataSourceToken());
    const reader = await createApiKey(source, { name: 'reader', roles: ['reader'] });
    const denied = await request(server).post('/v1/facts').set('authorization', `Bearer ${reader.key}`).send({ facts: [fact] }).expect(403);
    expect(denied.body.message).toContain('needs ingest');
    const posted = await http().post('/v1/facts').send({ facts: [fact] }).expect(202);
    await request(server).get(`/v1/facts/${posted.body.ids[0]}`).set('x-api-key', reader.key).expect(200);
    await revokeApiKey(source, reader.id);
    await request(server).get(`/v1/facts/${posted.body.ids[0]}`).set('x-api-key', reader.key).expect(401);
    await request(server).get('/health').expect(200); // public
    expect(await storedFacts()).toBeGreaterThan(0);
  });

  it('documents the endpoints in OpenAPI', async () => {
    if (!app) return;
    const doc = await http().get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/facts', '/v1/facts/{id}']));
  });
});

describe('fuzzing POST /v1/facts and GET /v1/facts/:id (embedded engine)', () => {
  let app: INestApplication | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let key = '';

  beforeAll(async () => {
    const setup = (await testConfig('embedded'))!;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'fuzz', roles: ['admin'] })).key;
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('never answers with a 5xx, whatever the body', async () => {
    const { default: fc } = await import('fast-check');
    const factLike = fc.record(
      { subject: fc.string(), prompt: fc.string(), target_new: fc.string(), ground_truth: fc.oneof(fc.string(), fc.array(fc.string()), fc.integer()), key: fc.oneof(fc.string(), fc.constant(null)), relation: fc.anything() },
      { requiredKeys: [] },
    );
    const body = fc.oneof(fc.record({ facts: fc.array(fc.oneof(factLike, fc.anything()), { maxLength: 5 }) }), fc.anything(), fc.json());
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (value, ndjson) => {
        const req = request(app!.getHttpServer()).post('/v1/facts').set('authorization', `Bearer ${key}`);
        const res = ndjson ? await req.set('content-type', 'application/x-ndjson').send(typeof value === 'string' ? value : (JSON.stringify(value) ?? '')) : await req.set('content-type', 'application/json').send(JSON.stringify(value) ?? 'null');
        expect(res.status).toBeLessThan(500);
        expect([202, 400]).toContain(res.status);
      }),
      { numRuns: 150, seed: 20261128 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.uuid()), async (id) => {
        const res = await request(app!.getHttpServer()).get(`/v1/facts/${encodeURIComponent(id)}`).set('authorization', `Bearer ${key}`);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 100, seed: 20261128 },
    );
  });
});
