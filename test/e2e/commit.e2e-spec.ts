import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { KedConfig } from '../../src/config/ked-config';
import { createApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { counterfactRecords } from './support/counterfact';
import { settledFacts } from './support/test-app';

jest.setTimeout(300_000);

const [EDITED, OTHER] = counterfactRecords(60, 62);

/** Committing a routed weight edit into the served model, across restarts, and rolling it back. */
describe('commits and model versions (embedded engine, fixture model)', () => {
  let app: INestApplication;
  let config: KedConfig;
  let cleanup: () => Promise<void>;
  let key = '';
  const http = () => request(app.getHttpServer());
  const auth = (r: request.Test) => r.set('authorization', `Bearer ${key}`);
  const complete = async (prompt: string) => (await auth(http().post('/v1/completions')).send({ prompt, max_tokens: 4, temperature: 0 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };
  const restart = async () => {
    await app.close();
    app = await createApp(config);
    await app.init();
  };

  beforeAll(async () => {
    const setup = (await testConfig('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'ft-m', KED_AUDIT_CRON: 'off' }))!;
    ({ config, cleanup } = setup);
    app = await createApp(config);
    await app.init();
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['admin'] })).key;
  });

  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('commits a routed edit for every request, keeps it across a restart, and rolls it back exactly', async () => {
    const original = { edited: await complete(EDITED.prompt), other: await complete(OTHER.prompt) };
    expect(original.edited.choices[0].text.trim().startsWith(EDITED.target_new)).toBe(false);

    const { ids } = (await auth(http().post('/v1/facts')).send({ facts: [{ subject: EDITED.subject, prompt: EDITED.prompt, target_new: EDITED.target_new }] }).expect(202)).body as { ids: string[] };
    const [fact] = await settledFacts({ get: (url) => auth(http().get(url)) }, ids);
    expect(fact.status).toBe('verified');
    const editId = fact.operations[0].id;
    expect((await complete(EDITED.prompt)).ked.edits).toEqual([editId]);

    const committed = (await auth(http().post(`/v1/edits/${editId}/commit`)).expect(200)).body;
    expect(committed).toMatchObject({ modelVersion: 2, committed: [editId], edit: { id: editId, mode: 'committed' } });
    await auth(http().post(`/v1/edits/${editId}/commit`)).expect(409);
    // Merged: the answer comes from the weights now, no edit is routed.
    const merged = await complete(EDITED.prompt);
    expect(merged.ked.edits).toEqual([]);
    expect(merged.choices[0].text.trim().startsWith(EDITED.target_new)).toBe(true);
    const versions = (await auth(http().get('/v1/model-versions')).expect(200)).body.versions as Array<{ version: number; description: string }>;
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0].description).toBe(`commit of edit ${editId}`);
    // OpenAI's names: the model answers as its newest version; a pin on the replaced one is refused.
    expect((await auth(http().get('/v1/models')).expect(200)).body.data.map((m: { id: string }) => m.id)).toEqual(['fixture', 'fixture:v2', 'fixture:v1']);
    const pinned = await auth(http().post('/v1/completions')).send({ model: 'fixture:v2', prompt: EDITED.prompt, max_tokens: 4 }).expect(200);
    expect(pinned.body.model).toBe('fixture:v2');
    const stale = await auth(http().post('/v1/completions')).send({ model: 'fixture:v1', prompt: EDITED.prompt, max_tokens: 4 }).expect(409);
    expect(stale.body.error).toMatchObject({ code: 'model_version_replaced', param: 'model' });
    await auth(http().post('/v1/completions')).send({ model: 'fixture:v3', prompt: EDITED.prompt }).expect(404);

    await restart();
    expect((await complete(EDITED.prompt)).choices[0].text).toBe(merged.choices[0].text);
    expect((await complete(OTHER.prompt)).choices[0].text).toBe(original.other.choices[0].text);

    const reverted = (await auth(http().delete(`/v1/edits/${editId}`)).expect(200)).body;
    expect(reverted).toMatchObject({ status: 'reverted', modelVersion: 3, reverted: [editId] });
    expect((await complete(EDITED.prompt)).choices[0].text).toBe(original.edited.choices[0].text);
    await auth(http().delete(`/v1/edits/${editId}`)).expect(409);

    await restart();
    expect((await complete(EDITED.prompt)).choices[0].text).toBe(original.edited.choices[0].text);
    expect((await auth(http().get('/v1/model-versions')).expect(200)).body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
  });

  it('refuses to commit what is not a live weight edit', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await auth(http().post(`/v1/edits/${missing}/commit`)).expect(404);
    await auth(http().post('/v1/edits/not-a-uuid/commit')).expect(400);
  });
});
