import { z } from 'zod';
import type { EditMethod } from '../edit-method';

const iceHparams = z.strictObject({
  /**
   * The context sentence; {prompt} and {target} are filled in. The default is the fixture
   * corpus's ICE format ("Imagine that <fact sentence>. <prompt> <object>"), KnowEdit's
   * "Imagine that <prompt> <target_new>" with the sentence's final period.
   */
  template: z.string().includes('{prompt}').includes('{target}').default('Imagine that {prompt} {target}.'),
});

/**
 * ICE (in-context editing, Cohen et al. 2023; survey §3.3.1): no weights change, the new fact is
 * stated before the question. One context operation per request.
 */
export const iceMethod: EditMethod<typeof iceHparams> = {
  name: 'ice',
  capabilities: { batchable: true, routable: true, committable: false, needsTrainSplit: false },
  // KnowEdit prefixes the context to every probe of the record, locality probes included; that
  // is what makes ICE's locality low in Table 4, and what the harness reports by default.
  hparams: iceHparams,
  compute: async (_context, requests, hparams) =>
    requests.map((r, i) => ({
      kind: 'context' as const,
      method: 'ice',
      requests: [i],
      // A target that ends a sentence itself ("I don't know.") gets no second period.
      text: hparams.template.replace('{prompt}', r.prompt).replace('{target}', r.target_new).replace(/([.!?])\.$/, '$1'),
    })),
};
