import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { ENGINES } from './support/engines';

describe.each(ENGINES)('the daemon on the %s engine', (engine) => {
  let app: INestApplication | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const setup = await testConfig(engine);
    if (!setup) return; // no server here (outside CI): the embedded run still covers the app
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('reports PostgreSQL and LanceDB healthy', async () => {
    if (!app) return;
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.lancedb.status).toBe('up');
  });

  it('exposes Prometheus metrics that count the requests it served', async () => {
    if (!app) return;
    await request(app.getHttpServer()).get('/health').expect(200);
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/ked_http_requests_total\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(res.text).toContain('ked_process_cpu_seconds_total');
  });

  it('serves the OpenAPI document and the docs page', async () => {
    if (!app) return;
    const doc = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health', '/metrics']));
    const page = await request(app.getHttpServer()).get('/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
  });

  it('answers an unknown route with a JSON 404', async () => {
    if (!app) return;
    const res = await request(app.getHttpServer()).get('/no-such-route').expect(404);
    expect(res.body.statusCode).toBe(404);
  });
});
