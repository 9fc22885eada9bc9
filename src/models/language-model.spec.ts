import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { grad } from '../runtime/autodiff/grad';
import { hostTensor, type HostTensor } from '../runtime/graph/dtype';
import { mulberry32 } from '../runtime/random';
import * as op from '../runtime/ops';
import { SessionManager } from '../runtime/session/session-manager';
import { loadCheckpoint } from './checkpoint/checkpoint';
import { LanguageModel } from './language-model';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'models');

interface Reference {
  input_ids: number[][];
  logits: number[][][];
  hidden_states: Record<string, number[][]>;
  greedy: { prompt_ids: number[]; generated_ids: number[] };
}

const sessions = new SessionManager({ threads: 2 });
afterAll(() => sessions.close());

async function fixture(name: string): Promise<{ model: LanguageModel; reference: Reference }> {
  const dir = join(FIXTURES, name);
  const { config, weights } = await loadCheckpoint(dir);
  return { model: new LanguageModel(config, weights, sessions), reference: JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2', 'tiny-llama-fp16', 'tiny-llama-bf16'])('%s against the PyTorch reference', (name) => {
  it('produces the same logits (max |Δ| <= 1e-3)', async () => {
    const { model, reference } = await fixture(name);
    const logits = await model.logits(reference.input_ids);
    expect(logits.shape).toEqual([2, 7, 96]);
    expect(maxAbsDiff(logits.data as Float32Array, reference.logits.flat(2))).toBeLessThanOrEqual(1e-3);
  });

  it('produces the same block outputs', async () => {
    const { model, reference } = await fixture(name);
    for (const layer of [0, 1]) {
      const hidden = await model.hidden(reference.input_ids, { kind: 'resid', layer }, -1);
      const expected = reference.hidden_states[`layer_${layer}_output_last_token`];
      expect(maxAbsDiff([...hidden[0], ...hidden[1]], expected.flat())).toBeLessThanOrEqual(1e-3);
    }
  });

  it('generates the same greedy continuation with the KV cache', async () => {
    const { model, reference } = await fixture(name);
    const [generated] = await model.generate([reference.greedy.prompt_ids], { maxNewTokens: reference.greedy.generated_ids.length });
    expect(generated).toEqual(reference.greedy.generated_ids);
  });
});

describe.each(['tiny-gpt2', 'tiny-llama'])('%s decoding', (name) => {
  it('gives the same logits with the KV cache as with full recomputation (max |Δ| <= 1e-4)', async () => {
    const { model } = await fixture(name);
    const tokens = [5, 9, 33, 2, 71, 40, 18, 64, 7, 90];
    const full = await model.logits([tokens]);
    const vocab = full.shape[2];
    const { compiled } = await model.forward({ cache: true, logits: 'last' });
    let past: Record<string, HostTensor> = {};
    const layers = model.config.layers;
    const kv = model.config.family === 'llama' ? model.config.kvHeads : model.config.heads;
    const headDim = model.config.family === 'llama' ? model.config.headDim : model.config.dModel / model.config.heads;
    for (let l = 0; l < layers; l++) {
      past[`past.${l}.key`] = hostTensor('float32', [1, kv, 0, headDim]);
      past[`past.${l}.value`] = hostTensor('float32', [1, kv, 0, headDim]);
    }
    const prefill = 4;
    let worst = 0;
    for (let end = prefill; end <= tokens.length; end++) {
      const start = end === prefill ? 0 : end - 1;
      const out = await compiled.run({
        input_ids: hostTensor('int64', [1, end - start], tokens.slice(start, end)),
        attention_mask: hostTensor('int64', [1, end], Array(end).fill(1)),
        position_ids: hostTensor('int64', [1, end - start], Array.from({ length: end - start }, (_, i) => start + i)),
        ...past,
      });
      const expected = (full.data as Float32Array).subarray((end - 1) * vocab, end * vocab);
      worst = Math.max(worst, maxAbsDiff(out.logits.data as Float32Array, expected));
      past = {};
      for (let l = 0; l < layers; l++) {
        past[`past.${l}.key`] = out[`present.${l}.key`];
        past[`past.${l}.value`] = out[`present.${l}.value`];
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  it('gives a padded batch the same results as its prompts one by one', async () => {
    const { model } = await fixture(name);
    const prompts = [[4, 8, 15, 16, 23, 42], [7, 3], [88, 1, 19, 60]];
    const batched = await model.logits(prompts);
    const [, width, vocab] = batched.shape;
    for (const [b, prompt] of prompts.entries()) {
      const alone = await model.logits([prompt]);
      const rows = (batched.data as Float32Array).subarray(b * width * vocab, (b * width + prompt.length) * vocab);
      expect(maxAbsDiff(rows, alone.data as Float32Array)).toBeLessThanOrEqual(1e-4);
    }
    const together = await model.generate(prompts, { maxNewTokens: 5 });
    for (const [b, prompt] of prompts.entries()) expect(together[b]).toEqual((await model.generate([prompt], { maxNewTokens: 5 }))[0]);
  });

  it('reads taps from the prefill of a padded batch as an uncached pass does, then continues as generate does', async () => {
    const { model } = await fixture(name);
    const prompts = [[4, 8, 15, 16, 23, 42], [7, 3], [88, 1, 19, 60]];
    const tap = { kind: 'resid' as const, layer: 0 };
    const prefilled = await model.prefill(prompts, { taps: [tap] });
    for (const position of [-1, 'mean' as const, 0]) {
      const expected = await model.hidden(prompts, tap, position);
      prefilled.hidden(tap, position).forEach((key, b) => expect(maxAbsDiff(key, expected[b])).toBeLessThanOrEqual(1e-4));
    }
    expect(() => prefilled.hidden({ kind: 'resid', layer: 1 })).toThrow('the prefill did not read tap.resid.1');
    const continued = await prefilled.continue({ maxNewTokens: 5 });
    expect(continued).toEqual(await model.generate(prompts, { maxNewTokens: 5 }));
    await expect(prefilled.continue({ maxNewTokens: 5 })).rejects.toThrow('a prefilled generation continues once');
    const sampled = { maxNewTokens: 6, temperature: 0.9, seed: 3 };
    expect(await (await model.prefill(prompts, { taps: [tap] })).continue(sampled)).toEqual(await model.generate(prompts, sampled));
  });

  it('scores targets by teacher forcing', async () => {
    const { model } = await fixture(name);
    const prompt = [10, 20, 30];
    const [continuation] = await model.generate([prompt], { maxNewTokens: 3, stopIds: [] });
    const [score] = await model.scoreTargets([{ prompt, target: continuation }]);
    expect(score.argmax).toEqual(continuation); // greedy tokens are the argmax under teacher forcing
    expect(score.accuracy).toBe(1);
    expect(score.logprobs.every((lp) => lp < 0)).toBe(true);
    const [wrong] = await model.scoreTargets([{ prompt, target: continuation.map((t) => (t + 1) % 96) }]);
    expect(wrong.accuracy).toBe(0);
  });

  it("reports each generated token's log-probability as teacher forcing scores it, with the top alternatives", async () => {
    const { model } = await fixture(name);
    const prompt = [10, 20, 30];
    const steps: Array<{ logprob: number; top: Array<{ token: number; logprob: number }> }> = [];
    const [continuation] = await model.generate([prompt], { maxNewTokens: 4, stopIds: [], logprobs: 3, onStep: (_, logprobs) => void (logprobs[0] && steps.push(logprobs[0])) });
    const [score] = await model.scoreTargets([{ prompt, target: continuation }]);
    expect(steps).toHaveLength(continuation.length);
    steps.forEach((step, i) => {
      expect(step.logprob).toBeCloseTo(score.logprobs[i], 4);
      expect(step.top.map((t) => t.token)[0]).toBe(continuation[i]); // greedy: the chosen token is the most probable
      expect(step.top).toHaveLength(3);
      expect(step.top[0].logprob).toBeGreaterThanOrEqual(step.top[1].logprob);
      expect(step.top[1].logprob).toBeGreaterThanOrEqual(step.top[2].logprob);
    });
  });

  it('penalises tokens already generated and honours a logit bias', async () => {
    const { model } = await fixture(name);
    const prompt = [10, 20, 30];
    const [plain] = await model.generate([prompt], { maxNewTokens: 12, stopIds: [] });
    const [penalised] = await model.generate([prompt], { maxNewTokens: 12, stopIds: [], frequencyPenalty: 100 });
    // With a huge frequency penalty a greedy sequence never repeats a token.
    expect(new Set(penalised).size).toBe(penalised.length);
    expect(penalised[0]).toBe(plain[0]); // nothing generated yet: nothing penalised
    const [banned] = await model.generate([prompt], { maxNewTokens: 3, stopIds: [], logitBias: new Map([[plain[0], -100]]) });
    expect(banned[0]).not.toBe(plain[0]);
    const [forced] = await model.generate([prompt], { maxNewTokens: 3, stopIds: [], logitBias: new Map([[7, 100]]) });
    expect(forced).toEqual([7, 7, 7]);
  });

  it('stops the sequences onStep marks, and only those', async () => {
    const { model } = await fixture(name);
    const prompts = [[10, 20, 30], [5, 6]];
    const full = await model.generate(prompts, { maxNewTokens: 5, stopIds: [] });
    const cut = await model.generate(prompts, { maxNewTokens: 5, stopIds: [], onStep: (tokens) => tokens.map((_, b) => b === 0) });
    expect(cut[0]).toEqual(full[0].slice(0, 1));
    expect(cut[1]).toEqual(full[1]);
  });
});

describe('edit hooks', () => {
  it('rank-0 deltas change nothing; a delta equals the same update merged into the weights', async () => {
    const { model } = await fixture('tiny-gpt2');
    const sequences = [[3, 17, 42, 8], [60, 5, 5, 77]];
    const plain = await model.logits(sequences);
    const noEdits = await model.logits(sequences, [new Map(), new Map()]);
    expect(maxAbsDiff(noEdits.data as Float32Array, plain.data as Float32Array)).toBe(0);

    // A rank-2 delta on layer 1 for the first sequence only.
    const random = mulberry32(5);
    const u = hostTensor('float32', [16, 2], Array.from({ length: 32 }, () => random() - 0.5));
    const v = hostTensor('float32', [64, 2], Array.from({ length: 128 }, () => random() - 0.5));
    const edited = await model.logits(sequences, [new Map([[1, { u, v }]]), new Map()]);
    const perSequence = 4 * 96;
    const data = edited.data as Float32Array;
    expect(maxAbsDiff(data.subarray(perSequence), (plain.data as Float32Array).subarray(perSequence))).toBe(0);
    expect(maxAbsDiff(data.subarray(0, perSequence), (plain.data as Float32Array).subarray(0, perSequence))).toBeGreaterThan(1e-3);

    // The same update merged into c_proj ([d_ff, d_model], y = k·W): W' = W + V·Uᵀ.
    const name = 'h.1.mlp.c_proj.weight';
    const merged = new Map(model.weights);
    const w = model.weights.get(name)!;
    const updated = hostTensor('float32', w.shape, Array.from(w.data as Float32Array));
    const [ud, vd, out] = [u.data as Float32Array, v.data as Float32Array, updated.data as Float32Array];
    for (let i = 0; i < 64; i++) for (let j = 0; j < 16; j++) out[i * 16 + j] += vd[i * 2] * ud[j * 2] + vd[i * 2 + 1] * ud[j * 2 + 1];
    merged.set(name, updated);
    const committed = await new LanguageModel(model.config, merged, sessions).logits([sequences[0]]);
    expect(maxAbsDiff(committed.data as Float32Array, data.subarray(0, perSequence))).toBeLessThanOrEqual(1e-5);
  });
});

describe.each(['tiny-gpt2', 'tiny-llama'])('%s residual replacement at the prompt end (GRACE)', (name) => {
  const prompt = [4, 8, 15, 16, 23];
  const target = [42, 7, 3];

  it('replacing a state with itself changes nothing; another state (at layer 0 of 2) changes only the prompt end onwards', async () => {
    const { model } = await fixture(name);
    const [own] = await model.hidden([prompt], { kind: 'resid', layer: 0 }, -1);
    const sequence = [...prompt, ...target];
    const plain = (await model.logits([sequence])).data as Float32Array;
    const same = (await model.logits([sequence], undefined, { at: [[{ layer: 0, value: own }]], promptEnds: [prompt.length - 1] })).data as Float32Array;
    expect(maxAbsDiff(same, plain)).toBeLessThanOrEqual(1e-5);

    const random = mulberry32(3);
    const other = own.map(() => (random() - 0.5) * 8);
    const replaced = (await model.logits([sequence], undefined, { at: [[{ layer: 0, value: other }]], promptEnds: [prompt.length - 1] })).data as Float32Array;
    const vocab = 96;
    const before = (prompt.length - 1) * vocab;
    expect(maxAbsDiff(replaced.subarray(0, before), plain.subarray(0, before))).toBe(0); // causal: earlier positions untouched
    for (let p = prompt.length - 1; p < sequence.length; p++) {
      expect(maxAbsDiff(replaced.subarray(p * vocab, (p + 1) * vocab), plain.subarray(p * vocab, (p + 1) * vocab))).toBeGreaterThan(1e-3);
    }
  });

  it('is the state the next layer reads: a replaced stream taps as the fed value', async () => {
    const { model } = await fixture(name);
    const value = Float32Array.from({ length: model.config.dModel }, (_, i) => Math.sin(i));
    const { compiled } = await model.forward({ logits: 'none', taps: [{ kind: 'resid', layer: 0 }], residualReplace: [0] });
    const fed = hostTensor('float32', [1, prompt.length, model.config.dModel]);
    (fed.data as Float32Array).set(value, 2 * model.config.dModel);
    const mask = hostTensor('float32', [1, prompt.length]);
    mask.data[2] = 1;
    const feeds = { input_ids: hostTensor('int64', [1, prompt.length], prompt), attention_mask: hostTensor('int64', [1, prompt.length], prompt.map(() => 1)), position_ids: hostTensor('int64', [1, prompt.length], prompt.map((_, i) => i)) };
    const out = await compiled.run({ ...feeds, 'resid.replace.0': fed, 'resid.replace.0.mask': mask });
    const tapped = (out['tap.resid.0'].data as Float32Array).subarray(2 * model.config.dModel, 3 * model.config.dModel);
    expect(maxAbsDiff(tapped, value)).toBeLessThanOrEqual(1e-6);
  });

  it('decodes with the KV cache as with full recomputation, in a padded batch', async () => {
    const { model } = await fixture(name);
    const prompts = [prompt, [7, 3], [88, 1, 19, 60]];
    const random = mulberry32(9);
    const value = Float32Array.from({ length: model.config.dModel }, () => (random() - 0.5) * 6);
    const replacements = [[{ layer: 0, value }], [], [{ layer: 0, value: value.map((x) => -x) }]];
    const cached = await model.generate(prompts, { maxNewTokens: 4, stopIds: [] }, undefined, replacements);
    for (const [b, p] of prompts.entries()) {
      const tokens = [...p];
      for (let step = 0; step < 4; step++) {
        const logits = (await model.logits([tokens], undefined, { at: [replacements[b]], promptEnds: [p.length - 1] })).data as Float32Array;
        const row = logits.subarray((tokens.length - 1) * 96, tokens.length * 96);
        tokens.push(row.indexOf(Math.max(...row)));
      }
      expect(cached[b]).toEqual(tokens.slice(p.length));
    }
    // The replacement matters: the first prompt decodes differently without it.
    expect(cached[0]).not.toEqual((await model.generate([prompt], { maxNewTokens: 4, stopIds: [] }))[0]);
  });
});

describe.each(['tiny-gpt2', 'tiny-llama'])('gradients through %s', (name) => {
  it('match central finite differences for weights and edit factors', async () => {
    const { model } = await fixture(name);
    const weights64 = new Map([...model.weights].map(([k, t]) => [k, hostTensor('float64', t.shape, Array.from(t.data as Float32Array))]));
    const model64 = new LanguageModel(model.config, weights64, sessions);
    const forward = model64.buildForward({ dtype: 'float64', logits: 'all', editHooks: true });
    const g = forward.graph;
    const random = mulberry32(11);
    const logits = forward.logits!;
    const projection = g.constant(hostTensor('float64', [1, 5, 96], Array.from({ length: 480 }, () => random() - 0.5)));
    const loss = op.reduceSum(op.mul(logits, projection));
    const checked = [...forward.weights.keys()].filter((_, i) => i % 3 === 0);
    const deltaU = forward.deltas[0].u;
    const grads = grad(loss, [...checked.map((n) => forward.weights.get(n)!), deltaU]);
    g.output(loss, 'loss');
    grads.forEach((gv, i) => g.output(gv, `grad_${i}`));
    const compiled = await sessions.load(g);
    const feeds: Record<string, HostTensor> = {
      input_ids: hostTensor('int64', [1, 5], [3, 17, 42, 8, 91]),
      attention_mask: hostTensor('int64', [1, 5], [1, 1, 1, 1, 1]),
      position_ids: hostTensor('int64', [1, 5], [0, 1, 2, 3, 4]),
    };
    for (let l = 0; l < model.config.layers; l++) {
      feeds[`delta.${l}.U`] = hostTensor('float64', [1, model.config.dModel, 1], Array.from({ length: model.config.dModel }, () => random() - 0.5));
      feeds[`delta.${l}.V`] = hostTensor('float64', [1, model.config.dFF, 1], Array.from({ length: model.config.dFF }, () => random() - 0.5));
    }
    const analytic = await compiled.run(feeds);
    const tensors = [...checked.map((n) => weights64.get(n)!), feeds['delta.0.U']];
    let worst = 0;
    for (const [k, tensor] of tensors.entries()) {
      for (let s = 0; s < 3; s++) {
        const i = Math.floor(random() * tensor.data.length);
        const values = tensor.data as Float64Array;
        const original = values[i];
        const eps = 1e-6;
        values[i] = original + eps;
        const plus = Number((await compiled.run(feeds)).loss.data[0]);
        values[i] = original - eps;
        const minus = Number((await compiled.run(feeds)).loss.data[0]);
        values[i] = original;
        const numeric = (plus - minus) / (2 * eps);
        const a = (analytic[`grad_${k}`].data as Float64Array)[i];
        worst = Math.max(worst, Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), 1e-3));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  }, 60_000);
});
