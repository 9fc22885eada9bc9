import type { EditMethod } from '../edit-method';
import { fineTuneDelta, fineTuneHparams } from '../ft/fine-tune';

const ftmHparams = fineTuneHparams.extend({
  steps: fineTuneHparams.shape.steps.default(40),
  lr: fineTuneHparams.shape.lr.default(2e-3),
});

/**
 * FT-M (survey §4, EasyEdit's FT with masked prompt): fine-tunes one MLP output projection on
 * the cross-entropy of the target tokens only, prompt masked. One delta per compute call.
 */
export const ftmMethod: EditMethod<typeof ftmHparams> = {
  name: 'ft-m',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: ftmHparams,
  compute: async (context, requests, hp) => [await fineTuneDelta(context, requests, hp, 'target', 'ft-m')],
};
