import { asFact, counterfactRecords } from './support/counterfact';
import { settledFacts, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(300_000);

const [MODIFIED, INSERTED, MULTI_HOP] = counterfactRecords(100, 103);

/** The planner's policy: methods by kind of fact, and memory records for multi-hop relations. */
describe('the edit policy (embedded engine, fixture model)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = (await startTestApp('embedded', { KED_WORKER: 'on', KED_EDIT_METHODS: 'ft-m', KED_INSERTION_METHODS: 'grace,ft-m', KED_MEMORY_RELATIONS: 'employer,citizen_of', KED_AUDIT_CRON: 'off' }))!;
  });

  afterAll(() => t.close());

  it('edits a modification and an insertion with their own methods, and gives a multi-hop relation a memory record too', async () => {
    const facts = [
      { ...asFact(MODIFIED), ground_truth: MODIFIED.ground_truth },
      asFact(INSERTED), // no ground truth: an insertion
      { ...asFact(MULTI_HOP), ground_truth: MULTI_HOP.ground_truth, relation: 'employer' },
    ];
    const { ids } = (await t.post('/v1/facts').send({ facts }).expect(202)).body as { ids: string[] };
    const views = await settledFacts(t, ids);
    expect(views.map((v) => v.status)).toEqual(['verified', 'verified', 'verified']);
    expect(views.map((v) => v.operations.map((o) => [o.method, o.kind]))).toEqual([
      [['ft-m', 'delta']],
      [['grace', 'codebook']],
      [
        ['ft-m', 'delta'],
        ['mello', 'context'],
      ],
    ]);
    // The record is live: the edit memory reads it for questions that name its subject.
    const record = views[2].operations[1].id;
    expect((await t.get(`/v1/edits/${record}`).expect(200)).body.status).toBe('verified');
  });
});
