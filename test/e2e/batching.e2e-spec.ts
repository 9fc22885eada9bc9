import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EditMemoryService } from '../../src/modules/edits/edit-memory.service';
import { asFact, counterfactRecords } from './support/counterfact';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

const RECORDS = counterfactRecords(40, 46);

/** Timer batching: facts arriving together are edited by one MEMIT computation, verified one by one. */
describe('MEMIT timer batching (embedded engine, fixture model)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'memit,ft-m', KED_BATCH_WINDOW_MS: '1500', KED_BATCH_MAX: '8', KED_AUDIT_CRON: 'off' }))!;
  });

  afterAll(() => t.close());

  it('edits six facts in one MEMIT batch, stores its operation once per passing fact, escalates the rest', async () => {
    const facts = RECORDS.map(asFact);
    const { ids } = (await t.post('/v1/facts').send({ facts }).expect(202)).body as { ids: string[] };
    const views = await settledFacts(t, ids, 500);
    expect(views.map((v) => v.status)).toEqual(ids.map(() => 'verified'));

    const byMemit = views.filter((v) => v.operations[0].method === 'memit');
    expect(byMemit.length).toBeGreaterThanOrEqual(2);
    // One computation: every MEMIT-verified fact holds the same content-addressed operation.
    expect(new Set(byMemit.map((v) => v.operations[0].payloadSha256)).size).toBe(1);
    const edit = (await t.get(`/v1/edits/${byMemit[0].operations[0].id}`).expect(200)).body;
    expect(edit.verification.tried[0]).toMatchObject({ method: 'memit', batch: 6, passed: true });
    for (const v of views.filter((x) => x.operations[0].method !== 'memit')) expect(v.operations[0].method).toBe('ft-m');

    // A fact's own prompt gets its edit, once.
    const index = views.indexOf(byMemit[0]);
    const answer = (await t.post('/v1/completions').send({ prompt: RECORDS[index].prompt, max_tokens: 6 }).expect(200)).body;
    expect(answer.ked.edits).toEqual([byMemit[0].operations[0].id]);
    expect(answer.choices[0].text.trim().startsWith(RECORDS[index].target_new)).toBe(true);
  });

  it('applies an operation shared by several in-scope facts once', async () => {
    const memory = t.app.get(EditMemoryService);
    const source = t.app.get<DataSource>(getDataSourceToken());
    const operation = { kind: 'context' as const, method: 'ice', requests: [0, 1], text: 'Imagine that Ada and Bo work for Acme.' };
    const rows = await source.transaction(async (manager) => [
      await memory.save(manager, { factId: null, operation, scope: { subjects: ['Ada Quell'], statement: 'Ada Quell works for Acme', match: 'subject' }, verification: null }),
      await memory.save(manager, { factId: null, operation, scope: { subjects: ['Bo Varn'], statement: 'Bo Varn works for Acme', match: 'subject' }, verification: null }),
    ]);
    await memory.activate(rows);
    expect(rows[0].payloadSha256).toBe(rows[1].payloadSha256);
    expect((await memory.inScope('Ada Quell met Bo Varn')).map((e) => e.id)).toEqual([rows[0].id]);
    expect((await memory.inScope('Bo Varn')).map((e) => e.id)).toEqual([rows[1].id]);
  });
});
