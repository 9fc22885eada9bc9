import { rightPadded } from '../../models/language-model';
import { grad } from '../../runtime/autodiff/grad';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { Graph } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import { SessionManager } from '../../runtime/session/session-manager';
import type { EditContext } from '../edit-method';
import { counterfactRequests, fixtureContext } from '../../../test/support/fixture-context';
import { maxRelative } from '../../../test/support/max-relative';
import { contextTemplates } from './context-templates';
import { contextTemplatesSchema } from './hparams';
import { appendValueLoss, buildRows, valueLossFeeds, valueLossGraph, valuePrefixGraph, type Row } from './value-optimizer';
import { suffixFeeds, suffixLayout, type SuffixLayout } from './value-suffix';

jest.setTimeout(120_000);

const sessions = new SessionManager({});
let context: EditContext;
afterAll(() => sessions.close());

const LAYER = 1;
const KL_FACTOR = 0.5; // larger than the default so the KL term weighs in the comparison

interface Setup {
  rows: Row[];
  width: number;
  padded: Record<string, HostTensor>;
  /** Read positions in the full rows (the reference computation). */
  loss: ReturnType<typeof valueLossFeeds>;
  /** Each row's window from its subject token, and the read positions in the windows (the optimisation's path). */
  layout: SuffixLayout;
  windowLoss: ReturnType<typeof valueLossFeeds>;
}

let setup: Setup;

beforeAll(async () => {
  context = await fixtureContext(sessions);
  const [request] = counterfactRequests(1);
  const templates = await contextTemplates(context.model, context.tokenizer, contextTemplatesSchema.parse({ count: 2 }));
  const rows = buildRows(context.tokenizer, { prompt: request.prompt, subject: request.subject!, target: request.target_new }, templates);
  const width = Math.max(...rows.map((r) => r.ids.length));
  const { feeds: padded } = rightPadded(rows.map((r) => r.ids));
  const loss = valueLossFeeds(rows, width, context.model.config.vocabSize, KL_FACTOR);
  const layout = suffixLayout(rows);
  const windowLoss = valueLossFeeds(rows, layout.width, context.model.config.vocabSize, KL_FACTOR, undefined, layout.starts);
  setup = { rows, width, padded, loss, layout, windowLoss };
  // The rows' subjects sit at different positions, so the cache is padded and masked.
  expect(new Set(layout.starts).size).toBeGreaterThan(1);
  // p₀: the distributions at δ = 0 (as optimizeValue takes them at step 0); both read the same positions in the same order.
  const out = await run(new Float32Array(context.model.config.dModel));
  setup.loss.setInitial(out.kl_logp.data as Float32Array);
  setup.windowLoss.setInitial(out.kl_logp.data as Float32Array);
});

/** A fixed δ of about the size the optimisation reaches. */
function someDelta(scale: number): Float32Array {
  const d = context.model.config.dModel;
  return Float32Array.from({ length: d }, (_, j) => scale * Math.sin(1.7 * j + 0.3));
}

/**
 * The δ-gradient summed over the rows' subject tokens, as optimizeValue does: in the full rows
 * (`width` wide, subject at its index) or in the windows (which start at the subject token).
 */
function deltaGradient(g: Float32Array, inWindows = true): Float64Array {
  const d = context.model.config.dModel;
  const out = new Float64Array(d);
  setup.rows.forEach((r, b) => {
    const at = inWindows ? b * setup.layout.width * d : (b * setup.width + r.subjectIndex) * d;
    for (let j = 0; j < d; j++) out[j] += g[at + j];
  });
  return out;
}

/** δ added at each row's subject token of a [rows, width, d] stream (the full rows, from zeros). */
function addAtSubjects(delta: Float32Array): HostTensor {
  const d = context.model.config.dModel;
  const t = hostTensor('float32', [setup.rows.length, setup.width, d]);
  const data = t.data as Float32Array;
  setup.rows.forEach((r, b) => {
    const at = (b * setup.width + r.subjectIndex) * d;
    for (let j = 0; j < d; j++) data[at + j] += delta[j];
  });
  return t;
}

/**
 * The optimisation's own path: the frozen prefix once over the full rows, then the layers above
 * over each row's window with the earlier tokens' keys and values cached, logits at the read positions.
 */
async function run(delta: Float32Array): Promise<Record<string, HostTensor>> {
  const { model } = context;
  const prefix = await (await valuePrefixGraph(model, LAYER, 'mlp.out')).run({ ...setup.padded, ...model.emptyCache(setup.rows.length) });
  const above = Array.from({ length: model.config.layers - 1 - LAYER }, (_, i) => LAYER + 1 + i);
  const { feeds, base } = suffixFeeds(setup.layout, prefix, above);
  const d = model.config.dModel;
  const start = hostTensor('float32', [setup.rows.length, setup.layout.width, d]);
  const data = start.data as Float32Array;
  data.set(base);
  setup.rows.forEach((_, b) => {
    for (let j = 0; j < d; j++) data[b * setup.layout.width * d + j] += delta[j];
  });
  const compiled = await valueLossGraph(model, LAYER);
  return compiled.run({ ...feeds, ...setup.windowLoss.feeds, 'resid.start': start });
}

/** The full computation: every layer from the embeddings, logits at every position, δ through `resid.add`. */
async function runFull(delta: Float32Array): Promise<Record<string, HostTensor>> {
  const { model } = context;
  const compiled = await model.compileOnce(`test-value-full:${LAYER}`, () => {
    const forward = model.buildForward({ logits: 'all', residualAdd: [LAYER] }, new Graph('value_full'));
    const g = forward.graph;
    const at = g.input('logits.positions', 'int64', ['positions']);
    const logits = op.gather(op.reshape(forward.logits!, [-1, model.config.vocabSize]), at);
    const { nll, kl } = appendValueLoss(g, logits, model.config.vocabSize);
    const [gradient] = grad(op.add(nll, kl), [forward.residualAdds.get(LAYER)!]);
    g.output(nll, 'nll');
    g.output(kl, 'kl');
    g.output(gradient, 'grad');
    return g;
  });
  return compiled.run({ ...setup.padded, ...setup.loss.feeds, [`resid.add.${LAYER}`]: addAtSubjects(delta) });
}


describe('value optimisation loss', () => {
  it('with the frozen prefix cached, the layers above run over the windows only and logits only where read, gives the loss and δ-gradient of the full computation', async () => {
    const delta = someDelta(4);
    const [cached, full] = [await run(delta), await runFull(delta)];
    const scalar = (t: HostTensor) => t.data[0] as number;
    expect(scalar(full.kl)).toBeGreaterThan(1e-4); // the KL term is really in play
    expect(Math.abs(scalar(cached.nll) - scalar(full.nll)) / scalar(full.nll)).toBeLessThan(1e-5);
    expect(Math.abs(scalar(cached.kl) - scalar(full.kl)) / scalar(full.kl)).toBeLessThan(1e-4);
    expect(cached.grad.shape).toEqual([setup.rows.length, setup.layout.width, context.model.config.dModel]);
    expect(setup.layout.width).toBeLessThan(setup.width); // the windows are really shorter
    expect(maxRelative(deltaGradient(cached.grad.data as Float32Array), deltaGradient(full.grad.data as Float32Array, false))).toBeLessThan(1e-4);
  });

  it('is KL(p ‖ p₀) as in ROME (Σ p·(log p − log p₀), p the edited distribution), not KL(p₀ ‖ p)', async () => {
    const vocab = context.model.config.vocabSize;
    const out = await run(someDelta(4));
    const logp = out.kl_logp.data as Float32Array;
    const logp0 = setup.windowLoss.feeds.kl_logp0.data as Float32Array;
    const weights = setup.windowLoss.feeds.kl_weight.data as Float32Array;
    let [forward, reverse] = [0, 0];
    weights.forEach((w, i) => {
      for (let v = 0; v < vocab; v++) {
        const [lp, lp0] = [logp[i * vocab + v], logp0[i * vocab + v]];
        forward += w * Math.exp(lp) * (lp - lp0);
        reverse += w * Math.exp(lp0) * (lp0 - lp);
      }
    });
    expect(Array.from(weights.filter((w) => w > 0))).toEqual([KL_FACTOR]); // one "<subject> is a" row
    const kl = out.kl.data[0] as number;
    expect(Math.abs(kl - forward) / forward).toBeLessThan(1e-4);
    expect(Math.abs(forward - reverse) / forward).toBeGreaterThan(1e-3); // the two directions are told apart
  });

  it('has the gradient of its loss (central differences along the gradient)', async () => {
    const delta = someDelta(4);
    const g = deltaGradient((await run(delta)).grad.data as Float32Array);
    const length = Math.hypot(...g);
    const eps = 0.1; // the loss is float32: a smaller step drowns in its rounding
    const loss = async (t: number) => {
      const out = await run(Float32Array.from(delta, (x, j) => x + (t * g[j]) / length));
      return (out.nll.data[0] as number) + (out.kl.data[0] as number);
    };
    const numeric = ((await loss(eps)) - (await loss(-eps))) / (2 * eps);
    expect(Math.abs(numeric - length) / length).toBeLessThan(1e-2);
  });
});
