import { join } from 'node:path';
import type { LlamaConfig } from '../../models/config';
import { LanguageModel, rightPadded } from '../../models/language-model';
import { randomShapeWeights } from '../../models/random-shapes';
import { loadTokenizer } from '../../models/tokenizer';
import { grad } from '../../runtime/autodiff/grad';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { Graph } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import { SessionManager } from '../../runtime/session/session-manager';
import { counterfactRequests, REPO_ROOT } from '../../../test/support/fixture-context';
import { appendValueLoss, buildRows, valueLossFeeds, valueLossGraph, valuePrefixGraph } from './value-optimizer';
import { suffixFeeds, suffixLayout } from './value-suffix';

jest.setTimeout(120_000);

const sessions = new SessionManager({});
afterAll(() => sessions.close());

const LAYER = 0;

// The windows on a Llama: RoPE needs each window token's absolute position, and the cache holds grouped keys and values.
describe('value optimisation windows on a Llama model', () => {
  it('give the loss and δ-gradient of the full computation', async () => {
    const tokenizer = await loadTokenizer(join(REPO_ROOT, 'models', 'fixture'));
    const config: LlamaConfig = { family: 'llama', modelType: 'llama', vocabSize: tokenizer.vocabSize, maxPositions: 256, dModel: 64, layers: 3, heads: 4, kvHeads: 2, headDim: 16, dFF: 96, rmsNormEps: 1e-6, ropeTheta: 10000, attentionBias: false, mlpBias: false, activation: 'silu', tieWordEmbeddings: false };
    const model = new LanguageModel(config, randomShapeWeights(config, 3, 'float32'), sessions);
    const requests = counterfactRequests(2).map((r) => ({ prompt: r.prompt, subject: r.subject!, target: r.target_new }));
    const rows = requests.flatMap((r) => buildRows(tokenizer, r, ['{}', 'A few words of context here. {}']));
    const owners = requests.flatMap((_, n) => [n, n, n]);
    const d = config.dModel;
    const width = Math.max(...rows.map((r) => r.ids.length));
    const { feeds: padded } = rightPadded(rows.map((r) => r.ids));
    const layout = suffixLayout(rows);
    expect(new Set(layout.starts).size).toBeGreaterThan(1);
    const delta = Float32Array.from({ length: d }, (_, j) => 2 * Math.sin(1.3 * j));

    // The optimisation's path: prefix once, the layers above over the windows with the cache.
    const prefix = await (await valuePrefixGraph(model, LAYER, 'resid')).run({ ...padded, ...model.emptyCache(rows.length) });
    const { feeds, base } = suffixFeeds(layout, prefix, [1, 2]);
    const start = hostTensor('float32', [rows.length, layout.width, d]);
    (start.data as Float32Array).set(base);
    rows.forEach((_, b) => delta.forEach((x, j) => ((start.data as Float32Array)[b * layout.width * d + j] += x)));
    const windowLoss = valueLossFeeds(rows, layout.width, config.vocabSize, 0.5, owners, layout.starts);
    const fullLoss = valueLossFeeds(rows, width, config.vocabSize, 0.5, owners);
    const cached = await (await valueLossGraph(model, LAYER)).run({ ...feeds, ...windowLoss.feeds, 'resid.start': start });
    windowLoss.setInitial(cached.kl_logp.data as Float32Array);
    fullLoss.setInitial(cached.kl_logp.data as Float32Array); // the same p₀ for both, so the KL terms compare

    // The full computation: every layer from the embeddings, δ through `resid.add`, logits everywhere.
    const full = await model.compileOnce('test-llama-value-full', () => {
      const forward = model.buildForward({ logits: 'all', residualAdd: [LAYER] }, new Graph('llama_value_full'));
      const g = forward.graph;
      const logits = op.gather(op.reshape(forward.logits!, [-1, config.vocabSize]), g.input('logits.positions', 'int64', ['positions']));
      const { nll, kl } = appendValueLoss(g, logits, config.vocabSize);
      g.output(nll, 'nll');
      g.output(kl, 'kl');
      g.output(grad(op.add(nll, kl), [forward.residualAdds.get(LAYER)!])[0], 'grad');
      return g;
    });
    const added = hostTensor('float32', [rows.length, width, d]);
    rows.forEach((r, b) => delta.forEach((x, j) => ((added.data as Float32Array)[(b * width + r.subjectIndex) * d + j] = x)));
    const reference = await full.run({ ...padded, ...fullLoss.feeds, [`resid.add.${LAYER}`]: added });
    const again = await (await valueLossGraph(model, LAYER)).run({ ...feeds, ...windowLoss.feeds, 'resid.start': start });

    const scalar = (t: HostTensor) => t.data[0] as number;
    expect(Math.abs(scalar(again.nll) - scalar(reference.nll)) / scalar(reference.nll)).toBeLessThan(1e-5);
    expect(Math.abs(scalar(again.kl) - scalar(reference.kl))).toBeLessThan(1e-5);
    const windowGrad = again.grad.data as Float32Array;
    const fullGrad = reference.grad.data as Float32Array;
    let [difference, scale] = [0, 0];
    rows.forEach((r, b) => {
      for (let j = 0; j < d; j++) {
        difference = Math.max(difference, Math.abs(windowGrad[b * layout.width * d + j] - fullGrad[(b * width + r.subjectIndex) * d + j]));
        scale = Math.max(scale, Math.abs(fullGrad[(b * width + r.subjectIndex) * d + j]));
      }
    });
    expect(difference / scale).toBeLessThan(1e-4);
  });
});
