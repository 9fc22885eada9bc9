import { z } from 'zod';
import type { EditContext, EditMethod } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import type { EditRequest } from '../edit-request';
import { contextTemplates } from '../locate/context-templates';
import { contextTemplatesSchema, keyMomentSchema, layerSchema, valueOptimizationSchema } from '../locate/hparams';
import { keyMoment } from '../locate/layer-stats';
import { chooseLayer } from '../locate/auto-layer';
import { solveMoment } from '../locate/moment-solve';
import { averagedKeys, subjectStates } from '../locate/subject-states';
import { checkLocatableRequests, checkReachableLayer } from '../locate/subject-token';
import { optimizeValue } from '../locate/value-batch';

export const romeHparams = z.strictObject({
  /** The MLP whose output projection is edited (GPT-2 XL: 17 of 48); "auto" traces each request. */
  layer: layerSchema.default(1),
  contextTemplates: contextTemplatesSchema,
  keyMoment: keyMomentSchema,
  value: valueOptimizationSchema,
});
export type RomeHparams = z.infer<typeof romeHparams>;

/**
 * ROME (Meng et al. 2022; survey §3.3.3): treats one MLP output projection W as a key-value store
 * and inserts (k*, v*) with the rank-one update that changes W least under the key covariance:
 * Δ = (v* − W k*)·(C⁻¹k*)ᵀ / (C⁻¹k*)ᵀk*. k* is the subject's last-token key averaged over context
 * prefixes, v* the MLP output that makes the model say the target (gradient descent on the
 * target's NLL plus KL on "<subject> is a", weight decay, norm clamp).
 */
export async function computeRome(context: EditContext, request: EditRequest, hp: RomeHparams): Promise<{ factors: DeltaOperation['factors']; targetProbability: number; layer: number }> {
  const { model, tokenizer } = context;
  const subject = request.subject!;
  const layer = hp.layer === 'auto' ? await chooseLayer(model, tokenizer, request) : hp.layer;
  if (layer >= model.config.layers) throw new Error(`rome: layer ${layer} does not exist (the model has ${model.config.layers})`);
  const templates = await contextTemplates(model, tokenizer, hp.contextTemplates);
  const moment = await keyMoment(model, tokenizer, context.statsCorpus, layer, hp.keyMoment.samples, context.statsCacheDir);

  // Left vector: C⁻¹k*, normalised (compute_u); C's factorisation is cached with the statistics.
  const [kStar] = await averagedKeys(model, tokenizer, [{ prompt: request.prompt, subject }], templates, layer);
  const solved = solveMoment(moment, hp.keyMoment.ridge, [kStar]).data;
  const length = Math.hypot(...solved);
  const left = Float32Array.from(solved, (x) => x / length);

  // Right vector: (v* − W k)/(k·left) with k, W k at the bare prompt (compute_v).
  const target = await optimizeValue(model, tokenizer, { prompt: request.prompt, subject, target: request.target_new }, templates, layer, 'mlp.out', hp.value);
  const [[key]] = await subjectStates(model, tokenizer, [{ text: request.prompt, subject }], [{ kind: 'mlp.key', layer }]);
  let keyDotLeft = 0;
  for (let j = 0; j < key.length; j++) keyDotLeft += key[j] * left[j];
  // v* − W k = δ: row 0 of the optimisation is the bare prompt, whose subject state is W k.
  const right = Float32Array.from(target.delta, (x) => x / keyDotLeft);
  return {
    factors: [{ layer, u: { dtype: 'float32', shape: [model.config.dModel, 1], data: right }, v: { dtype: 'float32', shape: [model.config.dFF, 1], data: left } }],
    targetProbability: target.targetProbability,
    layer,
  };
}

export const romeMethod: EditMethod<typeof romeHparams> = {
  name: 'rome',
  capabilities: { batchable: false, routable: true, committable: true, needsTrainSplit: false },
  hparams: romeHparams,
  compute: async (context, requests, hp) => {
    checkLocatableRequests('rome', requests);
    // "auto" never picks a layer the subject's state cannot reach the answer from (decisiveLayer).
    if (hp.layer !== 'auto') checkReachableLayer('rome', context.tokenizer, requests, hp.layer, context.model.config.layers);
    const operations: DeltaOperation[] = [];
    for (const [i, request] of requests.entries()) {
      const { factors } = await computeRome(context, request, hp);
      operations.push({ kind: 'delta', method: 'rome', requests: [i], factors });
    }
    return operations;
  },
};
