import { loadScopeClassifier } from '../../memory/scope/load-classifier';
import { englishSet, loadEnglishWordings } from './english-set';
import { routeEval } from './route-eval';

describe('the real-English routing set', () => {
  const wordings = loadEnglishWordings();
  const test = englishSet(wordings, { split: 'test', edits: 400, seed: 1 });
  const train = englishSet(wordings, { split: 'train', edits: 400, seed: 1 });

  it('is the same for the same seed', () => {
    expect(englishSet(wordings, { split: 'test', edits: 400, seed: 1 })).toEqual(test);
    expect(englishSet(wordings, { split: 'test', edits: 400, seed: 2 })).not.toEqual(test);
  });

  it('keeps train and test apart: subjects and question wordings', () => {
    const textsOf = (edits: Array<{ edit: string }>) => new Set(edits.map((e) => e.edit));
    const trainTexts = textsOf(train.edits);
    expect(test.edits.some((e) => trainTexts.has(e.edit))).toBe(false);
    const trainQuestions = new Set(wordings.relations.flatMap((r) => r.train));
    for (const r of wordings.relations) for (const q of r.test) expect(trainQuestions.has(q)).toBe(false);
  });

  it('has a positive per edit and hard negatives, every expected id in memory', () => {
    const ids = new Set(test.edits.map((e) => e.id));
    expect(test.queries.filter((q) => q.expect !== null)).toHaveLength(test.edits.length);
    for (const q of test.queries) if (q.expect !== null) expect(ids.has(q.expect)).toBe(true);
    const kinds = new Set(test.queries.map((q) => q.kind));
    expect([...kinds].sort()).toEqual(['absent_subject', 'positive', 'same_subject', 'similar_name']);
  });

  it('routes with the committed classifier above the regression floors (these 400 edits: recall@1 95.0, FPR 0.5; 3,000: 94.2, 5.1)', async () => {
    const result = await routeEval(test.edits, test.queries, loadScopeClassifier());
    expect(result.edits).toBe(400);
    expect(result.recallAt1).toBeGreaterThanOrEqual(90);
    expect(result.falsePositiveRate).toBeLessThanOrEqual(5);
  }, 120_000);
});
