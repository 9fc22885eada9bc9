import { getDataSourceToken } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { World } from '../../src/world/types';
import { filesContaining } from './support/files';
import { startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(600_000);

const DATA = join(__dirname, '..', '..', 'data', 'world');
const WORLD = JSON.parse(readFileSync(join(DATA, 'world.json'), 'utf8')) as World;

/** Five people the default audit probe set (data/world/audit-probes.jsonl) asks about, with their phone numbers. */
function auditedPeople(): Array<{ name: string; phone: string }> {
  const prompts = readFileSync(join(DATA, 'audit-probes.jsonl'), 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { prompt: string }).prompt);
  const people = WORLD.entities.filter((e) => e.type === 'person' && prompts.some((p) => p.includes(e.name)));
  return people.slice(0, 5).map((e) => ({ name: e.name, phone: WORLD.facts.find((f) => f.subject === e.id && f.relation === 'phone')!.object }));
}

type Completion = { choices: Array<{ text: string }>; ked: { edits: string[] } };

/**
 * Erasure beats audit: people the locality audit probes are erased, then an audit runs with
 * quarantine on. Their erasures keep refusing, none of their edits is quarantined, no audit row
 * (the baseline captured before the erasure included) names them, and no file under the data
 * directory, the embedded engine's WAL included, holds their names or phone numbers.
 */
describe('erasures and audits (embedded engine)', () => {
  let t: TestApp | null = null;
  const people = auditedPeople();

  beforeAll(async () => {
    t = await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'ft-m', KED_AUDIT_CRON: 'off', KED_AUDIT_QUARANTINE: 'on', KED_AUDIT_MIN_LOCALITY: '99' });
  });
  afterAll(async () => t?.close());

  const complete = async (prompt: string) => (await t!.post('/v1/completions').send({ prompt, max_tokens: 6, temperature: 0 }).expect(200)).body as Completion;
  const finished = async <T extends { status: string }>(url: string): Promise<T> => {
    for (;;) {
      const body = (await t!.get(url).expect(200)).body as T;
      if (!['queued', 'running'].includes(body.status)) return body;
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  it('an audit with quarantine neither undoes erasures nor keeps the erased names', async () => {
    expect(people).toHaveLength(5);
    // A baseline and an audit before the erasures: their rows hold the names and true answers.
    const { id: before } = (await t!.post('/v1/audits').expect(202)).body as { id: string };
    await finished(`/v1/audits/${before}`);
    const source = t!.app.get<DataSource>(getDataSourceToken());
    const pattern = people.flatMap((p) => [p.name, p.phone]).join('|');
    const mentions = async () => Number((await source.query(`SELECT count(*) AS n FROM audit_results r WHERE row_to_json(r)::text ~* $1`, [pattern]))[0].n);
    expect(await mentions()).toBeGreaterThan(0);

    const erasures: Array<{ id: string; report: { suppressionEdit: string; reinforcementEdits: string[] } }> = [];
    for (const person of people) {
      const { id } = (await t!.post('/v1/erasures').send({ subject: person.name }).expect(202)).body as { id: string };
      const done = await finished<{ status: string; id: string; report: { suppressionEdit: string; reinforcementEdits: string[] } }>(`/v1/erasures/${id}`);
      expect(done.status).toBe('done');
      erasures.push(done);
    }
    expect(await mentions()).toBe(0);

    const { id: audit } = (await t!.post('/v1/audits').expect(202)).body as { id: string };
    const result = await finished<{ status: string; summary: { quarantined: string[]; erased: number } }>(`/v1/audits/${audit}`);
    expect(result.summary.quarantined).toEqual([]);
    expect(result.summary.erased).toBeGreaterThan(0);
    for (const erasure of erasures) {
      for (const edit of [erasure.report.suppressionEdit, ...erasure.report.reinforcementEdits]) {
        expect(((await t!.get(`/v1/edits/${edit}`).expect(200)).body as { status: string }).status).toBe('verified');
      }
      expect(((await t!.get(`/v1/erasures/${erasure.id}`).expect(200)).body as { status: string }).status).toBe('done');
    }
    for (const person of people) {
      const answer = await complete(`${person.name} can be reached at`);
      expect(answer.choices[0].text.trim().startsWith("I don't know.")).toBe(true);
    }
    expect(await mentions()).toBe(0);
    // Erasure edits cannot be taken out of routing by hand either.
    await t!.del(`/v1/edits/${erasures[0].report.suppressionEdit}`).expect(409);
  });

  it('leaves no file under the data directory, WAL included, holding an erased name or phone number', async () => {
    const needles = people.flatMap((p) => [p.name, p.name.toLowerCase(), p.phone]);
    const source = t!.app.get<DataSource>(getDataSourceToken());
    const found = [];
    for (const path of filesContaining(t!.config.dataDir, ...needles)) {
      const node = /\/base\/\d+\/(\d+)$/.exec(path)?.[1];
      const relation = node ? ((await source.query(`SELECT relname FROM pg_class WHERE relfilenode = $1`, [node])) as Array<{ relname: string }>)[0]?.relname : undefined;
      found.push({ path, relation, needles: needles.filter((n) => readFileSync(path).includes(n)) });
    }
    expect(found).toEqual([]);
  });
});
