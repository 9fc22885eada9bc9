import { asFact, counterfactRecords } from './support/counterfact';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

const [FIRST, SECOND, UNEDITED] = counterfactRecords(80, 83);

/** MELO in the daemon: blocks indexed by hidden-state keys in LanceDB, selected by each request's own key. */
describe('MELO blocks in the daemon (embedded engine, fixture model)', () => {
  let t: TestApp;
  const complete = async (prompt: string) => (await t.post('/v1/completions').send({ prompt, max_tokens: 4, temperature: 0 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };

  beforeAll(async () => {
    t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'melo,ft-m', KED_AUDIT_CRON: 'off' }))!;
  });

  afterAll(() => t.close());

  it("routes each block to the requests its key selects, and a rolled-back block to none", async () => {
    const before = { first: await complete(FIRST.prompt), unedited: await complete(UNEDITED.prompt) };
    const facts = [FIRST, SECOND].map(asFact);
    const { ids } = (await t.post('/v1/facts').send({ facts }).expect(202)).body as { ids: string[] };
    const views = await settledFacts(t, ids);
    expect(views.map((v) => [v.status, v.operations[0].method])).toEqual([['verified', 'melo'], ['verified', 'melo']]);
    const [firstEdit, secondEdit] = views.map((v) => v.operations[0].id);

    const first = await complete(FIRST.prompt);
    expect(first.ked.edits).toEqual([firstEdit]);
    expect(first.choices[0].text.trim().startsWith(FIRST.target_new)).toBe(true);
    expect((await complete(SECOND.prompt)).ked.edits).toEqual([secondEdit]);
    // A prompt far from both keys sees the unedited model.
    const unedited = await complete(UNEDITED.prompt);
    expect(unedited.ked.edits).toEqual([]);
    expect(unedited.choices[0].text).toBe(before.unedited.choices[0].text);

    await t.del(`/v1/edits/${firstEdit}`).expect(200);
    const reverted = await complete(FIRST.prompt);
    expect(reverted.ked.edits).toEqual([]);
    expect(reverted.choices[0].text).toBe(before.first.choices[0].text);
  });
});
