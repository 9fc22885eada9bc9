import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { counterfactRecords, type CounterfactRecord } from './support/counterfact';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(600_000);

const RECORDS = counterfactRecords(200, 260);

interface FactBody {
  id: string;
  seq: number;
  status: string;
  error: string | null;
  supersededBy: string | null;
  supersedes: string[];
  updatedAt: string;
  operations: Array<{ id: string; status: string; supersededBy: string | null }>;
}
type Completion = { choices: Array<{ text: string }>; ked: { edits: string[] } };

/**
 * The fact stream's semantics (ARCHITECTURE.md "Stream semantics") through the real daemon: the
 * newest value of a subject and relation wins, the older edit reads superseded, a fact restoring
 * the unedited value leaves no edit in scope, facts apply in array order, and oversized facts are
 * refused at the door.
 */
describe('the fact stream', () => {
  let t: TestApp | null = null;

  beforeAll(async () => {
    t = await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'ft-m', KED_AUDIT_CRON: 'off' });
  });
  afterAll(async () => t?.close());

  const post = async (facts: object[]) => ((await t!.post('/v1/facts').send({ facts }).expect(202)).body as { ids: string[] }).ids;
  const settled = async (ids: string[]) => (await settledFacts(t!, ids, 200)) as unknown as FactBody[];
  const fact = async (id: string) => (await t!.get(`/v1/facts/${id}`).expect(200)).body as FactBody;
  const complete = async (prompt: string) => (await t!.post('/v1/completions').send({ prompt, max_tokens: 6, temperature: 0 }).expect(200)).body as Completion;
  const says = (c: Completion, target: string) => c.choices[0].text.trim().startsWith(target);
  /** A value the record's subject gets first, so that the record's own target_new is the newer one. */
  const olderValue = (r: CounterfactRecord, i: number) => RECORDS[(RECORDS.indexOf(r) + 7 + i) % RECORDS.length].target_new;

  it('a newer fact in the same POST supersedes the older one: only the newest value is served', async () => {
    const pairs = RECORDS.slice(0, 3);
    const ids = await post(pairs.flatMap((r, i) => [{ subject: r.subject, prompt: r.prompt, target_new: olderValue(r, i) }, { subject: r.subject, prompt: r.prompt, target_new: r.target_new }]));
    const views = await settled(ids);
    for (const [i, r] of pairs.entries()) {
      const [older, newer] = [views[2 * i], views[2 * i + 1]];
      expect(newer.status).toBe('verified');
      expect(newer.supersedes).toEqual([older.id]);
      expect(older.status).toBe('superseded');
      expect(older.supersededBy).toBe(newer.id);
      for (const op of older.operations) expect(op).toMatchObject({ status: 'superseded', supersededBy: newer.id });
      const answer = await complete(r.prompt);
      expect(answer.ked.edits).toEqual(newer.operations.map((o) => o.id));
      expect(says(answer, r.target_new)).toBe(true);
      // A rephrase never reaches the superseded edit.
      const rephrase = await complete(r.rephrase_prompt!);
      for (const op of older.operations) expect(rephrase.ked.edits).not.toContain(op.id);
      expect(says(rephrase, olderValue(r, i))).toBe(false);
    }
    const edits = (await t!.get(`/v1/edits?status=superseded`).expect(200)).body as { edits: Array<{ factId: string; supersededBy: string }> };
    expect(edits.edits.map((e) => e.supersededBy).sort()).toEqual(pairs.map((_, i) => views[2 * i + 1].id).sort());
  });

  it('a newer fact in a later POST supersedes the verified one', async () => {
    const r = RECORDS[3];
    const [first] = await post([{ subject: r.subject, prompt: r.prompt, target_new: olderValue(r, 0) }]);
    const [older] = await settled([first]);
    expect(older.status).toBe('verified');
    expect(says(await complete(r.prompt), olderValue(r, 0))).toBe(true);
    const [second] = await post([{ subject: r.subject, prompt: r.prompt, target_new: r.target_new }]);
    const [newer] = await settled([second]);
    expect(newer.status).toBe('verified');
    expect((await fact(first)).status).toBe('superseded');
    const answer = await complete(r.prompt);
    expect(answer.ked.edits).toEqual(newer.operations.map((o) => o.id));
    expect(says(answer, r.target_new)).toBe(true);
    // Rolling the newest value back serves the one it replaced again.
    const undone = (await t!.del(`/v1/edits/${newer.operations[0].id}`).expect(200)).body as { restored: string[] };
    expect(undone.restored).toEqual(older.operations.map((o) => o.id));
    expect((await fact(first)).status).toBe('verified');
    const back = await complete(r.prompt);
    expect(back.ked.edits).toEqual(older.operations.map((o) => o.id));
    expect(says(back, olderValue(r, 0))).toBe(true);
  });

  it('a newer fact rolls a committed older edit back out of the served weights', async () => {
    const r = RECORDS[4];
    const other = RECORDS[5];
    const [first] = await settled(await post([{ subject: r.subject, prompt: r.prompt, target_new: olderValue(r, 1) }]));
    expect(first.status).toBe('verified');
    const committed = (await t!.post(`/v1/edits/${first.operations[0].id}/commit`).expect(200)).body as { modelVersion: number };
    // Committed: even a request the detector would not route sees it.
    expect((await complete(r.prompt)).ked.edits).toEqual([]);
    expect(says(await complete(r.prompt), olderValue(r, 1))).toBe(true);
    const before = await complete(other.prompt);
    const [newer] = await settled(await post([{ subject: r.subject, prompt: r.prompt, target_new: r.target_new }]));
    expect(newer.status).toBe('verified');
    const edit = (await t!.get(`/v1/edits/${first.operations[0].id}`).expect(200)).body as { status: string; mode: string; supersededBy: string };
    expect(edit).toMatchObject({ status: 'superseded', mode: 'committed', supersededBy: newer.id });
    const { versions } = (await t!.get('/v1/model-versions').expect(200)).body as { versions: Array<{ version: number; description: string }> };
    expect(versions[0]).toMatchObject({ version: committed.modelVersion + 1, description: expect.stringMatching(/superseded by fact/) });
    const answer = await complete(r.prompt);
    expect(answer.ked.edits).toEqual(newer.operations.map((o) => o.id));
    expect(says(answer, r.target_new)).toBe(true);
    // The weights are back to the checkpoint for everything else.
    expect((await complete(other.prompt)).choices[0].text).toBe(before.choices[0].text);
  });

  it('a fact restoring the unedited value retires the edit and leaves none in scope', async () => {
    // A record whose true value the unedited model says after its prompt.
    let chosen: CounterfactRecord | undefined;
    let unedited: Completion | undefined;
    for (const r of RECORDS.slice(10, 40)) {
      unedited = await complete(r.prompt);
      if (r.ground_truth && says(unedited, r.ground_truth)) {
        chosen = r;
        break;
      }
    }
    expect(chosen).toBeDefined();
    const r = chosen!;
    const [edited] = await settled(await post([{ subject: r.subject, prompt: r.prompt, target_new: r.target_new, ground_truth: r.ground_truth }]));
    expect(edited.status).toBe('verified');
    expect(says(await complete(r.prompt), r.target_new)).toBe(true);
    const [restored] = await settled(await post([{ subject: r.subject, prompt: r.prompt, target_new: r.ground_truth! }]));
    expect(restored.status).toBe('verified');
    expect(restored.operations).toEqual([]);
    expect(restored.supersedes).toEqual([edited.id]);
    const answer = await complete(r.prompt);
    expect(answer.ked.edits).toEqual([]);
    expect(answer.choices[0].text).toBe(unedited!.choices[0].text);
  });

  it('applies 50 facts of one POST in array order', async () => {
    // True values: most need no edit, so the order shows without 50 edit computations.
    const records = counterfactRecords(300, 350);
    const ids = await post(records.map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.ground_truth ?? r.target_new })));
    const views = await settled(ids);
    const seqs = views.map((v) => v.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(50);
    const settledAt = views.map((v) => Date.parse(v.updatedAt));
    for (let i = 1; i < settledAt.length; i++) expect(settledAt[i]).toBeGreaterThanOrEqual(settledAt[i - 1]);
  });

  it('refuses oversized facts at the door with the field, and stays healthy', async () => {
    const r = RECORDS[50];
    const huge = await t!.post('/v1/facts').send({ facts: [{ subject: r.subject, prompt: r.prompt, target_new: 'x'.repeat(200_000) }] }).expect(400);
    expect(huge.body.errors).toEqual([expect.objectContaining({ path: 'facts[0]', message: expect.stringMatching(/bytes as JSON; a fact record may hold at most 65,536/) })]);
    const long = await t!.post('/v1/facts').send({ facts: [{ subject: r.subject, prompt: r.prompt, target_new: 'y'.repeat(5_000) }] }).expect(400);
    expect(long.body.errors).toEqual([{ index: 0, path: 'facts[0].target_new', message: 'must be at most 1,000 characters' }]);
    const words = `${r.prompt} ${'and then some more words '.repeat(60)}`.slice(0, 1_900);
    const context = await t!.post('/v1/facts').send({ facts: [{ subject: r.subject, prompt: words, target_new: r.target_new }] }).expect(400);
    expect(context.body.errors).toEqual([{ index: 0, path: 'facts[0].prompt', message: expect.stringMatching(/^with "target_new" is \d+ tokens; the served model reads at most 128$/) }]);
    const nul = await t!.post('/v1/facts').send({ facts: [{ subject: `${r.subject}`, prompt: r.prompt, target_new: 'a\u0000b' }] }).expect(400);
    expect(nul.body.errors[0]).toMatchObject({ path: 'facts[0].target_new', message: 'must not hold NUL bytes or lone surrogates' });
    await t!.get('/health').expect(200);
  });

  it('a fact whose worker stopped while computing it too often fails with the reason at start, instead of looping', async () => {
    const r = RECORDS[51];
    const [id] = await post([{ subject: r.subject, prompt: r.prompt, target_new: r.target_new }]);
    const dataSource = t!.app.get<DataSource>(getDataSourceToken());
    // As a worker that died on it three times leaves it: claimed, attempts used up, lease lapsed.
    await dataSource.query(`UPDATE facts SET status = 'computing', attempts = 3, claimed_by = 'gone', lease_until = now() - interval '1 minute' WHERE id = $1`, [id]);
    const [view] = await settled([id]);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/its worker stopped while computing it, 3 times of 3 allowed/);
  });
});

/**
 * AlphaEdit in the stream: each edit stores the keys later edits preserve, and the edit process's
 * state follows the live edits (a superseded edit leaves it), computed through the real worker.
 */
describe('the fact stream with AlphaEdit', () => {
  let t: TestApp | null = null;
  beforeAll(async () => {
    t = await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'alphaedit', KED_AUDIT_CRON: 'off' });
  });
  afterAll(async () => t?.close());

  it('stores preserved keys with each edit and keeps applying facts after one is superseded', async () => {
    // The first subject's language first set to another language of the world, then to its own counterfact.
    const [a, b, c] = counterfactRecords(400, 403);
    const facts = [{ ...a, target_new: 'Fesian' }, b, a, c].map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new }));
    const { ids } = (await t!.post('/v1/facts').send({ facts }).expect(202)).body as { ids: string[] };
    const views = (await settledFacts(t!, ids, 300)) as unknown as FactBody[];
    expect(views.filter((v) => v.status === 'failed' && /crash|ended|restarted/.test(v.error ?? ''))).toEqual([]);
    const verified = views.filter((v) => v.status === 'verified');
    expect(verified.length).toBeGreaterThanOrEqual(2);
    const dataSource = t!.app.get<DataSource>(getDataSourceToken());
    const rows = (await dataSource.query(`SELECT fact_id, status, jsonb_array_length(payload->'preserved') AS layers FROM edit_operations WHERE method = 'alphaedit'`)) as Array<{ fact_id: string; status: string; layers: number }>;
    for (const row of rows) expect(row.layers).toBeGreaterThan(0);
    // The newer value of the first subject replaced the first edit.
    if (views[0].operations.length) {
      expect(views[2].status).toBe('verified');
      expect(views[0].status).toBe('superseded');
      expect(rows.filter((r) => r.fact_id === ids[0]).map((r) => r.status)).toEqual(['superseded']);
    }
  });
});
