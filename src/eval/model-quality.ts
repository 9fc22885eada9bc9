import type { LanguageModel } from '../models/language-model';
import type { KedTokenizer } from '../models/tokenizer';
import { factProbes, heldOutTemplateProbes, iclCopyProbes, melloFormatProbes, refusalProbes, twoHopProbes } from '../world/probes';
import type { World } from '../world/types';
import { meanTokenAccuracy } from './teacher-forcing';

/** The fixture model's quality report (issue #5), in percent token accuracy. */
export interface ModelQuality {
  factAcc: number;
  heldOutTemplateAcc: number;
  iclCopyAcc: number;
  twoHopAcc: number;
  melloFormatAcc: number;
  refusalAcc: number;
  probesPerSet: Record<string, number>;
}

const PROBE_SETS = {
  factAcc: factProbes,
  heldOutTemplateAcc: heldOutTemplateProbes,
  iclCopyAcc: iclCopyProbes,
  twoHopAcc: twoHopProbes,
  melloFormatAcc: melloFormatProbes,
  refusalAcc: refusalProbes,
} as const;

/**
 * Scores the model on each probe set of the world by teacher forcing. `maxPerSet` samples each
 * set (seeded, so reports are comparable); undefined scores every probe.
 */
export async function measureModelQuality(
  model: LanguageModel,
  tokenizer: KedTokenizer,
  world: World,
  options: { maxPerSet?: number; onSet?: (name: string) => void } = {},
): Promise<ModelQuality> {
  const result: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const [name, probesOf] of Object.entries(PROBE_SETS)) {
    const probes = probesOf(world, { max: options.maxPerSet });
    counts[name] = probes.length;
    result[name] = Math.round((await meanTokenAccuracy(model, tokenizer, probes)) * 100) / 100;
    options.onSet?.(name);
  }
  return { ...(result as Omit<ModelQuality, 'probesPerSet'>), probesPerSet: counts };
}
