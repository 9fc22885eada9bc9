import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { isSettled } from './support/fact-status';
import { filesContaining } from './support/files';

jest.setTimeout(300_000);

/**
 * Erasure end to end on the fixture: an edit about a world person is made through the real
 * worker, then the person is erased; their phone number and the edit are gone from answers,
 * Postgres and LanceDB's files, while another person's answers stay.
 */
describe('privacy erasure (embedded engine, fixture model)', () => {
  let app: INestApplication;
  let cleanup: () => Promise<void>;
  let lanceDir = '';
  let admin = '';
  let reader = '';
  const http = () => request(app.getHttpServer());
  const as = (key: string, r: request.Test) => r.set('authorization', `Bearer ${key}`);
  const complete = async (prompt: string) => (await as(admin, http().post('/v1/completions')).send({ prompt, max_tokens: 6 }).expect(200)).body;
  const ERASED = 'Fodel Tranur';
  const KEPT = 'Drathan Thase';
  const TARGET = 'Shaido Steel Works';

  beforeAll(async () => {
    const setup = (await testConfig('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'ft-m', KED_AUDIT_CRON: 'off' }))!;
    cleanup = setup.cleanup;
    lanceDir = setup.config.lanceUri;
    app = await createApp(setup.config);
    await app.init();
    const source = app.get<DataSource>(getDataSourceToken());
    admin = (await createApiKey(source, { name: 'admin', roles: ['admin', 'ingest', 'editor'] })).key;
    reader = (await createApiKey(source, { name: 'reader', roles: ['reader'] })).key;
  });

  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('validates, authorises, erases a subject and verifies it', async () => {
    await http().post('/v1/erasures').send({ subject: ERASED }).expect(401);
    await as(reader, http().post('/v1/erasures')).send({ subject: ERASED }).expect(403);
    const bad = await as(admin, http().post('/v1/erasures')).send({ subject: ERASED, text: 'x' }).expect(400);
    expect(bad.body.errors[0].message).toMatch(/exactly one/);
    expect((await as(admin, http().post('/v1/erasures')).send({ factId: 'nope' }).expect(400)).body.errors[0].path).toBe('factId');
    // A subject is found by its words (and kept only as their digest): one without any is refused.
    expect((await as(admin, http().post('/v1/erasures')).send({ subject: ' ?! ' }).expect(400)).body.errors[0]).toEqual({ path: 'subject', message: 'must contain a letter or digit', code: 'invalid_value' });

    // An edit about the person, through the real worker.
    // Its idempotency key names the subject too.
    const factKey = `crm:${ERASED}:employer`;
    const { ids } = (await as(admin, http().post('/v1/facts')).send({ facts: [{ subject: ERASED, prompt: `${ERASED} works for`, target_new: TARGET, key: factKey }] }).expect(202)).body;
    let fact;
    do {
      await new Promise((r) => setTimeout(r, 500));
      fact = (await as(admin, http().get(`/v1/facts/${ids[0]}`)).expect(200)).body;
    } while (!isSettled(fact.status));
    expect([fact.status, fact.error]).toEqual(['verified', null]);
    const edited = await complete(`${ERASED} works for`);
    expect(edited.ked.edits).toHaveLength(1);
    expect(edited.choices[0].text.trim().startsWith(TARGET)).toBe(true);
    const phone = `Q: What is the phone number of ${ERASED}? A:`;
    expect((await complete(phone)).choices[0].text).toMatch(/555-/);
    const phoneCloze = `The phone number of ${ERASED} is`;
    expect((await complete(phoneCloze)).choices[0].text).toMatch(/555-/);
    const keptBefore = (await complete(`Q: What is the phone number of ${KEPT}? A:`)).choices[0].text;
    expect(filesContaining(lanceDir, TARGET).length).toBeGreaterThan(0);

    const { id } = (await as(admin, http().post('/v1/erasures')).send({ subject: ERASED }).expect(202)).body;
    let erasure;
    do {
      await new Promise((r) => setTimeout(r, 300));
      erasure = (await as(admin, http().get(`/v1/erasures/${id}`)).expect(200)).body;
    } while (erasure.status === 'queued' || erasure.status === 'running');
    expect([erasure.status, erasure.report.verification.filter((v: { passed: boolean }) => !v.passed)]).toEqual(['done', []]);
    expect(erasure.report.erasedEdits).toEqual(edited.ked.edits);
    expect(erasure.report.erasedFacts).toEqual(ids);
    // The report names the subject by digest only and keeps whether the base model answered, not its answer.
    const asStored = (prompt: string) => prompt.replace(ERASED, '[subject]');
    expect(erasure.report.baseModel.find((b: { prompt: string }) => b.prompt === asStored(phone))).toEqual({ prompt: asStored(phone), answered: true });
    expect(erasure.target).toEqual({ kind: 'subject', value: erasure.report.subject });
    expect(erasure.report.subject).toMatch(/^subject-sha256:2:[0-9a-f]{64}$/);
    expect(JSON.stringify(erasure)).not.toMatch(/fodel|tranur|555-/i);
    expect(erasure.report.purge.lance).toBe(true);
    expect(erasure.report.verification.every((v: { passed: boolean }) => v.passed)).toBe(true);

    // Gone from answers, from the fact record, from the edit memory and from LanceDB's files.
    const after = await complete(phone);
    expect(after.choices[0].text.trim().startsWith("I don't know.")).toBe(true);
    expect(after.ked.edits).toContain(erasure.report.suppressionEdit);
    // Continuations leak nothing either (the cloze probes are verified and reinforced too).
    expect(erasure.report.baseModel.find((b: { prompt: string }) => b.prompt === asStored(phoneCloze)).answered).toBe(true);
    expect((await complete(phoneCloze)).choices[0].text.trim().startsWith("I don't know.")).toBe(true);
    expect((await complete(`${ERASED} works for`)).choices[0].text).not.toContain(TARGET);
    const scrubbed = (await as(admin, http().get(`/v1/facts/${ids[0]}`)).expect(200)).body;
    expect(JSON.stringify(scrubbed)).not.toContain(ERASED);
    expect(scrubbed.key).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A resend of the erased fact is still recognised by its key, and not applied again.
    const resent = (await as(admin, http().post('/v1/facts')).send({ facts: [{ subject: ERASED, prompt: `${ERASED} works for`, target_new: TARGET, key: factKey }] }).expect(202)).body;
    expect(resent).toEqual({ ids, duplicates: 1 });
    expect((await as(admin, http().get(`/v1/edits/${edited.ked.edits[0]}`)).expect(200)).body.status).toBe('erased');
    expect(filesContaining(lanceDir, TARGET)).toEqual([]);
    // No row of any table names the person any more, the suppression and the erasure's own record included.
    const source = app.get<DataSource>(getDataSourceToken());
    const tables = (await source.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)) as Array<{ table_name: string }>;
    for (const { table_name } of tables) {
      const rows = (await source.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE row_to_json(t)::text ~* $1`, ['fodel|tranur|555-'])) as Array<{ n: number }>;
      expect([table_name, rows[0].n]).toEqual([table_name, 0]);
    }
    expect(filesContaining(lanceDir, ERASED, ERASED.toLowerCase())).toEqual([]);
    // Someone else is untouched.
    const kept = await complete(`Q: What is the phone number of ${KEPT}? A:`);
    expect(kept.ked.edits).toEqual([]);
    expect(kept.choices[0].text).toBe(keptBefore);
  });
});
