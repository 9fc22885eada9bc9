import { loadScopeClassifier } from '../../memory/scope/load-classifier';
import { englishSet, loadEnglishWordings, type RouteQuery } from './english-set';
import { recallAtFalsePositiveRates, topMatches, type TopMatch } from './equal-false-positives';
import { routeEval } from './route-eval';

const positive = (expect: string, id: string | null, score: number, heldOut = false): TopMatch => ({ query: { text: 'q', expect, relation: 'r', heldOut } as RouteQuery, id, score });
const negative = (score: number): TopMatch => ({ query: { text: 'q', expect: null }, id: score > 0 ? 'e9' : null, score });

describe('recall at equal false positives', () => {
  // Ten negatives: two score over 0.8, one at 0.5, the rest match nothing.
  const negatives = [negative(0.9), negative(0.85), negative(0.5), ...Array.from({ length: 7 }, () => negative(0))];
  const positives = [positive('e1', 'e1', 0.95), positive('e2', 'e2', 0.7), positive('e3', 'e3', 0.4, true), positive('e4', 'e5', 0.99), positive('e6', null, 0, true)];

  it('sets the threshold just over the first negative that must not fire', () => {
    const [none, ten, twenty, all] = recallAtFalsePositiveRates([...negatives, ...positives], [0, 0.1, 0.2, 1]);
    // 0%: nothing over 0.9 but e1 (0.95) routes right.
    expect(none).toMatchObject({ falsePositiveRate: 0, recallAt1: 20 });
    expect(none.threshold).toBeGreaterThan(0.9);
    // 10%: one negative fires (0.9), the threshold sits over 0.85: still only e1.
    expect(ten).toMatchObject({ falsePositiveRate: 10, recallAt1: 20 });
    // 20%: two fire, the threshold sits over 0.5: e1 and e2 route right; e4's best match is another edit.
    expect(twenty).toMatchObject({ falsePositiveRate: 20, recallAt1: 40, seenRecallAt1: 66.67, heldOutRecallAt1: 0 });
    // Everything allowed: the three that fire at all; a positive with no candidate stays a miss.
    expect(all).toMatchObject({ falsePositiveRate: 30, recallAt1: 60, heldOutRecallAt1: 50 });
  });

  it('refuses rates outside 0-1 and sets without negatives', () => {
    expect(() => recallAtFalsePositiveRates([...negatives, ...positives], [5])).toThrow('from 0 to 1');
    expect(() => recallAtFalsePositiveRates(positives, [0.1])).toThrow('both positive and negative');
  });

  it("agrees with routing at the classifier's own threshold", async () => {
    const set = englishSet(loadEnglishWordings(), { split: 'test', edits: 150, seed: 3 });
    const classifier = loadScopeClassifier();
    const routed = await routeEval(set.edits, set.queries, classifier);
    const top = await topMatches(set.edits, set.queries, classifier);
    // The English set's edits are plain statements: their threshold is the plain one.
    const atOwn = top.filter((m) => m.query.expect !== null && m.id === m.query.expect && m.score >= classifier.plainThreshold).length;
    expect(Math.round((10_000 * atOwn) / routed.edits) / 100).toBe(routed.recallAt1);
    const fired = top.filter((m) => m.query.expect === null && m.score >= classifier.plainThreshold).length;
    const [at] = recallAtFalsePositiveRates(top, [fired / top.filter((m) => m.query.expect === null).length]);
    expect(at.falsePositiveRate).toBe(routed.falsePositiveRate);
    expect(at.recallAt1).toBeGreaterThanOrEqual(routed.recallAt1);
  }, 120_000);
});
