import { buildLanguageModelingLoss } from '../../models/training/lm-loss';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { mulberry32 } from '../../runtime/random';
import { SessionManager } from '../../runtime/session/session-manager';
import { combineDeltas } from '../../memory/edit-effects';
import type { EditContext } from '../edit-method';
import { objectiveFeeds } from '../ft/fine-tune';
import { counterfactRequests, fixtureContext } from '../../../test/support/fixture-context';
import { adaloraDelta, adaloraHparams, adaloraMethod, adapterGradients, orthogonalityPenalty } from './adalora';

describe('AdaLoRA on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());
  let context: EditContext;
  beforeAll(async () => {
    context = await fixtureContext(sessions);
  });
  const [request, other] = counterfactRequests(2);
  const MODULE = 'h.1.mlp.c_proj';
  const R = 3;
  const ALPHA = 6;

  /** The training loss of an adapter P·diag(λ)·Q on layer 1 (LoRA's graph with A = P, B = diag(λ)·Q), plus γ·‖PᵀP − I‖² + γ·‖QQᵀ − I‖². */
  async function adapterLoss(p: Float32Array, lambda: Float32Array, q: Float32Array, gamma: number) {
    const { model } = context;
    const { dFF, dModel } = model.config;
    const compiled = await model.compileOnce('spec:adalora-loss', () => buildLanguageModelingLoss(model, { trainable: [], forward: { lora: { targets: [MODULE], rank: R, alpha: ALPHA } } }).graph);
    const b = new Float32Array(R * dModel);
    for (let i = 0; i < R; i++) for (let j = 0; j < dModel; j++) b[i * dModel + j] = lambda[i] * q[i * dModel + j];
    const out = await compiled.run({
      ...objectiveFeeds(context, [request], 'target'),
      [`lora.${MODULE}.A`]: { dtype: 'float32' as const, shape: [dFF, R], data: p },
      [`lora.${MODULE}.B`]: { dtype: 'float32' as const, shape: [R, dModel], data: b },
    });
    const loss = (out.loss.data[0] as number) + gamma * orthogonalityPenalty(p, q, dFF, dModel, R);
    return { loss, grads: adapterGradients({ p, lambda, q }, out[`grad.lora.${MODULE}.A`].data as Float32Array, out[`grad.lora.${MODULE}.B`].data as Float32Array, dFF, dModel, R, gamma) };
  }

  it("P's, λ's and Q's gradients (chain rule through LoRA's graph, and the orthogonality term) match finite differences", async () => {
    const random = mulberry32(11);
    const { dFF, dModel } = context.model.config;
    const p = Float32Array.from({ length: dFF * R }, () => (random() - 0.5) * 0.2);
    const lambda = Float32Array.from({ length: R }, () => 0.5 + random());
    const q = Float32Array.from({ length: R * dModel }, () => (random() - 0.5) * 0.2);
    const base = await adapterLoss(p, lambda, q, 0.1);
    // The penalty is quartic in P and Q, so their steps are small; the loss moves little with λ,
    // so λ's step is large enough to rise above float32 rounding (the loss is linear in each λᵢ's B row).
    for (const [params, grads, eps] of [[p, base.grads.p, 1e-3], [lambda, base.grads.lambda, 1e-1], [q, base.grads.q, 1e-3]] as const) {
      const entries = [...grads.keys()].sort((x, y) => Math.abs(grads[y]) - Math.abs(grads[x])).slice(0, 3);
      for (const i of entries) {
        const saved = params[i];
        params[i] = saved + eps;
        const up = (await adapterLoss(p, lambda, q, 0.1)).loss;
        params[i] = saved - eps;
        const down = (await adapterLoss(p, lambda, q, 0.1)).loss;
        params[i] = saved;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - grads[i]) / Math.abs(grads[i])).toBeLessThan(0.03);
      }
    }
  });

  it('an edit makes the target the answer, within the budget of singular values, with the rank allocated unevenly', async () => {
    const before = new Float32Array(context.model.weights.get('h.1.mlp.c_proj.weight')!.data as Float32Array);
    const hp = adaloraHparams.parse({ layers: [0, 1, 2, 3] });
    const [op] = await adaloraMethod.compute(context, [request], hp);
    if (op.kind !== 'delta') throw new Error('expected a delta');
    const ranks = op.factors.map((f) => f.u.shape[1]);
    // At most the target budget in all (4 adapters × 4 on average), and not the same everywhere.
    expect(ranks.reduce((s, k) => s + k, 0)).toBeLessThanOrEqual(4 * hp.targetRank);
    expect(new Set(ranks).size).toBeGreaterThan(1);
    const probe = tokenizeProbe(context.tokenizer, { prompt: request.prompt, target: request.target_new });
    const [edited, unedited] = await context.model.scoreTargets([probe, probe], [combineDeltas([op]), new Map()]);
    expect(edited.accuracy).toBe(1);
    expect(unedited.accuracy).toBeLessThan(1);
    expect(context.model.weights.get('h.1.mlp.c_proj.weight')!.data).toEqual(before);
    // The same seed trains the same adapter; a batch makes one operation for both requests.
    const [again] = await adaloraMethod.compute(context, [request], hp);
    expect(again.kind === 'delta' && again.factors[0].u.data).toEqual(op.factors[0].u.data);
    const [batch] = await adaloraMethod.compute(context, [request, other], adaloraHparams.parse({}));
    expect(batch.requests).toEqual([0, 1]);
  }, 120_000);

  it('refuses a target rank above the initial one, an empty target and a layer the model lacks', async () => {
    expect(adaloraHparams.safeParse({ initialRank: 4, targetRank: 6 }).error?.issues[0]).toMatchObject({ path: ['targetRank'], message: 'must not exceed initialRank' });
    await expect(adaloraDelta(context, [{ ...request, target_new: ' ' }], adaloraHparams.parse({}), 'adalora')).rejects.toThrow('adalora: request 0: target_new is empty');
    await expect(adaloraDelta(context, [request], adaloraHparams.parse({ layers: [9] }), 'adalora')).rejects.toThrow('adalora: layer 9 does not exist (the model has 4)');
  });
});
