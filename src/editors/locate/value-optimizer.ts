import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import type { LanguageModel } from '../../models/language-model';
import { tapName } from '../../models/graph/forward-options';
import type { KedTokenizer } from '../../models/tokenizer';
import { grad } from '../../runtime/autodiff/grad';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { Graph, type Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import type { CompiledGraph } from '../../runtime/session/session-manager';
import { fillTemplate } from './context-templates';
import { subjectLastToken } from './subject-token';

/** ROME's compute_v / MEMIT's compute_z hyper-parameters. */
export interface ValueOptimization {
  /** Gradient steps (forward passes; the last one only measures). */
  steps: number;
  lr: number;
  /**
   * Weight of KL(p ‖ p₀) on "<subject> is a" at the subject's last token (essence drift), p the
   * current distribution and p₀ the unedited one: ROME's kl_div(init_logprobs, logprobs,
   * log_target=True) = Σ p·(log p − log p₀).
   */
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
 * The loss graph's feeds for a set of rows, at the positions the loss reads: each rewriting row's
 * target positions (NLL, weighted so that every row counts the same) and each KL row's subject
 * token. Only the KL positions need the whole distribution: the graph returns the target's
 * log-probability at every read position (`target_logp` [n]) and the full log-probabilities only
 * at the KL positions (`kl_logp` [m, vocab], `kl_index` into the read positions), so a batch of
 * rewriting rows moves no vocabulary-wide tensor in or out per step. `setInitial` takes the
 * step-0 `kl_logp` (δ = 0) as p₀ and turns the KL term on. `owners` (row → request, default all
 * 0) lets one batch hold several requests' rows, each request's terms weighted within itself;
 * `lossesByRequest` reads each request's NLL and KL back from the outputs (the graph outputs only
 * their sum). Row b's position p is read at b·width + p − starts[b]: `starts` (default 0) is where
 * each row's window begins when the loss graph runs only the windows (`suffixLayout`).
 */
export function valueLossFeeds(
  rows: readonly Row[],
  width: number,
  vocab: number,
  klFactor: number,
  owners: readonly number[] = rows.map(() => 0),
  starts: readonly number[] = rows.map(() => 0),
): { feeds: Record<string, HostTensor>; setInitial: (klLogp: Float32Array) => void; lossesByRequest: (targetLogp: Float32Array, klLogp: Float32Array) => Array<{ nll: number; kl: number }> } {
  const requests = Math.max(...owners) + 1;
  const rewriting = new Array<number>(requests).fill(0);
  const klRows = new Array<number>(requests).fill(0);
  rows.forEach((r, b) => (r.kind === 'rewrite' ? rewriting : klRows)[owners[b]]++);
  const read: Array<{ at: number; target: number; nll: number; owner: number }> = [];
  const klRead: Array<{ index: number; owner: number }> = [];
  rows.forEach((r, b) => {
    const owner = owners[b];
    const origin = b * width - starts[b];
    r.targets.forEach((token, i) => read.push({ at: origin + r.promptLength - 1 + i, target: token, nll: 1 / (rewriting[owner] * r.targets.length), owner }));
    if (r.kind === 'kl') {
      klRead.push({ index: read.length, owner });
      read.push({ at: origin + r.subjectIndex, target: 0, nll: 0, owner });
    }
  });
  // No KL row (a batch of rewriting rows): one position at weight 0 keeps the shapes non-empty.
  const m = Math.max(klRead.length, 1);
  const klWeight = hostTensor('float32', [m]);
  const klLogp0 = hostTensor('float32', [m, vocab]);
  const feeds: Record<string, HostTensor> = {
    'logits.positions': hostTensor('int64', [read.length], read.map((p) => p.at)),
    targets: hostTensor('int64', [read.length], read.map((p) => p.target)),
    nll_weight: hostTensor('float32', [read.length], read.map((p) => p.nll)),
    kl_index: hostTensor('int64', [m], klRead.length ? klRead.map((p) => p.index) : [0]),
    kl_weight: klWeight,
    kl_logp0: klLogp0,
  };
  const setInitial = (klLogp: Float32Array) => {
    klRead.forEach((p, i) => (klWeight.data[i] = klFactor / klRows[p.owner]));
    (klLogp0.data as Float32Array).set(klLogp.subarray(0, m * vocab));
  };
  const lossesByRequest = (targetLogp: Float32Array, klLogp: Float32Array) => {
    const losses = Array.from({ length: requests }, () => ({ nll: 0, kl: 0 }));
    const logp0 = klLogp0.data as Float32Array;
    read.forEach((p, i) => {
      if (p.nll) losses[p.owner].nll -= p.nll * targetLogp[i];
    });
    klRead.forEach((p, i) => {
      if (!klWeight.data[i]) return;
      let kl = 0;
      for (let v = i * vocab; v < (i + 1) * vocab; v++) kl += Math.exp(klLogp[v]) * (klLogp[v] - logp0[v]);
      losses[p.owner].kl += (klWeight.data[i] as number) * kl;
    });
    return losses;
  };
  return { feeds, setInitial, lossesByRequest };
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

export function norm(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}

/**
 * The frozen prefix, run once per value optimisation over the full rows (fed an empty KV cache,
 * `model.emptyCache`): the residual stream after `layer` (`resid`, where δ is added), the state
 * being edited (`state`), and the keys and values of every layer above (`present.{l}.key|value`),
 * from which `suffixFeeds` cuts the cache of the tokens before each row's window.
 */
export function valuePrefixGraph(model: LanguageModel, layer: number, read: 'mlp.out' | 'resid'): Promise<CompiledGraph> {
  return model.compileOnce(`value-prefix:${layer}/${read}`, () => {
    const taps = [{ kind: 'resid' as const, layer }, ...(read === 'resid' ? [] : [{ kind: read, layer }])];
    const forward = model.buildForward({ logits: 'none', cache: true, taps }, new Graph(`${model.config.modelType}_value_prefix`));
    const g = forward.graph;
    g.output(forward.taps.get(tapName({ kind: 'resid', layer }))!, 'resid');
    g.output(forward.taps.get(tapName({ kind: read, layer }))!, 'state');
    forward.presents.forEach((p, l) => {
      if (l <= layer) return;
      g.output(p.key, `present.${l}.key`);
      g.output(p.value, `present.${l}.value`);
    });
    return g;
  });
}

/**
 * The loss graph from the residual stream after `layer` over each row's window (`resid.start`, δ
 * already added), with the tokens before the window as a KV cache (`past.{l}.*` for l > layer):
 * nll = −Σ w·log p(target) at the rewriting rows' target positions, and
 * kl = Σ w·Σ_v p·(log p − log p₀) at the KL rows' subject token (ROME's KL(p ‖ p₀)), with the
 * gradient of nll + kl with respect to `resid.start`; logits only at `logits.positions`.
 */
export function valueLossGraph(model: LanguageModel, layer: number): Promise<CompiledGraph> {
  return model.compileOnce(`value-loss:${layer}`, () => {
    const forward = model.buildForward({ logits: 'gathered', startAfter: layer, cache: true }, new Graph(`${model.config.modelType}_value_loss`));
    const { nll, kl, targetLogp, klLogp } = appendValueLoss(forward.graph, forward.logits!, model.config.vocabSize);
    const [gradient] = grad(op.add(nll, kl), [forward.residualStart!]);
    const g = forward.graph;
    g.output(nll, 'nll');
    g.output(kl, 'kl');
    g.output(targetLogp, 'target_logp');
    g.output(klLogp, 'kl_logp');
    g.output(gradient, 'grad');
    return g;
  });
}

/** The value loss on logits [n, vocab] at the positions `valueLossFeeds` lists (shared with the parity test). */
export function appendValueLoss(g: Graph, logits: Value, vocab: number): { nll: Value; kl: Value; targetLogp: Value; klLogp: Value } {
  const targets = g.input('targets', 'int64', ['positions']);
  const nllWeight = g.input('nll_weight', 'float32', ['positions']);
  const klIndex = g.input('kl_index', 'int64', ['kl_positions']);
  const klWeight = g.input('kl_weight', 'float32', ['kl_positions']);
  const klLogp0 = g.input('kl_logp0', 'float32', ['kl_positions', vocab]);
  const logp = op.logSoftmax(logits, -1);
  const targetLogp = op.squeeze(op.gatherElements(logp, op.unsqueeze(targets, [1]), 1), [1]);
  const nll = op.neg(op.reduceSum(op.mul(targetLogp, nllWeight)));
  // The whole distribution only where the KL term reads it.
  const klLogp = op.gather(logp, klIndex);
  const perPosition = op.reduceSum(op.mul(op.exp(klLogp), op.sub(klLogp, klLogp0)), [1]); // KL(p ‖ p₀) per position
  const kl = op.reduceSum(op.mul(perPosition, klWeight));
  return { nll, kl, targetLogp, klLogp };
}
