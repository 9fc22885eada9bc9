import { z } from 'zod';
import { mlpOutProjection } from '../commit-delta';
import type { EditContext } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import { checkRequests, type EditRequest } from '../edit-request';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { rightPadded, type LanguageModel } from '../../models/language-model';
import { buildLanguageModelingLoss } from '../../models/training/lm-loss';
import { hostTensor } from '../../runtime/graph/dtype';
import { AdamW } from '../../runtime/optim';
import type { CompiledGraph } from '../../runtime/session/session-manager';

export const fineTuneHparams = z.strictObject({
  /** The MLP whose output projection is tuned. */
  layer: z.number().int().min(0).default(1),
  steps: z.number().int().min(1).max(1000).default(25),
  lr: z.number().positive().default(5e-4),
  /** L∞ bound on the change of each weight (FT-L's norm constraint); null: unconstrained. */
  normConstraint: z.number().positive().nullable().default(null),
  /** Stop once the loss is below this. */
  lossThreshold: z.number().min(0).default(1e-2),
});
export type FineTuneHparams = z.infer<typeof fineTuneHparams>;

/**
 * How the target is scored: 'target' teacher-forces every target token with the prompt masked
 * (FT-M), 'prompt-last' scores all target tokens from the prompt's last position (FT-L as EasyEdit
 * implements ROME's baseline).
 */
export type FineTuneObjective = 'target' | 'prompt-last';

/**
 * Fine-tunes one MLP output projection on the requests with Adam, then returns the change as a
 * delta operation (u = I, v = ΔW: full rank, d_model columns) and puts the weights back, so the
 * caller decides whether to route or commit it.
 */
export async function fineTuneDelta(context: EditContext, requests: readonly EditRequest[], hp: FineTuneHparams, objective: FineTuneObjective, method: string): Promise<DeltaOperation> {
  const { model } = context;
  checkRequests(method, requests);
  if (hp.layer >= model.config.layers) throw new Error(`${method}: layer ${hp.layer} does not exist (the model has ${model.config.layers})`);
  const { name, layout } = mlpOutProjection(model.config, hp.layer);
  const weight = model.weights.get(name)!.data as Float32Array;
  const original = weight.slice();
  const compiled = await lossGraph(model, name);
  const feeds = objectiveFeeds(context, requests, objective);
  const optimizer = new AdamW(new Map([[name, weight]]), { lr: hp.lr, weightDecay: 0 });
  try {
    for (let step = 0; step < hp.steps; step++) {
      const out = await compiled.run(feeds);
      if ((out.loss.data[0] as number) < hp.lossThreshold) break;
      optimizer.step(new Map([[name, out[`grad.${name}`].data as Float32Array]]));
      const eps = hp.normConstraint;
      if (eps !== null) for (let i = 0; i < weight.length; i++) weight[i] = Math.min(original[i] + eps, Math.max(original[i] - eps, weight[i]));
    }
    return { kind: 'delta', method, requests: requests.map((_, i) => i), factors: [{ layer: hp.layer, ...fullRankFactors(weight, original, model.config.dModel, model.config.dFF, layout) }] };
  } finally {
    weight.set(original);
  }
}

/** ΔW as factors of the hook h += (k·V)·Uᵀ: U = I (d×d), V = ΔW in [d_ff, d] orientation. */
function fullRankFactors(weight: Float32Array, original: Float32Array, dModel: number, dFF: number, layout: 'conv1d' | 'linear') {
  const v = new Float32Array(dFF * dModel);
  for (let i = 0; i < dFF; i++) for (let j = 0; j < dModel; j++) {
    const at = layout === 'conv1d' ? i * dModel + j : j * dFF + i;
    v[i * dModel + j] = weight[at] - original[at];
  }
  const u = new Float32Array(dModel * dModel);
  for (let j = 0; j < dModel; j++) u[j * dModel + j] = 1;
  return { u: { dtype: 'float32' as const, shape: [dModel, dModel], data: u }, v: { dtype: 'float32' as const, shape: [dFF, dModel], data: v } };
}

export function objectiveFeeds(context: EditContext, requests: readonly EditRequest[], objective: FineTuneObjective) {
  const rows: Array<{ ids: number[]; targets: Array<[number, number]>; weight: number }> = [];
  for (const r of requests) {
    const { prompt, target } = tokenizeProbe(context.tokenizer, { prompt: r.prompt, target: r.target_new });
    if (objective === 'target') rows.push({ ids: [...prompt, ...target], targets: target.map((t, i) => [prompt.length - 1 + i, t]), weight: 1 });
    // prompt-last: every target token is scored at the prompt's last position, one row each.
    else for (const t of target) rows.push({ ids: prompt, targets: [[prompt.length - 1, t]], weight: 1 / target.length });
  }
  const width = Math.max(...rows.map((r) => r.ids.length));
  const targets = hostTensor('int64', [rows.length, width]);
  const mask = hostTensor('float32', [rows.length, width]);
  rows.forEach((r, b) => {
    for (const [position, token] of r.targets) {
      targets.data[b * width + position] = BigInt(token);
      mask.data[b * width + position] = r.weight;
    }
  });
  return { ...rightPadded(rows.map((r) => r.ids)).feeds, targets, loss_mask: mask };
}

function lossGraph(model: LanguageModel, weightName: string): Promise<CompiledGraph> {
  return model.compileOnce(`fine-tune:${weightName}`, () => buildLanguageModelingLoss(model, { trainable: [weightName] }).graph);
}
