import { z } from 'zod';
import { mlpOutProjection } from '../commit-delta';
import type { EditContext, EditMethod } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import { checkRequests, type EditRequest } from '../edit-request';
import { objectiveFeeds } from '../ft/fine-tune';
import { loraLossGraph } from '../lora/lora';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { gaussian, mulberry32 } from '../../runtime/random';
import { AdamW } from '../../runtime/optim';
import { budgetAt, keepMask, SmoothedSensitivity, tripletImportance, type BudgetSchedule } from './rank-allocator';

export const adaloraHparams = z
  .strictObject({
    /** The MLPs whose output projections get an adapter (GPT-2 `h.<l>.mlp.c_proj`, Llama `down_proj`). */
    layers: z.array(z.number().int().min(0)).min(1).default([1, 2]),
    /** Singular values each adapter starts with. */
    initialRank: z.number().int().min(1).max(64).default(8),
    /** The average rank left per adapter once the budget has fallen (the total is this × adapters). */
    targetRank: z.number().int().min(1).max(64).default(4),
    /** The update is scaled by alpha / initialRank, as LoRA's α / r. */
    alpha: z.number().positive().default(16),
    steps: z.number().int().min(1).max(1000).default(60),
    /** Steps at the full budget before pruning (t_i), and at the target budget at the end (t_f). */
    warmupSteps: z.number().int().min(0).default(10),
    finalSteps: z.number().int().min(0).default(15),
    lr: z.number().positive().default(1e-2),
    /** Moving-average factors of the sensitivity (β₁) and of its uncertainty (β₂). */
    beta1: z.number().min(0).max(1).default(0.85),
    beta2: z.number().min(0).max(1).default(0.85),
    /** γ of the orthogonality regulariser ‖PᵀP − I‖² + ‖QQᵀ − I‖². */
    orthogonality: z.number().min(0).default(0.1),
    /** Once the budget is at its target, stop when the loss (target tokens, prompt masked) is below this. */
    lossThreshold: z.number().min(0).default(1e-2),
    /** Seeds P's and Q's initialisation, so an edit is reproducible. */
    seed: z.number().int().default(1),
  })
  .refine((h) => h.targetRank <= h.initialRank, { message: 'must not exceed initialRank', path: ['targetRank'] })
  .refine((h) => h.warmupSteps + h.finalSteps <= h.steps, { message: 'warmupSteps + finalSteps must not exceed steps', path: ['finalSteps'] });
export type AdaloraHparams = z.infer<typeof adaloraHparams>;

/** One adapter's parameters: ΔW = P·diag(λ)·Q, P [dFF × r], Q [r × dModel]. */
interface Adapter {
  layer: number;
  module: string;
  p: Float32Array;
  lambda: Float32Array;
  q: Float32Array;
  sensitivity: { p: SmoothedSensitivity; lambda: SmoothedSensitivity; q: SmoothedSensitivity };
}

/**
 * AdaLoRA (Zhang et al. 2023): LoRA in SVD form. Each adapter on an MLP output projection is
 * P·diag(λ)·Q with P and Q kept near-orthogonal by a regulariser; the triplets' smoothed
 * sensitivity decides which singular values survive as the budget of kept values falls on a
 * cubic schedule from `initialRank` per adapter to `targetRank` on average, so layers that
 * matter more for the edit keep more rank. It trains through LoRA's loss graph (A = P,
 * B = diag(λ)·Q; the gradients of P, λ and Q follow by the chain rule) with AdamW, and returns
 * the kept triplets as a delta operation, routed or committed like LoRA's.
 */
export async function adaloraDelta(context: EditContext, requests: readonly EditRequest[], hp: AdaloraHparams, method: string): Promise<DeltaOperation> {
  const { model } = context;
  checkRequests(method, requests);
  for (const layer of hp.layers) if (layer >= model.config.layers) throw new Error(`${method}: layer ${layer} does not exist (the model has ${model.config.layers})`);
  const { dModel, dFF } = model.config;
  const r = hp.initialRank;
  const random = mulberry32(hp.seed);
  const adapters: Adapter[] = hp.layers.map((layer) => ({
    layer,
    module: mlpOutProjection(model.config, layer).name.replace(/\.weight$/, ''),
    // AdaLoRA's initialisation: P and Q Gaussian, λ zero (the adapter starts as a no-op).
    p: Float32Array.from({ length: dFF * r }, () => 0.02 * gaussian(random)),
    lambda: new Float32Array(r),
    q: Float32Array.from({ length: r * dModel }, () => 0.02 * gaussian(random)),
    sensitivity: { p: new SmoothedSensitivity(dFF * r, hp.beta1, hp.beta2), lambda: new SmoothedSensitivity(r, hp.beta1, hp.beta2), q: new SmoothedSensitivity(r * dModel, hp.beta1, hp.beta2) },
  }));
  const params = new Map<string, Float32Array>();
  for (const a of adapters) params.set(`${a.module}.P`, a.p).set(`${a.module}.lambda`, a.lambda).set(`${a.module}.Q`, a.q);
  const optimizer = new AdamW(params, { lr: hp.lr, weightDecay: 0 });
  const compiled = await loraLossGraph(model, adapters.map((a) => a.module), r, hp.alpha);
  const objective = objectiveFeeds(context, requests, 'target');
  const schedule: BudgetSchedule = { initial: r * adapters.length, target: hp.targetRank * adapters.length, steps: hp.steps, warmup: hp.warmupSteps, final: hp.finalSteps };
  let kept = adapters.map(() => Array.from({ length: r }, () => true));

  for (let step = 0; step < hp.steps; step++) {
    const out = await compiled.run({ ...objective, ...adapterFeeds(adapters, dFF, dModel, r) });
    if ((out.loss.data[0] as number) < hp.lossThreshold && step >= hp.steps - hp.finalSteps) break;
    const grads = new Map<string, Float32Array>();
    for (const a of adapters) {
      const g = adapterGradients(a, out[`grad.lora.${a.module}.A`].data as Float32Array, out[`grad.lora.${a.module}.B`].data as Float32Array, dFF, dModel, r, hp.orthogonality);
      a.sensitivity.p.update(a.p, g.p);
      a.sensitivity.lambda.update(a.lambda, g.lambda);
      a.sensitivity.q.update(a.q, g.q);
      grads.set(`${a.module}.P`, g.p).set(`${a.module}.lambda`, g.lambda).set(`${a.module}.Q`, g.q);
    }
    optimizer.step(grads);
    if (step >= hp.warmupSteps) {
      const importance = adapters.map((a) => tripletImportance(a.sensitivity.lambda, a.sensitivity.p, a.sensitivity.q, r, dFF, dModel));
      kept = keepMask(importance, budgetAt(step, schedule));
    }
    adapters.forEach((a, m) => kept[m].forEach((keep, i) => void (keep || (a.lambda[i] = 0))));
  }

  const scale = hp.alpha / r;
  return {
    kind: 'delta',
    method,
    requests: requests.map((_, i) => i),
    factors: adapters.flatMap((a, m) => {
      const columns = kept[m].flatMap((keep, i) => (keep && a.lambda[i] !== 0 ? [i] : []));
      if (!columns.length) return [];
      const k = columns.length;
      const u = hostTensor('float32', [dModel, k]);
      const v = hostTensor('float32', [dFF, k]);
      columns.forEach((i, c) => {
        for (let j = 0; j < dModel; j++) u.data[j * k + c] = scale * a.lambda[i] * a.q[i * dModel + j];
        for (let j = 0; j < dFF; j++) v.data[j * k + c] = a.p[j * r + i];
      });
      return [{ layer: a.layer, u, v }];
    }),
  };
}

/** LoRA's factors for the loss graph: A = P, B = diag(λ)·Q. */
function adapterFeeds(adapters: readonly Adapter[], dFF: number, dModel: number, r: number): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const a of adapters) {
    const b = new Float32Array(r * dModel);
    for (let i = 0; i < r; i++) for (let j = 0; j < dModel; j++) b[i * dModel + j] = a.lambda[i] * a.q[i * dModel + j];
    feeds[`lora.${a.module}.A`] = { dtype: 'float32', shape: [dFF, r], data: a.p };
    feeds[`lora.${a.module}.B`] = { dtype: 'float32', shape: [r, dModel], data: b };
  }
  return feeds;
}

/**
 * The gradients of P, λ and Q from LoRA's (∂L/∂A, ∂L/∂B) with A = P, B = diag(λ)·Q, plus γ times
 * the orthogonality regulariser's: ∂‖PᵀP − I‖²/∂P = 4·P·(PᵀP − I), ∂‖QQᵀ − I‖²/∂Q = 4·(QQᵀ − I)·Q.
 */
export function adapterGradients(
  a: Pick<Adapter, 'p' | 'lambda' | 'q'>,
  gradA: Float32Array,
  gradB: Float32Array,
  rows: number,
  cols: number,
  r: number,
  orthogonality: number,
): { p: Float32Array; lambda: Float32Array; q: Float32Array } {
  const p = Float32Array.from(gradA);
  const lambda = new Float32Array(r);
  const q = new Float32Array(r * cols);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      s += gradB[i * cols + j] * a.q[i * cols + j];
      q[i * cols + j] = a.lambda[i] * gradB[i * cols + j];
    }
    lambda[i] = s;
  }
  if (orthogonality > 0) {
    const pGram = gramMinusIdentity(a.p, rows, r, 'columns');
    const qGram = gramMinusIdentity(a.q, r, cols, 'rows');
    for (let j = 0; j < rows; j++) for (let i = 0; i < r; i++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += a.p[j * r + k] * pGram[k * r + i];
      p[j * r + i] += 4 * orthogonality * s;
    }
    for (let i = 0; i < r; i++) for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += qGram[i * r + k] * a.q[k * cols + j];
      q[i * cols + j] += 4 * orthogonality * s;
    }
  }
  return { p, lambda, q };
}

/** The orthogonality regulariser ‖PᵀP − I‖² + ‖QQᵀ − I‖² (for tests and diagnostics). */
export function orthogonalityPenalty(p: Float32Array, q: Float32Array, rows: number, cols: number, r: number): number {
  const sq = (m: Float64Array) => m.reduce((s, x) => s + x * x, 0);
  return sq(gramMinusIdentity(p, rows, r, 'columns')) + sq(gramMinusIdentity(q, r, cols, 'rows'));
}

/** PᵀP − I for P [n × r] ('columns'), or QQᵀ − I for Q [r × n] ('rows'); r × r. */
function gramMinusIdentity(m: Float32Array, n1: number, n2: number, of: 'columns' | 'rows'): Float64Array {
  const r = of === 'columns' ? n2 : n1;
  const n = of === 'columns' ? n1 : n2;
  const at = (k: number, i: number) => (of === 'columns' ? m[k * r + i] : m[i * n + k]);
  const out = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += at(k, i) * at(k, j);
    out[i * r + j] = s - (i === j ? 1 : 0);
  }
  return out;
}

/** AdaLoRA as an editor: one adapter set per compute call (per edit, or per batch of edits). */
export const adaloraMethod: EditMethod<typeof adaloraHparams> = {
  name: 'adalora',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: adaloraHparams,
  compute: async (context, requests, hp) => [await adaloraDelta(context, requests, hp, 'adalora')],
};
