import type { LanguageModel } from '../models/language-model';
import type { KedTokenizer } from '../models/tokenizer';
import { factProbes, heldOutTemplateProbes, iclCopyProbes, melloFormatProbes, novelCopyProbes, probesByTemplate, refusalProbes, twoHopProbes } from '../world/probes';
import type { TemplateSplit, World } from '../world/types';
import { meanTokenAccuracy, tokenAccuracies } from './teacher-forcing';

/** The fixture model's quality report (issue #5), in percent token accuracy. */
export interface ModelQuality {
  factAcc: number;
  heldOutTemplateAcc: number;
  iclCopyAcc: number;
  twoHopAcc: number;
  melloFormatAcc: number;
  refusalAcc: number;
  /** In-context copy of a real name the world never uses ("Acme Rail"): objects users send. */
  novelCopyAcc: number;
  probesPerSet: Record<string, number>;
}

const PROBE_SETS = {
  factAcc: factProbes,
  heldOutTemplateAcc: heldOutTemplateProbes,
  iclCopyAcc: iclCopyProbes,
  twoHopAcc: twoHopProbes,
  melloFormatAcc: melloFormatProbes,
  refusalAcc: refusalProbes,
  novelCopyAcc: novelCopyProbes,
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

/** One wording's token accuracy over every fact of its relation (`ked model quality --by-template`). */
export interface TemplateAccuracy {
  relation: string;
  template: string;
  split: TemplateSplit;
  probes: number;
  accuracy: number;
}

/**
 * Token accuracy per template, worst first: where paraphrase generalisation fails (heldOutTemplateAcc
 * and factAcc are these, weighted by each relation's number of facts).
 */
export async function measureTemplateAccuracy(model: LanguageModel, tokenizer: KedTokenizer, world: World): Promise<TemplateAccuracy[]> {
  const groups = probesByTemplate(world);
  const scores = await tokenAccuracies(model, tokenizer, groups.flatMap((g) => g.probes));
  let at = 0;
  const rows = groups.map((g) => {
    const mine = scores.slice(at, (at += g.probes.length));
    const accuracy = Math.round((1000 * mine.reduce((a, b) => a + b, 0)) / mine.length) / 10;
    return { relation: g.relation, template: g.template, split: g.split, probes: g.probes.length, accuracy };
  });
  return rows.sort((a, b) => a.accuracy - b.accuracy);
}
