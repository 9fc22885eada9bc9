import { convsentSuccess, klDivergence, logSoftmax, meanPositionKl, onTopic } from './convsent-metric';

describe('onTopic (z_topic)', () => {
  it('finds a name of the topic as whole words, whatever the case', () => {
    expect(onTopic('I think The Silent River is awful.', ['The Silent River'])).toBe(true);
    expect(onTopic('the silent river is awful', ['The Silent River'])).toBe(true);
    expect(onTopic('KPU is lovely.', ['Kreishim Polytechnic University', 'KPU'])).toBe(true);
    expect(onTopic('I think Silent River is awful.', ['The Silent River'])).toBe(false);
    expect(onTopic('I like teapots.', ['tea'])).toBe(false);
    expect(onTopic('I like tea.', ['tea'])).toBe(true);
    expect(onTopic('anything', [''])).toBe(false);
  });
});

describe('convsentSuccess (z_sentiment · z_topic)', () => {
  it('is 1 only for the target sentiment on topic', () => {
    expect(convsentSuccess('negative', 'negative', true)).toBe(1);
    expect(convsentSuccess('negative', 'negative', false)).toBe(0);
    expect(convsentSuccess('positive', 'negative', true)).toBe(0);
    expect(convsentSuccess('neutral', 'negative', true)).toBe(0);
  });
});

describe('KL divergence (ConvSent locality)', () => {
  const log = (ps: number[]) => ps.map(Math.log);

  it('is 0 for equal distributions and matches a hand computation otherwise', () => {
    expect(klDivergence(log([0.5, 0.5]), log([0.5, 0.5]))).toBe(0);
    // 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75)
    expect(klDivergence(log([0.5, 0.5]), log([0.25, 0.75]))).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 12);
    // Not symmetric: KL(p‖q) ≠ KL(q‖p).
    expect(klDivergence(log([0.9, 0.1]), log([0.5, 0.5]))).not.toBeCloseTo(klDivergence(log([0.5, 0.5]), log([0.9, 0.1])), 3);
    // A zero-probability token of p adds nothing.
    expect(klDivergence([0, -Infinity], log([0.5, 0.5]))).toBeCloseTo(Math.log(2), 12);
  });

  it('averages over positions and refuses mismatched inputs', () => {
    const same = log([0.2, 0.8]);
    expect(meanPositionKl([same, log([0.5, 0.5])], [same, log([0.25, 0.75])])).toBeCloseTo((0.5 * Math.log(2) + 0.5 * Math.log(2 / 3)) / 2, 12);
    expect(() => meanPositionKl([same], [])).toThrow('positions');
    expect(() => klDivergence([0], [0, 0])).toThrow('vocabularies');
  });

  it('log-softmax gives a distribution, also for large logits', () => {
    const row = logSoftmax(new Float32Array([1000, 1000, 0]));
    expect(Math.exp(row[0]) + Math.exp(row[1]) + Math.exp(row[2])).toBeCloseTo(1, 12);
    expect(row[0]).toBeCloseTo(Math.log(0.5), 6);
  });
});
