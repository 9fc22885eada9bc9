import { asFact, counterfactRecords } from './counterfact';
import { settledFacts, startTestApp, type TestApp } from './test-app';

/**
 * One routed method through the daemon: a fact becomes a verified operation of the expected
 * kind; a request in its scope answers the new object and names the edit; an unrelated request
 * is answered exactly as before; rolling the edit back restores the first answer.
 */
export function describeRoutedMethodInDaemon(options: { method: string; kind: 'delta' | 'context'; title: string; behaviour: string }): void {
  const [FIRST, UNEDITED] = counterfactRecords(90, 92);
  describe(options.title, () => {
    let t: TestApp;
    const complete = async (prompt: string) => (await t.post('/v1/completions').send({ prompt, max_tokens: 8, temperature: 0 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };

    beforeAll(async () => {
      t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: options.method, KED_AUDIT_CRON: 'off' }))!;
    });

    afterAll(() => t.close());

    it(options.behaviour, async () => {
      const before = { first: await complete(FIRST.prompt), unedited: await complete(UNEDITED.prompt) };
      const { ids } = (await t.post('/v1/facts').send({ facts: [asFact(FIRST)] }).expect(202)).body as { ids: string[] };
      const [view] = await settledFacts(t, ids);
      expect([view.status, view.operations[0].method, view.operations[0].kind]).toEqual(['verified', options.method, options.kind]);
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
}
