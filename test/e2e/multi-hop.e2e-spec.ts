import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

interface MquakeCase {
  requested_rewrite: Array<{ subject: string; prompt: string; target_new: string }>;
  questions: string[];
  new_answer: string;
}
// Case 1: Feather of Mountain's writer is now Stosel Sosar, and Stosel Sosar was born in Futaholm.
const [CASE] = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'world', 'world-mquake.test.json'), 'utf8')) as MquakeCase[];

/** Multi-hop questions through the daemon: PokeMQA's memory records read by a decomposition trace. */
describe('multi-hop editing in the daemon (PokeMQA memory, embedded engine, fixture model)', () => {
  let t: TestApp;
  const complete = async (prompt: string) => (await t.post('/v1/completions').send({ prompt, max_tokens: 6, temperature: 0 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };
  const MULTI_HOP = 'Q: What is the birthplace of the author of Feather of Mountain? A:';
  const UNRELATED = 'Q: Where was Setan Bazago born? A:';

  beforeAll(async () => {
    t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'pokemqa,ft-m', KED_AUDIT_CRON: 'off' }))!;
  });

  afterAll(() => t.close());

  it('answers a two-hop question with both edits, and leaves unrelated questions alone', async () => {
    const before = { multiHop: await complete(MULTI_HOP), unrelated: await complete(UNRELATED) };
    expect(before.multiHop.ked.edits).toEqual([]);
    expect(before.multiHop.choices[0].text.trim()).not.toContain(CASE.new_answer);

    const facts = CASE.requested_rewrite.map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new }));
    const { ids } = (await t.post('/v1/facts').send({ facts }).expect(202)).body as { ids: string[] };
    const views = await settledFacts(t, ids);
    // Verified through the reader: the cloze prompt sees its record stated before it.
    expect(views.map((v) => [v.status, v.operations[0].method])).toEqual([['verified', 'pokemqa'], ['verified', 'pokemqa']]);
    const editIds = views.map((v) => v.operations[0].id);

    const after = await complete(MULTI_HOP);
    expect(after.choices[0].text.trim().startsWith(CASE.new_answer)).toBe(true);
    expect([...after.ked.edits].sort()).toEqual([...editIds].sort());
    // The second edit alone (its subject named): a one-hop reading.
    const single = await complete(facts[1].prompt);
    expect(single.choices[0].text.trim().startsWith(facts[1].target_new)).toBe(true);
    // A question naming no edited subject runs the unedited model.
    const unrelated = await complete(UNRELATED);
    expect(unrelated.ked.edits).toEqual([]);
    expect(unrelated.choices[0].text).toBe(before.unrelated.choices[0].text);
  });
});
