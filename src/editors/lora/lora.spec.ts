import { buildLanguageModelingLoss } from '../../models/training/lm-loss';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { mulberry32 } from '../../runtime/random';
import { SessionManager } from '../../runtime/session/session-manager';
import { combineDeltas } from '../../memory/edit-effects';
import type { EditContext } from '../edit-method';
import { objectiveFeeds } from '../ft/fine-tune';
import { counterfactRequests, fixtureContext } from '../../../test/support/fixture-context';
import { loraDelta, loraHparams, loraMethod } from './lora';

describe('LoRA on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());
  let context: EditContext;
  beforeAll(async () => {
    context = await fixtureContext(sessions);
  });
  const [request, other] = counterfactRequests(2);
  const MODULE = 'h.1.mlp.c_proj';
  const RANK = 3;
  const ALPHA = 6;

  /** The LoRA loss graph for one adapter on layer 1, run with the given factors. */
  async function loraLoss(a: Float32Array, b: Float32Array) {
    const { model } = context;
    const compiled = await model.compileOnce('spec:lora-loss', () => buildLanguageModelingLoss(model, { trainable: [], forward: { lora: { targets: [MODULE], rank: RANK, alpha: ALPHA } } }).graph);
    const feeds = {
      ...objectiveFeeds(context, [request], 'target'),
      [`lora.${MODULE}.A`]: { dtype: 'float32' as const, shape: [model.config.dFF, RANK], data: a },
      [`lora.${MODULE}.B`]: { dtype: 'float32' as const, shape: [RANK, model.config.dModel], data: b },
    };
    const out = await compiled.run(feeds);
    return { loss: out.loss.data[0] as number, gradA: out[`grad.lora.${MODULE}.A`].data as Float32Array, gradB: out[`grad.lora.${MODULE}.B`].data as Float32Array };
  }

  function randomFactors() {
    const random = mulberry32(7);
    const { dFF, dModel } = context.model.config;
    return { a: Float32Array.from({ length: dFF * RANK }, () => (random() - 0.5) * 0.2), b: Float32Array.from({ length: RANK * dModel }, () => (random() - 0.5) * 0.2) };
  }

  it('the adapter path and the edit hook it is returned as give the same loss', async () => {
    const { a, b } = randomFactors();
    const { loss } = await loraLoss(a, b);
    const { dModel } = context.model.config;
    const u = new Float32Array(dModel * RANK);
    for (let r = 0; r < RANK; r++) for (let j = 0; j < dModel; j++) u[j * RANK + r] = (ALPHA / RANK) * b[r * dModel + j];
    const delta = { kind: 'delta' as const, method: 'lora', requests: [0], factors: [{ layer: 1, u: { dtype: 'float32' as const, shape: [dModel, RANK], data: u }, v: { dtype: 'float32' as const, shape: [context.model.config.dFF, RANK], data: a } }] };
    const [scored] = await context.model.scoreTargets([tokenizeProbe(context.tokenizer, { prompt: request.prompt, target: request.target_new })], [combineDeltas([delta])]);
    const hookLoss = -scored.logprobs.reduce((s, x) => s + x, 0) / scored.logprobs.length;
    expect(hookLoss).toBeCloseTo(loss, 4);
  });

  it("the factors' gradients match finite differences", async () => {
    const { a, b } = randomFactors();
    const base = await loraLoss(a, b);
    const eps = 1e-2;
    for (const [params, grads] of [[a, base.gradA], [b, base.gradB]] as const) {
      // The three entries with the largest gradient: where a float32 difference is meaningful.
      const entries = [...grads.keys()].sort((x, y) => Math.abs(grads[y]) - Math.abs(grads[x])).slice(0, 3);
      for (const i of entries) {
        const saved = params[i];
        params[i] = saved + eps;
        const up = (await loraLoss(a, b)).loss;
        params[i] = saved - eps;
        const down = (await loraLoss(a, b)).loss;
        params[i] = saved;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - grads[i]) / Math.abs(grads[i])).toBeLessThan(0.03);
      }
    }
  });

  it('an edit makes the target the answer to its prompt, routed to that prompt only, base weights untouched', async () => {
    const before = new Float32Array(context.model.weights.get('h.1.mlp.c_proj.weight')!.data as Float32Array);
    const [op] = await loraMethod.compute(context, [request], loraHparams.parse({}));
    if (op.kind !== 'delta') throw new Error('expected a delta');
    expect(op.factors.map((f) => [f.layer, f.u.shape, f.v.shape])).toEqual([
      [1, [context.model.config.dModel, 4], [context.model.config.dFF, 4]],
      [2, [context.model.config.dModel, 4], [context.model.config.dFF, 4]],
    ]);
    const probe = tokenizeProbe(context.tokenizer, { prompt: request.prompt, target: request.target_new });
    const [edited, unedited] = await context.model.scoreTargets([probe, probe], [combineDeltas([op]), new Map()]);
    expect(edited.accuracy).toBe(1);
    expect(unedited.accuracy).toBeLessThan(1);
    expect(context.model.weights.get('h.1.mlp.c_proj.weight')!.data).toEqual(before);
    // The same seed trains the same adapter.
    const [again] = await loraMethod.compute(context, [request], loraHparams.parse({}));
    expect(again.kind === 'delta' && again.factors[0].u.data).toEqual(op.factors[0].u.data);
    // A batch: one adapter for both requests.
    const [batch] = await loraMethod.compute(context, [request, other], loraHparams.parse({}));
    expect(batch.requests).toEqual([0, 1]);
  }, 60_000);

  it('refuses an empty target and a layer the model lacks', async () => {
    await expect(loraDelta(context, [{ ...request, target_new: ' ' }], loraHparams.parse({}), 'lora')).rejects.toThrow('lora: request 0: target_new is empty');
    await expect(loraDelta(context, [request], loraHparams.parse({ layers: [9] }), 'lora')).rejects.toThrow('lora: layer 9 does not exist (the model has 4)');
  });
});
