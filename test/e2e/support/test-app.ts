import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { KedConfig } from '../../../src/config/ked-config';
import { createApiKey } from '../../../src/guards/api-keys';
import type { Role } from '../../../src/guards/roles';
import { createApp } from '../../../src/server';
import { testConfig } from './app-env';
import type { Engine } from './engines';
import { isSettled } from './fact-status';

/** A daemon for one e2e file: the app on its own data, an API key, and HTTP helpers that send it. */
export interface TestApp {
  app: INestApplication;
  config: KedConfig;
  key: string;
  get(url: string): request.Test;
  post(url: string): request.Test;
  del(url: string): request.Test;
  /** Closes the app and removes its data. */
  close(): Promise<void>;
}

/** Starts a daemon on the engine (null: no server here, outside CI) with a key holding `roles`. */
export async function startTestApp(engine: Engine, env: Record<string, string> = {}, roles: Role[] = ['admin']): Promise<TestApp | null> {
  const setup = await testConfig(engine, env);
  if (!setup) return null;
  const app = await createApp(setup.config);
  await app.init();
  const { key } = await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles });
  const authed = (r: request.Test) => r.set('authorization', `Bearer ${key}`);
  return {
    app,
    config: setup.config,
    key,
    get: (url) => authed(request(app.getHttpServer()).get(url)),
    post: (url) => authed(request(app.getHttpServer()).post(url)),
    del: (url) => authed(request(app.getHttpServer()).delete(url)),
    close: async () => {
      await app.close();
      await setup.cleanup();
    },
  };
}

export interface FactView {
  id: string;
  status: string;
  error: string | null;
  operations: Array<{ id: string; method: string; kind: string; payloadSha256: string }>;
}

/** Polls `GET /v1/facts/:id` until none of the facts is queued or computing any more. */
export async function settledFacts(t: Pick<TestApp, 'get'>, ids: readonly string[], pollMs = 300): Promise<FactView[]> {
  let previous = '';
  for (;;) {
    const views: FactView[] = [];
    for (const id of ids) views.push((await t.get(`/v1/facts/${id}`).expect(200)).body as FactView);
    // Facts are read one by one: an older fact read as verified may become superseded by the time
    // the newer one is read, so a result is taken when two reads in a row agree.
    const statuses = views.map((v) => v.status).join();
    if (views.every((v) => isSettled(v.status)) && statuses === previous) return views;
    previous = statuses;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
