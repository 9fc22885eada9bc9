import { solveSpd, type DenseMatrix } from '../../runtime/linalg';
import { SessionManager } from '../../runtime/session/session-manager';
import { counterfactRequests, fixtureContext } from '../../../test/support/fixture-context';
import { maxRelative } from '../../../test/support/max-relative';
import { commitDelta, snapshotFor } from '../commit-delta';
import type { EditContext } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import { memitHparams, memitSolver } from '../memit/memit';
import { contextTemplates, fillTemplate } from './context-templates';
import { spreadTargets } from './layer-spread';
import { keyMoment, type KeyMoment } from './layer-stats';
import { columns, ridged, toFactor } from './moment-solve';
import { subjectStates } from './subject-states';

jest.setTimeout(300_000);

const sessions = new SessionManager({});
let context: EditContext;
beforeAll(async () => (context = await fixtureContext(sessions)));
afterAll(() => sessions.close());


/** One state at the subject's last token of one text, each text run alone (no batching, no padding). */
async function stateOf(text: string, subject: string, kind: 'mlp.key' | 'resid', layer: number): Promise<Float32Array> {
  const [[state]] = await subjectStates(context.model, context.tokenizer, [{ text, subject }], [{ kind, layer }]);
  return state;
}

describe("MEMIT's spread over the layers", () => {
  it('gives the update of a plain computation of Meng et al. (2023), Alg. 1: keys recomputed after each lower layer, (λC + K·Kᵀ)⁻¹ solved densely', async () => {
    const { model, tokenizer } = context;
    const layers = [1, 2];
    const hp = memitHparams.parse({ layers, contextTemplates: { count: 2 }, keyMoment: { samples: 2048 }, momentWeight: 10 });
    const templates = await contextTemplates(model, tokenizer, hp.contextTemplates);
    const requests = counterfactRequests(3);
    const moments = new Map<number, KeyMoment>();
    for (const layer of layers) moments.set(layer, await keyMoment(model, tokenizer, context.statsCorpus, layer, hp.keyMoment.samples));
    // Targets z: the current state at the last layer moved by a fixed vector per request.
    const zLayer = layers[layers.length - 1];
    const targets: Float32Array[] = [];
    for (const [n, r] of requests.entries()) targets.push((await stateOf(r.prompt, r.subject!, 'resid', zLayer)).map((x, j) => x + 0.5 * Math.sin(0.7 * j + n)));

    const operation = await spreadTargets(context, 'memit', requests, layers, templates, targets, moments, memitSolver(hp), { keysAfter: false });

    // The reference, one text at a time, with the update of each layer committed before the next.
    const restore = snapshotFor(model.config, model.weights, [{ kind: 'delta', method: 'memit', requests: [], factors: layers.map((layer) => ({ layer, u: toFactor({ rows: 0, cols: 0, data: new Float64Array(0) }), v: toFactor({ rows: 0, cols: 0, data: new Float64Array(0) }) })) }]);
    try {
      for (const [i, layer] of layers.entries()) {
        const keys: Float32Array[] = [];
        for (const r of requests) {
          const mean = new Float32Array(model.config.dFF);
          for (const t of templates) (await stateOf(fillTemplate(t, r.prompt), r.subject!, 'mlp.key', layer)).forEach((k, j) => (mean[j] += k / templates.length));
          keys.push(mean);
        }
        const residual: Float32Array[] = [];
        for (const [n, r] of requests.entries()) residual.push((await stateOf(r.prompt, r.subject!, 'resid', zLayer)).map((h, j) => (targets[n][j] - h) / (layers.length - i)));
        const k = columns(keys);
        // λ·(C + ridge) + K·Kᵀ, formed and solved densely (the code solves it through C's factor and Woodbury).
        const a: DenseMatrix = ridged(moments.get(layer)!, hp.keyMoment.ridge, hp.momentWeight);
        const d = k.rows;
        for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) for (let c = 0; c < k.cols; c++) a.data[p * d + q] += k.data[p * k.cols + c] * k.data[q * k.cols + c];
        const v = solveSpd(a, k);
        const factor = operation.factors[i];
        expect(factor.layer).toBe(layer);
        expect(maxRelative(factor.u.data as Float32Array, toFactor(columns(residual)).data)).toBeLessThan(1e-5);
        expect(maxRelative(factor.v.data as Float32Array, toFactor(v).data)).toBeLessThan(1e-5);
        commitDelta(model.config, model.weights, { kind: 'delta', method: 'memit', requests: [], factors: [{ layer, u: toFactor(columns(residual)), v: toFactor(v) }] } as DeltaOperation);
      }
    } finally {
      restore();
    }
  });
});
