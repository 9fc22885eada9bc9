import { z } from 'zod';
import { matmul, nullSpaceProjector, solve, zeros, type DenseMatrix } from '../../runtime/linalg';
import type { EditContext, EditMethod } from '../edit-method';
import type { EditOperation } from '../edit-operation';
import { contextTemplatesOptions, keyMomentSchema, valueOptimization } from '../locate/hparams';
import { spreadOverLayers } from '../locate/layer-spread';
import { keyMoment, type KeyMoment } from '../locate/layer-stats';
import { addProduct, derivedFromMoment, toFactor } from '../locate/moment-solve';

export const alphaEditHparams = z.strictObject({
  layers: z.array(z.number().int().min(0)).min(1).default([1, 2]),
  /**
   * No generated prefixes by default: keys averaged over prefixes share a prefix-made component
   * that falls mostly in the null space, so each later edit fights the earlier ones
   * (reports/hparam-choices.md).
   */
  contextTemplates: contextTemplatesOptions({ count: 0 }),
  keyMoment: keyMomentSchema,
  value: valueOptimization({ steps: 150, lossThreshold: 0.01 }),
  /**
   * Eigenvalues of C below this fraction of the largest span the null space kept open for edits
   * (AlphaEdit uses an absolute 2e-2 on GPT-2 XL's covariance; relative travels across models).
   */
  nullSpaceThreshold: z.number().positive().max(1).default(5e-3),
  /**
   * α in (P·(K·Kᵀ + K_p·K_pᵀ) + α·I), AlphaEdit's L2: shrinks each update where its projected
   * keys are short, trading Edit Succ. for locality over sequential edits (reports/hparam-choices.md).
   */
  l2: z.number().positive().default(10), // AlphaEdit's own value (GPT-2 XL, GPT-J, Llama3-8B)
});
export type AlphaEditHparams = z.infer<typeof alphaEditHparams>;

/**
 * AlphaEdit (Fang et al. 2025): MEMIT's update projected onto the null space of preserved keys.
 * P projects onto the eigenvectors of C = E[k kᵀ] with (relatively) small eigenvalues, so
 * Δ·P·k ≈ 0 for the keys of what the model knew; keys of earlier edits K_p are accumulated in the
 * method state and enter the solve, so later edits leave earlier ones in place:
 *   V = (P·(K·Kᵀ + K_p·K_pᵀ) + α·I)⁻¹·P·K,  ΔW = V·Rᵀ.
 */
export const alphaEditMethod: EditMethod<typeof alphaEditHparams> = {
  name: 'alphaedit',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: alphaEditHparams,
  compute: async (context, requests, hp) => {
    const state = context.methodState ?? new Map<string, unknown>();
    // P·K_p·K_pᵀ per layer, kept already projected: each solve then costs O(d_ff²·n) to set up
    // instead of a d_ff³ product.
    const projectedPreserved = (layer: number, n: number): DenseMatrix => {
      const key = `alphaedit.preserved.${layer}`;
      if (!state.has(key)) state.set(key, zeros(n, n));
      return state.get(key) as DenseMatrix;
    };
    const solver = (layer: number, keys: DenseMatrix, moment: KeyMoment): DenseMatrix => {
      const p = projectorFor(moment, hp.nullSpaceThreshold);
      const n = keys.rows;
      const pk = matmul(p, keys);
      const a = { rows: n, cols: n, data: projectedPreserved(layer, n).data.slice() };
      addProduct(a, pk, keys);
      for (let i = 0; i < n; i++) a.data[i * n + i] += hp.l2;
      return solve(a, pk);
    };
    const { keysAfter, ...computed } = await spreadOverLayers(context, 'alphaedit', requests, hp.layers, hp, solver, { keysAfter: true });
    const operation = { ...computed, preserved: [...keysAfter].map(([layer, keys]) => ({ layer, keys: toFactor(keys) })) };
    await accountPreserved(context, state, operation, 1, hp);
    return [operation];
  },
  account: (context, state, operation, sign, hp) => accountPreserved(context, state, operation, sign, hp),
};

/** Adds (sign 1) or removes (−1) an operation's preserved keys to P·K_p·K_pᵀ of each layer. */
async function accountPreserved(context: EditContext, state: Map<string, unknown>, operation: EditOperation, sign: 1 | -1, hp: AlphaEditHparams): Promise<void> {
  if (operation.kind !== 'delta' || !operation.preserved) return;
  for (const { layer, keys: tensor } of operation.preserved) {
    const [rows, cols] = tensor.shape;
    const keys = { rows, cols, data: Float64Array.from(tensor.data as Float32Array) };
    const moment = await keyMoment(context.model, context.tokenizer, context.statsCorpus, layer, hp.keyMoment.samples, context.statsCacheDir);
    const p = projectorFor(moment, hp.nullSpaceThreshold);
    const key = `alphaedit.preserved.${layer}`;
    if (!state.has(key)) state.set(key, zeros(rows, rows));
    const projected = matmul(p, keys);
    if (sign === -1) for (let i = 0; i < projected.data.length; i++) projected.data[i] = -projected.data[i];
    addProduct(state.get(key) as DenseMatrix, projected, keys);
  }
}

/** The null-space projector of a layer's C, computed once per statistics and threshold and kept beside them (memory and disk). */
function projectorFor(moment: KeyMoment, threshold: number): DenseMatrix {
  return derivedFromMoment(moment, `nullspace.relative${threshold}`, () => nullSpaceProjector(moment.moment, threshold, { relative: true }).projector);
}
