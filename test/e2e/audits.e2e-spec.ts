import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { EditOperation as Operation } from '../../src/editors/edit-operation';
import { createApiKey } from '../../src/guards/api-keys';
import { readScopeText } from '../../src/memory/scope/scope-text';
import { EditMemoryService } from '../../src/modules/edits/edit-memory.service';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';

jest.setTimeout(300_000);

const large = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * scale);
/** A delta strong enough to change the answer of any prompt it is routed into. */
const strongDelta = (): Operation => ({ kind: 'delta', method: 'rome', requests: [0], factors: [{ layer: 3, u: { dtype: 'float32', shape: [256, 1], data: large(256, 5) }, v: { dtype: 'float32', shape: [1024, 1], data: large(1024, 1) } }] });

/** Locality audits on the fixture: a clean memory passes; a leaky edit is blamed and quarantined; a probe asking the edited fact itself is not counted. */
describe('locality audits (embedded engine, fixture model)', () => {
  let app: INestApplication;
  let cleanup: () => Promise<void>;
  let key = '';
  const http = () => request(app.getHttpServer());
  const auth = (r: request.Test) => r.set('authorization', `Bearer ${key}`);
  const runAudit = async () => {
    const { id } = (await auth(http().post('/v1/audits')).expect(202)).body;
    for (;;) {
      const audit = (await auth(http().get(`/v1/audits/${id}`)).expect(200)).body;
      if (!['queued', 'running'].includes(audit.status)) return audit;
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  beforeAll(async () => {
    const setup = (await testConfig('embedded', { KED_AUDIT_CRON: 'off', KED_AUDIT_MIN_LOCALITY: '100', KED_AUDIT_QUARANTINE: 'on' }))!;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['auditor', 'editor'] })).key;
  });

  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('passes with no edits, then blames and quarantines an edit that leaks into a probe', async () => {
    const clean = await runAudit();
    expect(clean.status).toBe('passed');
    expect(clean.summary).toMatchObject({ probes: 100, locality: 100, blamed: [], quarantined: [] });
    expect(clean.results).toHaveLength(100);

    // An edit whose scope covers one probe and whose delta is strong enough to change it.
    const probe = clean.results[0].probe as string;
    const memory = app.get(EditMemoryService);
    const source = app.get<DataSource>(getDataSourceToken());
    const row = await source.transaction((manager) =>
      memory.save(manager, { factId: null, operation: strongDelta(), scope: { subjects: [probe], statement: probe, match: 'subject' }, verification: null }),
    );
    await memory.activate([row]);

    const leaky = await runAudit();
    expect(leaky.status).toBe('failed');
    expect(leaky.summary.locality).toBeLessThan(100);
    expect(leaky.summary.blamed).toEqual([{ edit: row.id, factId: null, method: 'rome', failedProbes: expect.any(Number) }]);
    expect(leaky.summary.quarantined).toEqual([row.id]);
    expect(leaky.summary.baselineAudit).toBe(clean.summary.baselineAudit);
    expect((await auth(http().get(`/v1/edits/${row.id}`)).expect(200)).body.status).toBe('failed');

    const after = await runAudit();
    expect(after.status).toBe('passed');
    const list = (await auth(http().get('/v1/audits')).expect(200)).body.audits;
    expect(list.map((a: { trigger: string }) => a.trigger)).toEqual(expect.arrayContaining(['baseline', 'manual']));
  });

  it('does not count against an edit the probe that asks the very fact it changed', async () => {
    const before = await runAudit();
    const probes = before.results.map((r: { probe: string }) => r.probe) as string[];
    // A probe whose subject no other probe names, edited in its own wording.
    const subjectOf = (p: string) => readScopeText(p).entities[0] ?? '';
    const probe = probes.find((p) => subjectOf(p) && probes.filter((q) => q.toLowerCase().includes(subjectOf(p))).length === 1)!;
    const memory = app.get(EditMemoryService);
    const source = app.get<DataSource>(getDataSourceToken());
    const row = await source.transaction((manager) =>
      memory.save(manager, { factId: null, operation: strongDelta(), scope: { subjects: [subjectOf(probe)], statement: `${probe} Zorvath`, object: 'Zorvath' }, verification: null }),
    );
    await memory.activate([row]);

    const audit = await runAudit();
    const result = audit.results.find((r: { probe: string }) => r.probe === probe);
    expect(result.passed).toBe(false); // the edit did change the probe's answer
    expect(result.observed).toMatchObject({ edits: [row.id], asking: [row.id] });
    expect(audit.summary).toMatchObject({ probes: 100, intended: 1, locality: 100, blamed: [], quarantined: [] });
    expect(audit.status).toBe('passed');
    expect((await auth(http().get(`/v1/edits/${row.id}`)).expect(200)).body.status).toBe('verified');
  });

  it('wants the auditor role to start an audit', async () => {
    const reader = await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'reader', roles: ['reader'] });
    await http().post('/v1/audits').set('authorization', `Bearer ${reader.key}`).expect(403);
    await http().get('/v1/audits?limit=0').set('authorization', `Bearer ${reader.key}`).expect(400);
  });
});
