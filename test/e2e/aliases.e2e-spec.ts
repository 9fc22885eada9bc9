import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { isSettled } from './support/fact-status';
import { filesContaining } from './support/files';

jest.setTimeout(600_000);

/**
 * Subjects named another way, end to end on the fixture: a world person's knowledge-base aliases
 * and partial names reach the edit about them, someone else with the surname does not, a surname
 * two edited people share is refused, a fact's own `subject_aliases` count too, and erasing the
 * subject leaves no trace of its aliases.
 */
describe('aliases in the scope detector (embedded engine, fixture model, ROME)', () => {
  let app: INestApplication;
  let cleanup: () => Promise<void>;
  let lanceDir = '';
  let admin = '';
  const http = () => request(app.getHttpServer());
  const as = (r: request.Test) => r.set('authorization', `Bearer ${admin}`);
  const complete = async (prompt: string) => (await as(http().post('/v1/completions')).send({ prompt, max_tokens: 6 }).expect(200)).body;
  const settled = async (id: string) => {
    let fact;
    do {
      await new Promise((r) => setTimeout(r, 500));
      fact = (await as(http().get(`/v1/facts/${id}`)).expect(200)).body;
    } while (!isSettled(fact.status));
    return fact;
  };
  // A world person (the fixture's knowledge base knows "Dr. Kaimepan" and "F. Kaimepan").
  const PERSON = 'Feisisar Kaimepan';
  const NEW = 'Vaba Open University';

  beforeAll(async () => {
    const setup = (await testConfig('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'rome', KED_INSERTION_METHODS: 'rome', KED_AUDIT_CRON: 'off' }))!;
    cleanup = setup.cleanup;
    lanceDir = setup.config.lanceUri;
    app = await createApp(setup.config);
    await app.init();
    admin = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'admin', roles: ['admin', 'ingest', 'editor'] })).key;
  });

  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('answers the new value for aliases and partial names, not for a namesake, and refuses an ambiguous surname', async () => {
    const { ids } = (await as(http().post('/v1/facts')).send({ facts: [{ subject: PERSON, prompt: `${PERSON} earned a degree from`, target_new: NEW, ground_truth: 'Stabe Open University' }] }).expect(202)).body;
    expect((await settled(ids[0])).status).toBe('verified');
    const [edit] = (await complete(`${PERSON} earned a degree from`)).ked.edits;
    for (const prompt of ['Dr. Kaimepan earned a degree from', 'F. Kaimepan earned a degree from', 'Kaimepan earned a degree from']) {
      const answer = await complete(prompt);
      expect([prompt, answer.ked.edits, answer.choices[0].text.trim().startsWith(NEW)]).toEqual([prompt, [edit], true]);
    }
    // Someone else with the surname, or with another initial, is not the person.
    for (const prompt of ['Mateo Kaimepan earned a degree from', 'M. Kaimepan earned a degree from']) expect([prompt, (await complete(prompt)).ked.edits]).toEqual([prompt, []]);

    // A second edited Kaimepan, who brings an alias of her own: a bare surname now fits two people.
    const lina = (await as(http().post('/v1/facts')).send({ facts: [{ subject: 'Lina Kaimepan', prompt: 'Lina Kaimepan earned a degree from', target_new: 'Stabe Open University', subject_aliases: ['the Kaimepan heiress'] }] }).expect(202)).body.ids[0];
    expect((await settled(lina)).status).toBe('verified');
    const [linaEdit] = (await complete('Lina Kaimepan earned a degree from')).ked.edits;
    const ambiguous = await complete('Kaimepan earned a degree from');
    expect(ambiguous.ked).toEqual({ edits: [], ambiguous_subjects: [{ mention: 'Kaimepan', people: 2 }] });
    expect(JSON.stringify(ambiguous)).not.toMatch(/Lina|Feisisar/);
    // A stored alias and a telling initial are no guess.
    expect((await complete('Dr. Kaimepan earned a degree from')).ked.edits).toEqual([edit]);
    expect((await complete('L. Kaimepan earned a degree from')).ked.edits).toEqual([linaEdit]);
    expect((await complete('the Kaimepan heiress earned a degree from')).ked.edits).toEqual([linaEdit]);
  });

  it('erasing a subject suppresses requests naming its aliases, and no row or file keeps them', async () => {
    const { id } = (await as(http().post('/v1/erasures')).send({ subject: 'Lina Kaimepan' }).expect(202)).body;
    let erasure;
    do {
      await new Promise((r) => setTimeout(r, 300));
      erasure = (await as(http().get(`/v1/erasures/${id}`)).expect(200)).body;
    } while (erasure.status === 'queued' || erasure.status === 'running');
    expect(erasure.status).toBe('done');
    expect((await complete('Where does the Kaimepan heiress live?')).ked.edits).toContain(erasure.report.suppressionEdit);
    const source = app.get<DataSource>(getDataSourceToken());
    const tables = (await source.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)) as Array<{ table_name: string }>;
    for (const { table_name } of tables) {
      const rows = (await source.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE row_to_json(t)::text ~* $1`, ['heiress|lina kaimepan'])) as Array<{ n: number }>;
      expect([table_name, rows[0].n]).toEqual([table_name, 0]);
    }
    expect(filesContaining(lanceDir, 'heiress', 'Heiress', 'Lina Kaimepan', 'lina kaimepan')).toEqual([]);
    // The other Kaimepan keeps his edit, by name and by bare surname (no longer ambiguous).
    expect((await complete('Kaimepan earned a degree from')).ked.edits).toHaveLength(1);
  });
});
