import { z } from 'zod';
import type { EditMethod } from '../edit-method';
import { contextTemplatesSchema, keyMomentSchema, valueOptimization } from '../locate/hparams';
import { spreadOverLayers, type LayerSolver } from '../locate/layer-spread';
import { solveMomentPlusKeys } from '../locate/moment-solve';

export const memitHparams = z.strictObject({
  /**
   * The MLPs edited; targets z are set at the last one's output (GPT-J: 3–8 of 28; the fixture's
   * choice is in reports/hparam-choices.md).
   */
  layers: z.array(z.number().int().min(0)).min(1).default([1, 2]),
  contextTemplates: contextTemplatesSchema,
  keyMoment: keyMomentSchema,
  value: valueOptimization({ steps: 150, lossThreshold: 0.01 }),
  /** λ in (λ·C + K·Kᵀ): how much preserved keys weigh against the new ones (mom2_update_weight). */
  momentWeight: z.number().positive().default(10), // GPT-J: 15000; on the fixture 1000 already cancels edits, 30 still edits
});
export type MemitHparams = z.infer<typeof memitHparams>;

/**
 * K·Kᵀ + λ·(C + ridge) solved against K (MEMIT eq. 14: ΔW = R·Kᵀ·(λC + K·Kᵀ)⁻¹), through the
 * factorisation of C cached with the statistics (Woodbury: no d_ff³ work per edit).
 */
export function memitSolver(hp: Pick<MemitHparams, 'momentWeight' | 'keyMoment'>): LayerSolver {
  return (_layer, keys, moment) => solveMomentPlusKeys(moment, hp.keyMoment.ridge, hp.momentWeight, keys);
}

export const memitMethod: EditMethod<typeof memitHparams> = {
  name: 'memit',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: memitHparams,
  compute: async (context, requests, hp) => {
    const { keysAfter: _keys, ...operation } = await spreadOverLayers(context, 'memit', requests, hp.layers, hp, memitSolver(hp), { keysAfter: false });
    return [operation];
  },
};
