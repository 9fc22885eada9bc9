import type { z } from 'zod';
import type { DenseMatrix } from '../../runtime/linalg';
import { commitDelta, snapshotFor } from '../commit-delta';
import type { EditContext } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import type { EditRequest } from '../edit-request';
import { contextTemplates } from './context-templates';
import type { contextTemplatesSchema, keyMomentSchema, valueOptimizationSchema } from './hparams';
import { keyMoment, type KeyMoment } from './layer-stats';
import { columns, toFactor } from './moment-solve';
import { averagedKeys, averagedKeysAt, subjectStates } from './subject-states';
import { checkLocatableRequests, checkReachableLayer } from './subject-token';
import { optimizeValues } from './value-batch';

/** The hyper-parameters the spread reads (MEMIT's and AlphaEdit's). */
export interface SpreadHparams {
  contextTemplates: z.infer<typeof contextTemplatesSchema>;
  keyMoment: z.infer<typeof keyMomentSchema>;
  value: z.infer<typeof valueOptimizationSchema>;
}

/**
 * How one layer's update is solved from its keys K [d_ff, n] and residuals R [d_model, n]:
 * returns V [d_ff, n] with ΔW = V·Rᵀ in the hook's orientation (h += (k·V)·Rᵀ).
 */
export type LayerSolver = (layer: number, keys: DenseMatrix, moment: KeyMoment) => DenseMatrix;

/**
 * MEMIT's multi-layer spread (Meng et al. 2023, Alg. 1), shared with AlphaEdit: find each
 * request's target z_i at the last edited layer (ROME's value optimisation on the residual), then
 * for each layer in order, solve a least-squares update for that layer's share of the remaining
 * residual z − h, with earlier layers' updates in place (applied to the weights while computing,
 * removed before returning: the caller routes or commits the result). `keysAfter` asks for the
 * keys with every layer's update in place (AlphaEdit's preserved keys; MEMIT has no use for them).
 */
export async function spreadOverLayers(context: EditContext, method: string, requests: readonly EditRequest[], layers: readonly number[], hp: SpreadHparams, solve: LayerSolver, options: { keysAfter: boolean }): Promise<DeltaOperation & { keysAfter: Map<number, DenseMatrix> }> {
  const { model, tokenizer } = context;
  checkLocatableRequests(method, requests);
  for (const l of layers) if (l >= model.config.layers) throw new Error(`${method}: layer ${l} does not exist (the model has ${model.config.layers})`);
  const zLayer = layers[layers.length - 1];
  checkReachableLayer(method, tokenizer, requests, Math.max(...layers), model.config.layers);
  const templates = await contextTemplates(model, tokenizer, hp.contextTemplates);

  // Every request's z at once: several requests' rows share each loss run (larger MatMuls).
  const values = await optimizeValues(model, tokenizer, requests.map((r) => ({ prompt: r.prompt, subject: r.subject!, target: r.target_new })), templates, zLayer, 'resid', hp.value);
  const targets = values.map(({ initial, delta }) => Float32Array.from(initial, (x, j) => x + delta[j]));

  // Every layer's statistics before any layer is updated: computed inside the loop, a layer's
  // C = E[k kᵀ] would come from a model with the earlier layers' updates in place (and, being
  // cached per model, stay that way for every later call).
  const moments = new Map<number, KeyMoment>();
  for (const layer of layers) moments.set(layer, await keyMoment(model, tokenizer, context.statsCorpus, layer, hp.keyMoment.samples, context.statsCacheDir));
  return spreadTargets(context, method, requests, layers, templates, targets, moments, solve, options);
}

/**
 * The spread's second half, from each request's target z at the last layer: for each layer in
 * order, that layer's keys (with the earlier layers' updates in place), its share of the residual
 * still missing at the last layer, and the solve (exported for the reference check).
 */
export async function spreadTargets(context: EditContext, method: string, requests: readonly EditRequest[], layers: readonly number[], templates: readonly string[], targets: readonly Float32Array[], moments: ReadonlyMap<number, KeyMoment>, solve: LayerSolver, options: { keysAfter: boolean }): Promise<DeltaOperation & { keysAfter: Map<number, DenseMatrix> }> {
  const { model, tokenizer } = context;
  const zLayer = layers[layers.length - 1];
  const subjects = requests.map((r) => ({ prompt: r.prompt, subject: r.subject! }));
  const bare = requests.map((r) => ({ text: r.prompt, subject: r.subject! }));
  const operation: DeltaOperation = { kind: 'delta', method, requests: requests.map((_, i) => i), factors: [] };
  const restore = snapshotFor(model.config, model.weights, [{ ...operation, factors: layers.map((layer) => ({ layer, u: dummy, v: dummy })) }]);
  const keysAfter = new Map<number, DenseMatrix>();
  try {
    for (const [i, layer] of layers.entries()) {
      const keys = columns(await averagedKeys(model, tokenizer, subjects, templates, layer));
      const current = (await subjectStates(model, tokenizer, bare, [{ kind: 'resid', layer: zLayer }])).map((s) => s[0]);
      // This layer's share of what is still missing at the target layer.
      const share = layers.length - i;
      const residual = columns(current.map((h, n) => Float32Array.from(h, (x, j) => (targets[n][j] - x) / share)));
      const factor = { layer, u: toFactor(residual), v: toFactor(solve(layer, keys, moments.get(layer)!)) };
      operation.factors.push(factor);
      commitDelta(model.config, model.weights, { ...operation, factors: [factor] });
    }
    // Keys with every layer's update in place (AlphaEdit keeps them as preserved knowledge), all layers in one forward.
    if (options.keysAfter) for (const [layer, keys] of await averagedKeysAt(model, tokenizer, subjects, templates, layers)) keysAfter.set(layer, columns(keys));
  } finally {
    restore();
  }
  return { ...operation, keysAfter };
}

const dummy = { dtype: 'float32' as const, shape: [0, 0], data: new Float32Array(0) };
