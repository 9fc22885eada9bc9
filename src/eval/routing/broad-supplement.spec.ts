import { broadSet, loadBroadWordings, splitRelations } from './broad-set';
import { loadBroadSupplement, withSupplement, type BroadSupplement } from './broad-supplement';

/** Lower-case words, the subject slot one of them: "Who is {s}'s employer?" → who, is, {s}, employer. */
const words = (q: string) => new Set(q.toLowerCase().replaceAll("'s", ' ').match(/[a-z]+|\{s\}/g) ?? []);
const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((w) => b.has(w)).length / new Set([...a, ...b]).size;

describe('the broad set supplement', () => {
  const wordings = loadBroadWordings();
  const supplement = loadBroadSupplement();
  const merged = withSupplement(wordings, supplement);
  const byId = new Map(wordings.relations.map((r) => [r.id, r]));

  it('adds train questions to seen relations only, none close to a test question of the same relation', () => {
    expect(Object.keys(supplement.moreTrain).length).toBeGreaterThanOrEqual(100);
    for (const [id, questions] of Object.entries(supplement.moreTrain)) {
      const relation = byId.get(id)!;
      expect(relation.heldOut).toBe(false);
      // Half or more of the words shared with a test wording was the rule for leaving a question out.
      for (const q of questions) for (const t of relation.test) expect([q, t, overlap(words(q), words(t)) < 0.5]).toEqual([q, t, true]);
    }
  });

  it('adds relations the broad set lacks, to train splits only', () => {
    const lens: BroadSupplement = {
      ...supplement,
      names: { lensMount: ['EF mount', 'Z mount', 'X mount'] },
      relations: [{ id: 'device_lens_mount', subject: 'device', object: 'lensMount', heldOut: false, edits: ['{s} takes {o} lenses.', '{s} uses the {o}.', 'The lens mount of {s} is the {o}.'], train: ['Which lenses fit {s}?', 'What mount does {s} have?', '{s} — lens mount?'] }],
    };
    const merged = withSupplement(wordings, lens);
    expect(splitRelations(merged, 'train').map((r) => r.id)).toContain('device_lens_mount');
    expect(splitRelations(merged, 'test').map((r) => r.id)).not.toContain('device_lens_mount');
    expect(() => splitRelations(merged, 'test', ['device_lens_mount'])).toThrow(/no test wordings/);
    const train = broadSet(merged, { split: 'train', edits: 3000, seed: 1 });
    expect(train.edits.filter((e) => e.relation === 'device_lens_mount').some((e) => /mount/.test(e.object ?? ''))).toBe(true);
    expect(train.edits.some((e) => e.heldOut)).toBe(false);
    expect(broadSet(merged, { split: 'test', edits: 500, seed: 1 })).toEqual(broadSet(wordings, { split: 'test', edits: 500, seed: 1 }));
    expect(() => withSupplement(wordings, { ...lens, relations: [{ ...lens.relations[0], object: 'nothing' }] })).toThrow(/no type or name list "nothing"/);
  });

  it('leaves the test split as written', () => {
    expect(broadSet(merged, { split: 'test', edits: 500, seed: 1 })).toEqual(broadSet(wordings, { split: 'test', edits: 500, seed: 1 }));
  });

  it('refuses train wordings for a held-out relation, unknown relations and clashing names', () => {
    const empty: BroadSupplement = { about: '', names: {}, moreTrain: {}, relations: [] };
    const held = wordings.relations.find((r) => r.heldOut)!.id;
    expect(() => withSupplement(wordings, { ...empty, moreTrain: { [held]: ['Who is {s}?'] } })).toThrow(/held out/);
    expect(() => withSupplement(wordings, { ...empty, moreTrain: { nothing_here: ['Who is {s}?'] } })).toThrow(/no relation "nothing_here"/);
    expect(() => withSupplement(wordings, { ...empty, names: { country: ['Erewhon'] } })).toThrow(/already exists/);
    const existing = wordings.relations[0];
    expect(() => withSupplement(wordings, { ...empty, relations: [{ ...existing, heldOut: false }] })).toThrow(/already exists/);
  });
});
