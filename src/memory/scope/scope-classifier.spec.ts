import { pickThreshold, SCOPE_CLASSIFIER_FORMAT, ScopeClassifier, type LabelledPair } from './scope-classifier';

describe('ScopeClassifier', () => {
  // Slot 0 is the bias; slot 20 fires on in-scope pairs, slot 21 on the others.
  const pair = (inScope: boolean, noise: number): LabelledPair => ({ features: new Map([[0, 1], [inScope ? 20 : 21, 1], [30 + noise, 0.5]]), inScope });
  const pairs = Array.from({ length: 200 }, (_, i) => pair(i % 4 === 0, i % 7));

  it('learns a separable rule and scores unseen pairs by it', () => {
    const classifier = ScopeClassifier.train(pairs, { epochs: 5, learningRate: 0.5, l2: 0, maxFalsePositiveRate: 0, seed: 3 });
    expect(classifier.score(pair(true, 99).features)).toBeGreaterThan(0.9);
    expect(classifier.score(pair(false, 99).features)).toBeLessThan(0.1);
    expect(classifier.score(pair(true, 99).features)).toBeGreaterThan(classifier.threshold);
  });

  it('round-trips through its file format', () => {
    const classifier = ScopeClassifier.train(pairs);
    const again = ScopeClassifier.fromFile(JSON.parse(JSON.stringify(classifier.toFile())));
    expect(again.threshold).toBe(classifier.threshold);
    expect(again.score(pair(true, 2).features)).toBeCloseTo(classifier.score(pair(true, 2).features), 5);
    expect(() => ScopeClassifier.fromFile({ format: 'other' })).toThrow();
  });

  it('picks the lowest threshold whose false-positive rate stays within the bound', () => {
    const scored = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05].map((score) => ({ score, inScope: false }));
    // 10% allowed: one negative (0.9) may pass, so the threshold sits just above 0.8.
    expect(pickThreshold(scored, 0.1)).toBeCloseTo(0.8, 5);
    expect(pickThreshold(scored, 0.1)).toBeGreaterThan(0.8);
    expect(pickThreshold(scored, 0)).toBeGreaterThan(0.9);
  });

  it('keeps a second threshold for plain statements, through its file too, and reads files with one', () => {
    const classifier = ScopeClassifier.train(pairs).withThreshold(0.4, {}, 0.6);
    expect(classifier.thresholdFor(true)).toBe(0.4);
    expect(classifier.thresholdFor(false)).toBe(0.6);
    const again = ScopeClassifier.fromFile(JSON.parse(JSON.stringify(classifier.toFile())));
    expect([again.thresholdFor(true), again.thresholdFor(false)]).toEqual([0.4, 0.6]);
    const single = ScopeClassifier.fromFile({ format: SCOPE_CLASSIFIER_FORMAT, threshold: 0.5, weights: [] });
    expect([single.thresholdFor(true), single.thresholdFor(false)]).toEqual([0.5, 0.5]);
    // A file whose features were numbered otherwise is refused, not misread.
    expect(() => ScopeClassifier.fromFile({ format: 'ked-scope-classifier/1', threshold: 0.5, weights: [] })).toThrow(/retrain it/);
  });

  it('keeps its hidden layer through its file, and refuses word vectors other than those it was fitted with', () => {
    const classifier = ScopeClassifier.train(pairs, { epochs: 5, learningRate: 0.5, l2: 0, maxFalsePositiveRate: 0, seed: 3, hidden: 4 });
    const file = JSON.parse(JSON.stringify(classifier.toFile()));
    expect(file.mlp).toMatchObject({ hidden: 4 });
    expect(file.wordVectors).toMatch(/^[0-9a-f]{16}$/);
    const again = ScopeClassifier.fromFile(file);
    expect(again.score(pair(false, 3).features)).toBeCloseTo(classifier.score(pair(false, 3).features), 4);
    // Without the hidden layer the scores differ: it is read, not ignored.
    const linear = ScopeClassifier.fromFile({ ...file, mlp: undefined });
    expect(Math.abs(linear.score(pair(false, 3).features) - classifier.score(pair(false, 3).features))).toBeGreaterThan(1e-3);
    expect(() => ScopeClassifier.fromFile({ ...file, wordVectors: '0000000000000000' })).toThrow(/word vectors 0000000000000000.*retrain/);
  });

  it('averages an ensemble into one classifier whose logit is the members\' mean logit', () => {
    const members = [3, 4, 5].map((seed) => ScopeClassifier.train(pairs, { epochs: 3, learningRate: 0.5, l2: 0, maxFalsePositiveRate: 0, seed, hidden: 4 }));
    const logit = (p: number) => Math.log(p / (1 - p));
    const ensemble = ScopeClassifier.average(members);
    const again = ScopeClassifier.fromFile(JSON.parse(JSON.stringify(ensemble.toFile())));
    expect(again.toFile().mlp).toMatchObject({ hidden: 12 });
    for (const p of [pair(true, 1), pair(false, 2), pair(true, 7)]) {
      const mean = members.reduce((sum, m) => sum + logit(m.score(p.features)), 0) / members.length;
      expect(logit(ensemble.score(p.features))).toBeCloseTo(mean, 9);
      expect(logit(again.score(p.features))).toBeCloseTo(mean, 3);
    }
    // Members differ (their seeds), so the mean is not any one of them.
    expect(Math.abs(members[0].score(pair(false, 2).features) - members[1].score(pair(false, 2).features))).toBeGreaterThan(1e-4);
    const linear = ScopeClassifier.train(pairs, { epochs: 3, learningRate: 0.5, l2: 0, maxFalsePositiveRate: 0, seed: 3 });
    expect(() => ScopeClassifier.average([members[0], linear])).toThrow(/with and without a hidden layer/);
  });
});
