import type { EditMethod } from '../edit-method';
import { fineTuneDelta, fineTuneHparams } from '../ft/fine-tune';

const ftlHparams = fineTuneHparams.extend({
  steps: fineTuneHparams.shape.steps.default(40),
  lr: fineTuneHparams.shape.lr.default(2e-3),
  // The L∞ radius per weight: a tighter one holds most edits back (reports/hparam-choices.md).
  normConstraint: fineTuneHparams.shape.normConstraint.default(5e-2),
});

/**
 * FT-L (Zhu et al. 2020, as ROME's baseline; survey §4): fine-tunes one MLP output projection
 * with the target scored from the prompt's last position, each weight kept within an L∞ ball
 * around its original value.
 */
export const ftlMethod: EditMethod<typeof ftlHparams> = {
  name: 'ft-l',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: ftlHparams,
  compute: async (context, requests, hp) => [await fineTuneDelta(context, requests, hp, 'prompt-last', 'ft-l')],
};
