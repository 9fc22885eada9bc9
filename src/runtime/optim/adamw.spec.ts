import { AdamW, type NamedTensors, noWeightDecay } from './adamw';
import { adamWStateFromTensors, adamWStateToTensors } from './adamw-checkpoint';
import { HyperparameterError } from './errors';
import { warmupCosine } from './schedule';

const f32 = (...xs: number[]): Float32Array => Float32Array.from(xs);
const grads = (entries: Record<string, number[]>): NamedTensors =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Float32Array.from(v)]));
const bits = (a: Float32Array): number[] => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

/**
 * Float32 results against float64 references: within `rtol` relative error (default 1e-6,
 * about 8 float32 ulps — float32 storage alone costs up to 6e-8 per rounding).
 */
function expectClose(actual: Float32Array, expected: number[], rtol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i] - e)).toBeLessThanOrEqual(rtol * Math.abs(e)));
}

describe('AdamW', () => {
  it('matches hand-computed float64 steps, with bias correction and decoupled weight decay', () => {
    // Reference values computed separately in float64 (Python) from the closed form, for
    // lr α = 0.1, β = (0.9, 0.999), ε = 1e-8, λ = 0.1:
    //   mₜ = β₁mₜ₋₁ + (1−β₁)gₜ,  vₜ = β₂vₜ₋₁ + (1−β₂)gₜ²,
    //   m̂ₜ = mₜ/(1−β₁ᵗ),  v̂ₜ = vₜ/(1−β₂ᵗ),
    //   θₜ = θₜ₋₁ − αλθₜ₋₁ − α m̂ₜ/(√v̂ₜ + ε).
    // Step 1 by hand: m̂₁ = g₁ and v̂₁ = g₁², so θ₁ = 0.99θ₀ − 0.1·sign(g₁) (up to ε):
    //   1 → 0.89,  −2 → −1.88,  0.5 → 0.395.
    const p = f32(1, -2, 0.5);
    const opt = new AdamW(new Map([['w', p]]), { lr: 0.1, weightDecay: 0.1 });

    opt.step(grads({ w: [0.5, -0.25, 0.125] }));
    expectClose(p, [0.890000002, -1.880000004, 0.395000008]);
    expectClose(opt.state().params.get('w')!.expAvg, [0.05, -0.025, 0.0125]);
    expectClose(opt.state().params.get('w')!.expAvgSq, [0.00025, 6.25e-5, 1.5625e-5]);

    opt.step(grads({ w: [-0.25, 1, 0.0625] }));
    expectClose(p, [0.8544662986878463, -1.9171503525963238, 0.29783205347326885]);

    // The zero gradient on w[1] still moves it: m and v carry momentum from earlier steps.
    opt.step(grads({ w: [0.75, 0, -0.5] }));
    expectClose(p, [0.7823896185427717, -1.9412286305942823, 0.3369999368958044]);
    const s = opt.state().params.get('w')!;
    expect(s.step).toBe(3);
    expectClose(s.expAvg, [0.093, 0.06975, -0.03425]);
    expectClose(s.expAvgSq, [0.00087443775, 0.0010613750625, 0.000269496109375]);
    expect(opt.stepCount).toBe(3);
  });

  it('uses the documented defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0.01', () => {
    const opt = new AdamW(new Map());
    expect([opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weightDecay]).toEqual([1e-3, 0.9, 0.999, 1e-8, 0.01]);
    const p = f32(2);
    new AdamW(new Map([['x', p]])).step(grads({ x: [3] }));
    // θ₁ = 2(1 − 1e-3·0.01) − 1e-3·3/(3 + 1e-8)
    expect(p[0]).toBeCloseTo(2 * (1 - 1e-5) - 1e-3 * (3 / (3 + 1e-8)), 6);
  });

  it('keeps weight decay out of the moments, and skips it where paramOptions say so', () => {
    const weight = f32(1, -4);
    const bias = f32(1, -4);
    const opt = new AdamW(
      new Map([
        ['layer.weight', weight],
        ['layer.bias', bias],
      ]),
      { lr: 0.1, weightDecay: 0.5, paramOptions: noWeightDecay((n) => n.endsWith('.bias')) },
    );
    // With zero gradients m = v = 0, so the Adam term is 0/(0 + ε) = 0 and only decay acts:
    // θ ← (1 − αλ)θ per step for the weight, nothing for the bias.
    for (let t = 0; t < 3; t++) opt.step(grads({ 'layer.weight': [0, 0], 'layer.bias': [0, 0] }));
    expectClose(weight, [0.95 ** 3, -4 * 0.95 ** 3]);
    expect([...bias]).toEqual([1, -4]);
    expect([...opt.state().params.get('layer.weight')!.expAvg]).toEqual([0, 0]);

    // Same gradients with and without decay give identical moments (decoupled, not L2).
    const run = (weightDecay: number) => {
      const o = new AdamW(new Map([['w', f32(3, -1)]]), { lr: 0.1, weightDecay });
      for (const g of [[1, 2], [-0.5, 0.25]]) o.step(grads({ w: g }));
      return o.state().params.get('w')!;
    };
    expect(bits(run(0.5).expAvg)).toEqual(bits(run(0).expAvg));
    expect(bits(run(0.5).expAvgSq)).toEqual(bits(run(0).expAvgSq));
  });

  it('applies a per-parameter lrScale to the whole update', () => {
    const a = f32(1);
    const b = f32(1);
    const opt = new AdamW(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      { lr: 0.1, weightDecay: 0, paramOptions: (n) => (n === 'b' ? { lrScale: 0.5 } : undefined) },
    );
    opt.step(grads({ a: [1], b: [1] }));
    expect(a[0]).toBeCloseTo(0.9, 6);
    expect(b[0]).toBeCloseTo(0.95, 6);
  });

  it('converges on an ill-conditioned quadratic with a warmup-cosine schedule', () => {
    // f(x) = ½ Σ aᵢ(xᵢ − cᵢ)², ∇f = a ⊙ (x − c); curvatures span 4 orders of magnitude.
    const a = [100, 1, 0.01];
    const c = [3, -2, 0.5];
    const x = f32(0, 0, 0);
    const opt = new AdamW(new Map([['x', x]]), { weightDecay: 0 });
    const lr = warmupCosine({ peakLr: 0.1, warmupSteps: 20, totalSteps: 600, minLr: 0 });
    const g = new Float32Array(3);
    while (opt.stepCount < 600) {
      for (let i = 0; i < 3; i++) g[i] = a[i] * (x[i] - c[i]);
      opt.step(new Map([['x', g]]), lr(opt.stepCount));
    }
    expectClose(x, c, 1e-3);
  });

  it('resumes from a saved state bit for bit, through the safetensors-friendly form', () => {
    const init = { w: [0.3, -1.2, 2.5, 0], b: [0.1, -0.1] };
    const gradAt = (t: number): NamedTensors =>
      grads({
        w: [Math.sin(t), Math.cos(3 * t), 0.1 * t - 0.5, 1 / (t + 1)],
        ...(t % 3 === 2 ? {} : { b: [Math.sin(7 * t), -0.25] }), // b misses some steps
      });
    const build = (params: Map<string, Float32Array>) =>
      new AdamW(params, { lr: 0.05, weightDecay: 0.1, paramOptions: noWeightDecay((n) => n === 'b') });
    const lr = warmupCosine({ peakLr: 0.05, warmupSteps: 3, totalSteps: 12, minLr: 0.005 });
    const fresh = () => new Map(Object.entries(init).map(([k, v]) => [k, Float32Array.from(v)]));

    const straight = fresh();
    const a = build(straight);
    for (let t = 0; t < 12; t++) a.step(gradAt(t), lr(a.stepCount));

    const first = fresh();
    const b = build(first);
    for (let t = 0; t < 5; t++) b.step(gradAt(t), lr(b.stepCount));
    const snapshot = b.state();
    const { tensors, header } = adamWStateToTensors(snapshot);
    const savedTensors = Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, v.slice()]));
    const savedHeader = JSON.stringify(header);
    const savedParams = new Map([...first].map(([k, v]) => [k, v.slice()]));
    b.step(gradAt(99), 1); // a stray step after saving must not leak into the checkpoint
    expect(snapshot.step).toBe(5);

    const resumedParams = new Map([...savedParams].map(([k, v]) => [k, v.slice()]));
    const c = build(resumedParams);
    c.loadState(adamWStateFromTensors(savedTensors, JSON.parse(savedHeader)));
    expect(c.stepCount).toBe(5);
    for (let t = 5; t < 12; t++) c.step(gradAt(t), lr(c.stepCount));

    for (const name of ['w', 'b']) {
      expect(bits(resumedParams.get(name)!)).toEqual(bits(straight.get(name)!));
      expect(bits(c.state().params.get(name)!.expAvg)).toEqual(bits(a.state().params.get(name)!.expAvg));
      expect(bits(c.state().params.get(name)!.expAvgSq)).toEqual(bits(a.state().params.get(name)!.expAvgSq));
    }
    expect(c.state().params.get('b')!.step).toBe(a.state().params.get('b')!.step);
    expect(a.state().params.get('b')!.step).toBe(8); // 12 steps, 4 without a gradient for b
  });

  it('names the field of a bad hyper-parameter', () => {
    const field = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        if (err instanceof HyperparameterError) return err.field;
        throw err;
      }
      throw new Error('expected a HyperparameterError');
    };
    const none = new Map<string, Float32Array>();
    expect(field(() => new AdamW(none, { lr: -1e-3 }))).toBe('lr');
    expect(field(() => new AdamW(none, { lr: Number.NaN }))).toBe('lr');
    expect(field(() => new AdamW(none, { betas: [1, 0.999] }))).toBe('betas[0]');
    expect(field(() => new AdamW(none, { betas: [0.9, -0.1] }))).toBe('betas[1]');
    expect(field(() => new AdamW(none, { eps: -1 }))).toBe('eps');
    expect(field(() => new AdamW(none, { weightDecay: -0.01 }))).toBe('weightDecay');
    const one = new Map([['w', f32(1)]]);
    expect(field(() => new AdamW(one, { paramOptions: () => ({ weightDecay: -1 }) }))).toBe('w.weightDecay');
    expect(field(() => new AdamW(one).step(grads({ w: [1] }), -0.1))).toBe('lr');
    const opt = new AdamW(one);
    expect(field(() => (opt.lr = Infinity))).toBe('lr');
    expect(() => new AdamW(one, { lr: -1 })).toThrow('invalid lr: must be a finite number >= 0, got -1');
    // betas = 0 is allowed (no averaging), as in PyTorch.
    expect(() => new AdamW(none, { betas: [0, 0] })).not.toThrow();
  });

  it('rejects mismatched gradients and states before changing anything', () => {
    const w = f32(1, 2);
    const opt = new AdamW(new Map([['w', w]]));
    expect(() => opt.step(grads({ w: [1] }))).toThrow('gradient for w must be a Float32Array of length 2');
    expect(() => opt.step(grads({ w: [1, 1], v: [1] }))).toThrow('gradient for unknown parameter v');
    expect([...w]).toEqual([1, 2]);
    expect(opt.stepCount).toBe(0);

    const other = new AdamW(new Map([['v', f32(1, 2)]])).state();
    expect(() => opt.loadState(other)).toThrow('unknown parameter v');
    const short = { step: 1, params: new Map([['w', { step: 1, expAvg: f32(1), expAvgSq: f32(1) }]]) };
    expect(() => opt.loadState(short)).toThrow('w.expAvg must be a Float32Array of length 2');
    expect(opt.state().params.get('w')!.step).toBe(0);
  });
});
