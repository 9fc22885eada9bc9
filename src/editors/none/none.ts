import { z } from 'zod';
import type { EditMethod } from '../edit-method';

/** The unedited model: the baseline every table needs (locality 100 by definition). */
export const noneMethod: EditMethod = {
  name: 'none',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: z.strictObject({}),
  compute: async () => [],
};
