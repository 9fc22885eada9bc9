import { asFact, counterfactRecords, type CounterfactRecord } from './support/counterfact';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EditOperationRow } from '../../src/memory/entities/edit-operation.entity';
import { EditMemoryService } from '../../src/modules/edits/edit-memory.service';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

const [FIRST, SECOND, UNEDITED] = counterfactRecords(90, 93);

/** GRACE in the daemon: codebook entries keyed in LanceDB; a selected entry replaces the prompt-end state. */
describe('GRACE codebook in the daemon (embedded engine, fixture model)', () => {
  let t: TestApp;
  const complete = async (prompt: string) => (await t.post('/v1/completions').send({ prompt, max_tokens: 4, temperature: 0 }).expect(200)).body as { choices: Array<{ text: string }>; ked: { edits: string[] } };
  const edit = async (fact: CounterfactRecord) => {
    const { ids } = (await t.post('/v1/facts').send({ facts: [asFact(fact)] }).expect(202)).body as { ids: string[] };
    const [view] = await settledFacts(t, ids);
    expect([view.status, view.operations[0].method, view.operations[0].kind]).toEqual(['verified', 'grace', 'codebook']);
    return view.operations[0].id;
  };

  beforeAll(async () => {
    t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'grace', KED_AUDIT_CRON: 'off' }))!;
  });

  afterAll(() => t.close());

  it('answers an edited prompt with its target, leaves others alone, lets a re-edit win, and rolls back', async () => {
    const before = { first: await complete(FIRST.prompt), unedited: await complete(UNEDITED.prompt) };
    const firstEdit = await edit(FIRST);
    const first = await complete(FIRST.prompt);
    expect(first.ked.edits).toEqual([firstEdit]);
    expect(first.choices[0].text.trim().startsWith(FIRST.target_new)).toBe(true);
    const unedited = await complete(UNEDITED.prompt);
    expect(unedited.ked.edits).toEqual([]);
    expect(unedited.choices[0].text).toBe(before.unedited.choices[0].text);

    // The same prompt edited again: the newer entry takes the older one's ball over.
    const reEdit = await edit({ ...FIRST, target_new: SECOND.target_new });
    const again = await complete(FIRST.prompt);
    expect(again.ked.edits).toEqual([reEdit]);
    expect(again.choices[0].text.trim().startsWith(SECOND.target_new)).toBe(true);

    // Codebook entries are never merged into weights.
    await t.post(`/v1/edits/${reEdit}/commit`).expect(409);

    await t.del(`/v1/edits/${reEdit}`).expect(200);
    expect((await complete(FIRST.prompt)).ked.edits).toEqual([firstEdit]);
    await t.del(`/v1/edits/${firstEdit}`).expect(200);
    const reverted = await complete(FIRST.prompt);
    expect(reverted.ked.edits).toEqual([]);
    expect(reverted.choices[0].text).toBe(before.first.choices[0].text);
  });

  it('reports a verified fact as applied while this daemon does not route its edit, so a client never waits for verified and misses the edit', async () => {
    const [fact] = counterfactRecords(94, 95);
    const { ids } = (await t.post('/v1/facts').send({ facts: [asFact(fact)] }).expect(202)).body as { ids: string[] };
    const [view] = await settledFacts(t, ids);
    expect(view.status).toBe('verified');
    // The window between the worker's commit and its routing, held open: routed nowhere here.
    const memory = t.app.get(EditMemoryService);
    const opId = view.operations[0].id;
    await memory.deactivate([opId], { publish: false });
    expect((await t.get(`/v1/facts/${ids[0]}`).expect(200)).body.status).toBe('applied');
    expect((await complete(fact.prompt)).ked.edits).toEqual([]);
    await memory.activate([await t.app.get<DataSource>(getDataSourceToken()).getRepository(EditOperationRow).findOneByOrFail({ id: opId })], { publish: false });
    expect((await t.get(`/v1/facts/${ids[0]}`).expect(200)).body.status).toBe('verified');
    expect((await complete(fact.prompt)).ked.edits).toEqual([opId]);
  });
});
