import { mulberry32 } from '../runtime/random';
import { sampleToken } from './sampling';

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
});
