import type { LanguageModel } from '../../models/language-model';
import { rightPadded } from '../../models/language-model';
import { tapName } from '../../models/graph/forward-options';
import { grad } from '../../runtime/autodiff/grad';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { Graph, type Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import type { CompiledGraph } from '../../runtime/session/session-manager';

/**
 * MEND's raw material (Mitchell et al. 2022, §3.1): the fine-tuning gradient of an MLP output
 * projection W is Σ_i x_i δ_iᵀ over the tokens i, x_i the projection's input (the MLP key,
 * d_ff wide) and δ_i the gradient of the loss with respect to its output (d_model). This graph
 * gives both factors per token, never the product: the keys are a tap, and δ is the gradient
 * with respect to a zero fed into the residual stream right after the MLP (`resid.add.{l}`),
 * which is the MLP's output gradient because the block adds its MLP output there.
 * Loss: −Σ w·log p(target) at `logits.positions` (the edit's target tokens).
 */
export function editGradientGraph(model: LanguageModel, layers: readonly number[]): Promise<CompiledGraph> {
  return model.compileOnce(`mend-grad:${layers.join(',')}`, () => {
    const forward = model.buildForward(
      { logits: 'gathered', taps: layers.map((layer) => ({ kind: 'mlp.key' as const, layer })), residualAdd: [...layers] },
      new Graph(`${model.config.modelType}_mend_edit_gradient`),
    );
    const g = forward.graph;
    const nll = weightedNll(g, forward.logits!);
    g.output(nll, 'loss');
    const gradients = grad(nll, layers.map((l) => forward.residualAdds.get(l)!));
    layers.forEach((l, i) => {
      g.output(forward.taps.get(tapName({ kind: 'mlp.key', layer: l }))!, `x.${l}`);
      g.output(gradients[i], `delta.${l}`);
    });
    return g;
  });
}

/**
 * The post-edit loss MEND's editor is trained on (§3.2): the model with each row's low-rank
 * delta on the MLP outputs (the edit hooks, `delta.{l}.V|U` per row), −Σ w·log p(target) at the
 * NLL positions (edit and equivalence prompts) plus Σ w·KL(p₀ ‖ p) at the locality positions
 * (p₀ fed as `kl_logp0`, the unedited model's log-probabilities), with the gradient of the sum
 * with respect to every edited layer's factors. Outputs `loss`, `nll`, `kl`, `logp` and
 * `grad.{l}.V|U`.
 */
export function postEditLossGraph(model: LanguageModel, layers: readonly number[]): Promise<CompiledGraph> {
  return model.compileOnce(`mend-post:${layers.join(',')}`, () => {
    const forward = model.buildForward({ logits: 'gathered', editHooks: true }, new Graph(`${model.config.modelType}_mend_post_edit`));
    const g = forward.graph;
    const vocab = model.config.vocabSize;
    const targets = g.input('targets', 'int64', ['positions']);
    const nllWeight = g.input('nll_weight', 'float32', ['positions']);
    const klWeight = g.input('kl_weight', 'float32', ['positions']);
    const logp0 = g.input('kl_logp0', 'float32', ['positions', vocab]);
    const logp = op.logSoftmax(forward.logits!, -1);
    const targetLogp = op.squeeze(op.gatherElements(logp, op.unsqueeze(targets, [1]), 1), [1]);
    const nll = op.neg(op.reduceSum(op.mul(targetLogp, nllWeight)));
    // KL(p₀ ‖ p) = Σ_v p₀·(log p₀ − log p): the paper's L_loc, the unedited distribution first.
    const perPosition = op.reduceSum(op.mul(op.exp(logp0), op.sub(logp0, logp)), [1]);
    const kl = op.reduceSum(op.mul(perPosition, klWeight));
    const loss = op.add(nll, kl);
    g.output(loss, 'loss');
    g.output(nll, 'nll');
    g.output(kl, 'kl');
    g.output(logp, 'logp');
    const wrt: Value[] = layers.flatMap((l) => [forward.deltas[l].v, forward.deltas[l].u]);
    const gradients = grad(loss, wrt);
    layers.forEach((l, i) => {
      g.output(gradients[2 * i], `grad.${l}.V`);
      g.output(gradients[2 * i + 1], `grad.${l}.U`);
    });
    return g;
  });
}

function weightedNll(g: Graph, logits: Value): Value {
  const targets = g.input('targets', 'int64', ['positions']);
  const weight = g.input('nll_weight', 'float32', ['positions']);
  const logp = op.logSoftmax(logits, -1);
  const targetLogp = op.squeeze(op.gatherElements(logp, op.unsqueeze(targets, [1]), 1), [1]);
  return op.neg(op.reduceSum(op.mul(targetLogp, weight)));
}

/** A sequence of the MEND losses: its tokens, and the positions read as NLL targets or KL points. */
export interface LossRow {
  ids: number[];
  /** [position, token, weight]: −weight·log p(token) at the logits of `position`. */
  nll: Array<[number, number, number]>;
  /** [position, weight]: weight·KL(p₀ ‖ p) at `position`. */
  kl: Array<[number, number]>;
}

/**
 * Feeds of either graph for a batch of rows: token ids (right-padded), the gathered positions and
 * their targets and weights. `klRead` lists, per gathered KL position, where its p₀ row goes.
 */
export function lossFeeds(rows: readonly LossRow[], vocab: number): { feeds: Record<string, HostTensor>; width: number; klAt: number[] } {
  const width = Math.max(...rows.map((r) => r.ids.length));
  const at: number[] = [];
  const targets: number[] = [];
  const nllW: number[] = [];
  const klW: number[] = [];
  const klAt: number[] = [];
  rows.forEach((r, b) => {
    for (const [p, token, w] of r.nll) {
      at.push(b * width + p);
      targets.push(token);
      nllW.push(w);
      klW.push(0);
    }
    for (const [p, w] of r.kl) {
      klAt.push(at.length);
      at.push(b * width + p);
      targets.push(0);
      nllW.push(0);
      klW.push(w);
    }
  });
  const n = at.length;
  return {
    width,
    klAt,
    feeds: {
      ...rightPadded(rows.map((r) => r.ids)).feeds,
      'logits.positions': hostTensor('int64', [n], at),
      targets: hostTensor('int64', [n], targets),
      nll_weight: hostTensor('float32', [n], nllW),
      kl_weight: hostTensor('float32', [n], klW),
      kl_logp0: hostTensor('float32', [n, vocab]),
    },
  };
}
