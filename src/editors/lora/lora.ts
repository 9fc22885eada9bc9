import { z } from 'zod';
import { mlpOutProjection } from '../commit-delta';
import type { EditContext, EditMethod } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import { checkRequests, type EditRequest } from '../edit-request';
import { objectiveFeeds } from '../ft/fine-tune';
import type { LanguageModel } from '../../models/language-model';
import { buildLanguageModelingLoss } from '../../models/training/lm-loss';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { mulberry32 } from '../../runtime/random';
import { AdamW } from '../../runtime/optim';
import type { CompiledGraph } from '../../runtime/session/session-manager';

export const loraHparams = z.strictObject({
  /** The MLPs whose output projections get an adapter (GPT-2 `h.<l>.mlp.c_proj`, Llama `down_proj`). */
  layers: z.array(z.number().int().min(0)).min(1).default([1, 2]),
  rank: z.number().int().min(1).max(64).default(4),
  /** The adapter's update is scaled by alpha / rank (LoRA's α). */
  alpha: z.number().positive().default(8),
  steps: z.number().int().min(1).max(1000).default(60),
  lr: z.number().positive().default(1e-2),
  /** Stop once the loss (target tokens, prompt masked) is below this. */
  lossThreshold: z.number().min(0).default(1e-2),
  /** Seeds A's initialisation, so an edit is reproducible. */
  seed: z.number().int().default(1),
});
export type LoraHparams = z.infer<typeof loraHparams>;

/**
 * LoRA (Hu et al. 2022; survey §3.3.2, "adding additional parameters"): trains rank-r factors
 * A (random) and B (zero) on the MLP output projections of `layers` with the runtime's autodiff
 * and Adam, on the target tokens with the prompt masked; the base weights never change. An
 * adapter on an MLP output projection adds x·A·B·α/r to the MLP's output, which is exactly the
 * model's low-rank edit hook h += (x·V)·Uᵀ with V = A and U = (α/r·B)ᵀ, so the adapter is
 * returned as a delta operation: routed per request, or committed (merged) like any delta.
 */
export async function loraDelta(context: EditContext, requests: readonly EditRequest[], hp: LoraHparams, method: string): Promise<DeltaOperation> {
  const { model } = context;
  checkRequests(method, requests);
  for (const layer of hp.layers) if (layer >= model.config.layers) throw new Error(`${method}: layer ${layer} does not exist (the model has ${model.config.layers})`);
  const modules = hp.layers.map((layer) => ({ layer, module: mlpOutProjection(model.config, layer).name.replace(/\.weight$/, '') }));
  const { dModel, dFF } = model.config;
  const random = mulberry32(hp.seed);
  const params = new Map<string, Float32Array>();
  for (const { module } of modules) {
    // LoRA's initialisation: A uniform with Kaiming's bound, B zero (the adapter starts as a no-op).
    const bound = 1 / Math.sqrt(dFF);
    params.set(`lora.${module}.A`, Float32Array.from({ length: dFF * hp.rank }, () => (2 * random() - 1) * bound));
    params.set(`lora.${module}.B`, new Float32Array(hp.rank * dModel));
  }
  const compiled = await loraLossGraph(model, modules.map((m) => m.module), hp.rank, hp.alpha);
  const feeds: Record<string, HostTensor> = { ...objectiveFeeds(context, requests, 'target') };
  for (const { module } of modules) {
    feeds[`lora.${module}.A`] = { dtype: 'float32', shape: [dFF, hp.rank], data: params.get(`lora.${module}.A`)! };
    feeds[`lora.${module}.B`] = { dtype: 'float32', shape: [hp.rank, dModel], data: params.get(`lora.${module}.B`)! };
  }
  const optimizer = new AdamW(params, { lr: hp.lr, weightDecay: 0 });
  for (let step = 0; step < hp.steps; step++) {
    const out = await compiled.run(feeds);
    if ((out.loss.data[0] as number) < hp.lossThreshold) break;
    optimizer.step(new Map([...params.keys()].map((name) => [name, out[`grad.${name}`].data as Float32Array])));
  }
  const scale = hp.alpha / hp.rank;
  return {
    kind: 'delta',
    method,
    requests: requests.map((_, i) => i),
    factors: modules.map(({ layer, module }) => {
      const a = params.get(`lora.${module}.A`)!;
      const b = params.get(`lora.${module}.B`)!;
      const u = hostTensor('float32', [dModel, hp.rank]);
      for (let r = 0; r < hp.rank; r++) for (let j = 0; j < dModel; j++) u.data[j * hp.rank + r] = scale * b[r * dModel + j];
      return { layer, u, v: { dtype: 'float32' as const, shape: [dFF, hp.rank], data: a.slice() } };
    }),
  };
}

/** The language-modelling loss with rank-r adapters x·A·B·α/r on `targets`, and its gradients with respect to every A and B (compiled once per model). */
export function loraLossGraph(model: LanguageModel, targets: string[], rank: number, alpha: number): Promise<CompiledGraph> {
  return model.compileOnce(`lora:${targets.join(',')}/${rank}/${alpha}`, () => buildLanguageModelingLoss(model, { trainable: [], forward: { lora: { targets, rank, alpha } } }).graph);
}

/** LoRA as an editor: one adapter per compute call (per edit, or per batch of edits). */
export const loraMethod: EditMethod<typeof loraHparams> = {
  name: 'lora',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: loraHparams,
  compute: async (context, requests, hp) => [await loraDelta(context, requests, hp, 'lora')],
};
