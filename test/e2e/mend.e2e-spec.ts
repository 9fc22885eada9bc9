import { asFact, counterfactRecords } from './support/counterfact';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

const [FIRST, UNEDITED] = counterfactRecords(90, 92);

/** MEND in the daemon: the trained editor networks (models/mend) make a delta the scope detector routes. */
describe('MEND in the daemon (embedded engine, fixture model, models/mend)', () => {
  let t: TestApp;
  const complete = async (prompt: string) => (await t.post('/v1/completions').send({ prompt, max_tokens: 8, temperature: 0 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };

  beforeAll(async () => {
    t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'mend', KED_AUDIT_CRON: 'off' }))!;
  });

  afterAll(() => t.close());

  it('routes the edit to its prompt only, answers the new object there, and rolls back', async () => {
    const before = { first: await complete(FIRST.prompt), unedited: await complete(UNEDITED.prompt) };
    const { ids } = (await t.post('/v1/facts').send({ facts: [asFact(FIRST)] }).expect(202)).body as { ids: string[] };
    const [view] = await settledFacts(t, ids);
    expect([view.status, view.operations[0].method, view.operations[0].kind]).toEqual(['verified', 'mend', 'delta']);
    const editId = view.operations[0].id;

    const first = await complete(FIRST.prompt);
    expect(first.ked.edits).toEqual([editId]);
    expect(first.choices[0].text.trim().startsWith(FIRST.target_new)).toBe(true);
    const unedited = await complete(UNEDITED.prompt);
    expect(unedited.ked.edits).toEqual([]);
    expect(unedited.choices[0].text).toBe(before.unedited.choices[0].text);

    await t.del(`/v1/edits/${editId}`).expect(200);
    const reverted = await complete(FIRST.prompt);
    expect(reverted.ked.edits).toEqual([]);
    expect(reverted.choices[0].text).toBe(before.first.choices[0].text);
  });
});
