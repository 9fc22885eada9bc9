import { createHash } from 'node:crypto';
import type { StatsCorpus } from '../editors/edit-method';
import { buildCorpus } from './corpus/build-corpus';
import type { World } from './types';

/**
 * The fixture world's training corpus as the key-statistics sample (what Wikipedia is to ROME on
 * GPT-2): the model's own general distribution of MLP keys. Built on first use, in its seeded order.
 */
export function worldStatsCorpus(world: World): StatsCorpus {
  let texts: string[] | undefined;
  const digest = createHash('sha256').update(JSON.stringify(world)).digest('hex').slice(0, 12);
  return {
    id: `world-corpus:${digest}`,
    texts: () => (texts ??= buildCorpus(world).map((e) => e.text)),
  };
}
