import { factProbes, heldOutTemplateProbes, type Probe } from '../world/probes';
import type { World } from '../world/types';
import type { ProbeEdits } from './applied-edits';
import type { EvalCase } from './dataset/eval-case';
import { mean, perplexity, round } from './metrics';
import { Scorer, type MeasureOptions } from './scorer';

/** Survey Table 5: unrelated knowledge must survive the edits. */
export interface GeneralAbility {
  /** Token accuracy (percent) on world facts no edit touches. */
  unrelatedFactAcc: number;
  /**
   * Perplexity of held-out-template fact sentences about untouched subjects: paraphrases the
   * corpus never shows (the fixture trains on the whole corpus, so no corpus slice is held out).
   */
  heldOutPerplexity: number;
  facts: number;
  sentences: number;
}

export interface GeneralAbilityProbes {
  facts: Probe[];
  sentences: Probe[];
}

/**
 * Seeded samples of the world's fact probes and held-out sentences that mention no edited subject
 * and no edit target, so that a perfect editor leaves them unchanged.
 */
export function generalAbilityProbes(world: World, cases: readonly EvalCase[], max: number, seed = 7): GeneralAbilityProbes {
  const touched = [...new Set(cases.flatMap((c) => c.requests.flatMap((r) => [r.subject, r.target_new]).filter((s): s is string => !!s)))];
  const untouched = (p: Probe) => !touched.some((name) => p.prompt.includes(name) || p.target.includes(name));
  // Sample generously, then filter: the sample stays seeded and the same for every method.
  const facts = factProbes(world, { max: max * 3, seed }).filter(untouched).slice(0, max);
  const sentences = heldOutTemplateProbes(world, { max: max * 3, seed }).filter(untouched).slice(0, max);
  return { facts, sentences };
}

/** Unrelated-fact accuracy and held-out perplexity under the edits (unrelated probes see only global edits). */
export async function measureGeneralAbility(options: MeasureOptions, probes: GeneralAbilityProbes, edits: ProbeEdits): Promise<GeneralAbility> {
  const scorer = new Scorer(options);
  const view = edits.view(undefined, false);
  const facts = await scorer.score(probes.facts.map((p) => ({ view, prompt: p.prompt, answer: p.target })));
  // Perplexity of the whole sentence after its first word.
  const sentences = probes.sentences.map((p) => `${p.prompt} ${p.target}`).map((s) => [s.slice(0, s.indexOf(' ')), s.slice(s.indexOf(' ') + 1)]);
  const scored = await scorer.score(sentences.map(([head, tail]) => ({ view, prompt: head, answer: tail })));
  return {
    unrelatedFactAcc: round(100 * mean(facts.map((s) => s.accuracy)), 2),
    heldOutPerplexity: round(perplexity(scored.flatMap((s) => s.logprobs)), 3),
    facts: probes.facts.length,
    sentences: probes.sentences.length,
  };
}
