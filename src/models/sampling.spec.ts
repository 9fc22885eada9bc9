import { mulberry32 } from '../runtime/random';
import { adjustedLogits, sampleToken, tokenLogprob } from './sampling';

const logits = Float32Array.of(2, 1, 0, -1, 3);
const softmax = (values: Float32Array, temperature: number) => {
  const e = Array.from(values, (v) => Math.exp(v / temperature));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
};
const frequencies = (options: Parameters<typeof sampleToken>[1], draws = 40_000) => {
  const random = mulberry32(11);
  const counts = new Array(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(logits, options, random)]++;
  return counts.map((c) => c / draws);
};

describe('sampling the next token', () => {
  it('takes the argmax when greedy or without a temperature', () => {
    expect(sampleToken(logits, { greedy: true, temperature: 1 }, Math.random)).toBe(4);
    expect(sampleToken(logits, {}, Math.random)).toBe(4);
    expect(sampleToken(logits, { temperature: 0 }, Math.random)).toBe(4);
  });

  it('draws from softmax(logits / temperature)', () => {
    for (const temperature of [1, 0.5, 2]) {
      const expected = softmax(logits, temperature);
      frequencies({ temperature }).forEach((f, i) => expect(Math.abs(f - expected[i])).toBeLessThan(0.01));
    }
  });

  it('keeps only the nucleus with topP, renormalised', () => {
    // Probabilities at T = 1: 0.636 (token 4), 0.234 (0), 0.086 (1), 0.032, 0.012.
    const p = softmax(logits, 1);
    const f = frequencies({ temperature: 1, topP: 0.8 });
    expect(f[1] + f[2] + f[3]).toBe(0); // 0.636 + 0.234 reaches 0.8: the rest is cut
    expect(Math.abs(f[4] - p[4] / (p[4] + p[0]))).toBeLessThan(0.01);
    // The first token is always kept, however small topP is.
    expect(frequencies({ temperature: 1, topP: 0.01 }, 100)[4]).toBe(1);
  });

  it('is reproducible from a seed', () => {
    const run = () => {
      const random = mulberry32(3);
      return Array.from({ length: 20 }, () => sampleToken(logits, { temperature: 1.3, topP: 0.95 }, random));
    };
    expect(run()).toEqual(run());
  });

  it("applies OpenAI's penalties to tokens already generated, and the logit bias", () => {
    const counts = new Map([[4, 2], [0, 1]]);
    const row = adjustedLogits(logits, { presencePenalty: 0.5, frequencyPenalty: 1, logitBias: new Map([[3, 10]]) }, counts);
    expect(Array.from(row)).toEqual([2 - 1 - 0.5, 1, 0, -1 + 10, 3 - 2 - 0.5]);
    expect(Array.from(logits)).toEqual([2, 1, 0, -1, 3]); // the model's row is left alone
    expect(adjustedLogits(logits, { presencePenalty: 0, frequencyPenalty: 0 }, counts)).toBe(logits);
    expect(adjustedLogits(logits, { frequencyPenalty: 1 }, new Map())).toBe(logits);
  });

  it('gives log-probabilities that sum to one, with the top alternatives in order', () => {
    const p = softmax(logits, 1);
    const { logprob, top } = tokenLogprob(logits, 1, 3);
    expect(logprob).toBeCloseTo(Math.log(p[1]), 6);
    expect(top.map((t) => t.token)).toEqual([4, 0, 1]);
    top.forEach((t) => expect(t.logprob).toBeCloseTo(Math.log(p[t.token]), 6));
    expect(tokenLogprob(logits, 2, 0).top).toEqual([]);
    expect(tokenLogprob(logits, 2, 10).top).toHaveLength(5);
  });
});
