import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { rightPadded, type LanguageModel } from '../../models/language-model';
import { tapName, type TapKind } from '../../models/graph/forward-options';
import type { KedTokenizer } from '../../models/tokenizer';
import { grad } from '../../runtime/autodiff/grad';
import { hostTensor } from '../../runtime/graph/dtype';
import { Graph } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import { AdamW } from '../../runtime/optim';
import type { CompiledGraph } from '../../runtime/session/session-manager';
import { fillTemplate } from './context-templates';
import { subjectLastToken } from './subject-token';

/** ROME's compute_v / MEMIT's compute_z hyper-parameters. */
export interface ValueOptimization {
  /** Gradient steps (forward passes; the last one only measures). */
  steps: number;
  lr: number;
  /** Weight of KL(p₀ ‖ p) on "<subject> is a" at the subject's last token (essence drift). */
  klFactor: number;
  /** Weight of ‖δ‖ / ‖v₀‖² in the loss. */
  weightDecay: number;
  /** ‖δ‖ is clamped to this many times ‖v₀‖. */
  clampNormFactor: number;
  /** Stop early once the loss is below this (ROME: 0.05). */
  lossThreshold: number;
}

export interface ValueTarget {
  /** The state at the subject's last token of the bare prompt before the edit (v₀: MLP output for ROME, residual for MEMIT). */
  initial: Float32Array;
  /** The optimised change: the target is initial + delta. */
  delta: Float32Array;
  /** Loss after each forward pass (NLL of the target + KL + weight decay). */
  losses: number[];
  /** Mean probability of the target tokens under the final delta, over the rewriting prompts. */
  targetProbability: number;
}

const KL_PROMPT = '{} is a';

/**
 * Finds δ such that adding it to the residual stream after `layer`, at the subject's last token,
 * makes the model say `target` after the prompt in every context template, while keeping
 * "<subject> is a" close to what it was (ROME eq. 4; MEMIT's z_i). The loss graph and its
 * gradient with respect to the added state come from the runtime's autodiff; Adam runs here.
 */
export async function optimizeValue(
  model: LanguageModel,
  tokenizer: KedTokenizer,
  request: { prompt: string; subject: string; target: string },
  templates: readonly string[],
  layer: number,
  read: Extract<TapKind, 'mlp.out' | 'resid'>,
  hp: ValueOptimization,
): Promise<ValueTarget> {
  const compiled = await valueLossGraph(model, layer, read);
  const rows = buildRows(tokenizer, request, templates);
  const batch = rows.length;
  const rewriting = rows.filter((r) => r.kind === 'rewrite');
  const klRows = rows.filter((r) => r.kind === 'kl');
  const width = Math.max(...rows.map((r) => r.ids.length));
  const d = model.config.dModel;
  const vocab = model.config.vocabSize;

  const targets = hostTensor('int64', [batch, width]);
  const nllWeight = hostTensor('float32', [batch, width]);
  const klSelect = hostTensor('float32', [batch, width]);
  rows.forEach((r, b) => {
    r.targets.forEach((token, i) => {
      const at = b * width + r.promptLength - 1 + i;
      targets.data[at] = BigInt(token);
      nllWeight.data[at] = 1 / (rewriting.length * r.targets.length);
    });
    if (r.kind === 'kl') klSelect.data[b * width + r.subjectIndex] = 1;
  });
  const klWeighted = hostTensor('float32', [batch, vocab]);
  const feeds = { ...rightPadded(rows.map((r) => r.ids)).feeds, targets, nll_weight: nllWeight, kl_select: klSelect, kl_p0w: klWeighted };

  const delta = new Float32Array(d);
  const optimizer = new AdamW(new Map([['delta', delta]]), { lr: hp.lr, weightDecay: 0 });
  const added = hostTensor('float32', [batch, width, d]);
  let initial: Float32Array | undefined;
  let maxNorm = Infinity;
  let weightedNegEntropy = 0; // Σ w·p₀·log p₀, so that KL = cross-entropy term + this
  const losses: number[] = [];
  let targetProbability = 0;
  for (let step = 0; step < hp.steps; step++) {
    rows.forEach((r, b) => (added.data as Float32Array).set(delta, (b * width + r.subjectIndex) * d));
    const out = await compiled.run({ ...feeds, [`resid.add.${layer}`]: added });
    if (step === 0) {
      // δ = 0 here: the unedited distributions for the KL term and the state to edit.
      const logpAt = out.logp_at.data as Float32Array;
      rows.forEach((r, b) => {
        if (r.kind !== 'kl') return;
        const w = hp.klFactor / klRows.length;
        for (let v = 0; v < vocab; v++) {
          const logp0 = logpAt[b * vocab + v];
          klWeighted.data[b * vocab + v] = w * Math.exp(logp0);
          weightedNegEntropy += w * Math.exp(logp0) * logp0;
        }
      });
      const state = out.state;
      const offset = rows[0].subjectIndex * d; // row 0 is the bare "{}" template
      initial = (state.data as Float32Array).slice(offset, offset + d);
      maxNorm = hp.clampNormFactor * norm(initial);
    }
    const initialNormSq = norm(initial!) ** 2;
    const deltaNorm = norm(delta);
    // KL(p₀‖p) = cross-entropy (the graph's part) − entropy of p₀; zero at step 0 by construction.
    const kl = step === 0 ? 0 : (out.kl_ce.data[0] as number) + weightedNegEntropy;
    const loss = (out.nll.data[0] as number) + kl + (hp.weightDecay * deltaNorm) / initialNormSq;
    losses.push(loss);
    targetProbability = Math.exp(-(out.nll.data[0] as number));
    if (loss < hp.lossThreshold || step === hp.steps - 1) break;

    const g = out.grad.data as Float32Array;
    const gradient = new Float32Array(d);
    rows.forEach((r, b) => {
      const offset = (b * width + r.subjectIndex) * d;
      for (let j = 0; j < d; j++) gradient[j] += g[offset + j];
    });
    if (deltaNorm > 0) for (let j = 0; j < d; j++) gradient[j] += (hp.weightDecay * delta[j]) / (deltaNorm * initialNormSq);
    optimizer.step(new Map([['delta', gradient]]));
    const n = norm(delta);
    if (n > maxNorm) for (let j = 0; j < d; j++) delta[j] *= maxNorm / n;
  }
  return { initial: initial!, delta, losses, targetProbability };
}

/** One sequence of the value optimisation (exported for the independent reference check). */
export interface Row {
  kind: 'rewrite' | 'kl';
  ids: number[];
  promptLength: number;
  targets: number[];
  subjectIndex: number;
}

export function buildRows(tokenizer: KedTokenizer, request: { prompt: string; subject: string; target: string }, templates: readonly string[]): Row[] {
  const rows: Row[] = templates.map((t) => {
    const text = fillTemplate(t, request.prompt);
    const { prompt, target } = tokenizeProbe(tokenizer, { prompt: text, target: request.target });
    const { index } = subjectLastToken(tokenizer, text, request.subject);
    return { kind: 'rewrite', ids: [...prompt, ...target], promptLength: prompt.length, targets: target, subjectIndex: index };
  });
  const kl = subjectLastToken(tokenizer, fillTemplate(KL_PROMPT, request.subject), request.subject);
  rows.push({ kind: 'kl', ids: kl.ids, promptLength: kl.ids.length, targets: [], subjectIndex: kl.index });
  return rows;
}

function norm(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}

/**
 * The loss graph: −Σ w·log p(target) over rewriting rows, −Σ (klFactor·p₀)·log p at the KL rows'
 * subject token, with the gradient of their sum with respect to `resid.add.<layer>`.
 */
export function valueLossGraph(model: LanguageModel, layer: number, read: 'mlp.out' | 'resid'): Promise<CompiledGraph> {
  return model.compileOnce(`value:${layer}/${read}`, () => {
    const forward = model.buildForward({ logits: 'all', residualAdd: [layer], taps: [{ kind: read, layer }] }, new Graph(`${model.config.modelType}_value_loss`));
    const g = forward.graph;
    const targets = g.input('targets', 'int64', ['batch', 'seq']);
    const nllWeight = g.input('nll_weight', 'float32', ['batch', 'seq']);
    const klSelect = g.input('kl_select', 'float32', ['batch', 'seq']);
    const klP0w = g.input('kl_p0w', 'float32', ['batch', model.config.vocabSize]);
    const logp = op.logSoftmax(forward.logits!, -1);
    const targetLogp = op.squeeze(op.gatherElements(logp, op.unsqueeze(targets, [2]), 2), [2]);
    const nll = op.neg(op.reduceSum(op.mul(targetLogp, nllWeight)));
    const logpAt = op.reduceSum(op.mul(logp, op.unsqueeze(klSelect, [2])), [1]); // [batch, vocab]
    const klCe = op.neg(op.reduceSum(op.mul(logpAt, klP0w)));
    const added = forward.residualAdds.get(layer)!;
    const [gradient] = grad(op.add(nll, klCe), [added]);
    g.output(nll, 'nll');
    g.output(klCe, 'kl_ce');
    g.output(logpAt, 'logp_at');
    g.output(gradient, 'grad');
    g.output(forward.taps.get(tapName({ kind: read, layer }))!, 'state');
    return g;
  });
}
