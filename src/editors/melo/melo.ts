import { z } from 'zod';
import type { EditMethod } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import { cosineDistance, promptKeys, unit } from '../keys/hidden-keys';
import { loraDelta, loraHparams } from '../lora/lora';

const meloHparams = loraHparams.extend({
  /** Where a request's key is read: the residual stream after this block. */
  keyLayer: z.number().int().min(0).default(3),
  keyPosition: z.enum(['last', 'mean']).default('last'),
  /** Cosine distance within which a key selects a block (and an edit joins a block). */
  radius: z.number().positive().max(2).default(0.2),
});
export type MeloHparams = z.infer<typeof meloHparams>;

/**
 * MELO (Yu et al. 2024; survey §3.3.2): edits are LoRA blocks indexed by hidden-state keys. The
 * edits of a call are clustered by their prompts' keys (an edit within `radius` of a block's
 * centre joins it), each block is a LoRA adapter trained on its edits (ked's `lora`), and at
 * inference the request's key selects the nearest block within its radius, or none, so
 * requests far from every edit run the unedited model. Blocks are not merged across calls.
 */
export const meloMethod: EditMethod<typeof meloHparams> = {
  name: 'melo',
  capabilities: { batchable: true, routable: true, committable: false, needsTrainSplit: false },
  // The keys route; the harness's oracle routing would hide what they do.
  hparams: meloHparams,
  compute: async (context, requests, hp) => {
    if (hp.keyLayer >= context.model.config.layers) throw new Error(`melo: key layer ${hp.keyLayer} does not exist (the model has ${context.model.config.layers})`);
    const spec = { tap: { kind: 'resid' as const, layer: hp.keyLayer }, position: hp.keyPosition };
    const keys = await promptKeys(context.model, context.tokenizer, requests.map((r) => r.prompt), spec);
    const blocks: Array<{ members: number[]; center: Float32Array }> = [];
    keys.forEach((key, i) => {
      // The nearest block within the radius takes the edit; its centre moves to its members' mean.
      let near: (typeof blocks)[number] | undefined;
      let nearest = hp.radius;
      for (const block of blocks) {
        const distance = cosineDistance(key, block.center);
        if (distance <= nearest) [near, nearest] = [block, distance];
      }
      if (!near) blocks.push({ members: [i], center: key });
      else {
        near.members.push(i);
        near.center = unit(near.members.reduce((sum, m) => sum.map((x, d) => x + keys[m][d]), new Float32Array(key.length)));
      }
    });
    const out: DeltaOperation[] = [];
    for (const block of blocks) {
      const delta = await loraDelta(context, block.members.map((m) => requests[m]), hp, 'melo');
      out.push({ ...delta, requests: block.members, key: { ...spec, center: { dtype: 'float32', shape: [block.center.length], data: block.center }, radius: hp.radius } });
    }
    return out;
  },
};
