import type { ProbeEdits, ProbeView } from './applied-edits';
import { inScopeRoles, type EvalCase, type ScoredProbe } from './dataset/eval-case';
import { containsAnswer, exactMatch, normalizeAnswer } from './answer-match';
import { byGroup, mean, meanOfPresent, nullIfNaN } from './metrics';
import type { AnswerJob, Scorer } from './scorer';

/** Edit Succ. and portability of one record in the wild, by one way of matching answers (fractions). */
export interface WildAccuracy {
  reliability: number;
  generalization: number | null;
  editSucc: number;
  portability: number | null;
  portabilityByGroup: Record<string, number>;
}

/**
 * One record scored in the wild (Yang et al. 2025): the edited model generates its own answer
 * and is not fed the target. `exactMatch`: the normalised answer is the target or an alias; `contains`:
 * it contains one. Locality: the edited model's answer is the unedited model's (normalised).
 */
export interface WildCaseResult {
  exactMatch: WildAccuracy;
  contains: WildAccuracy;
  locality: number | null;
  localityByGroup: Record<string, number>;
  /** The generated answers by role ("reliability", "portability/Reasoning", "locality/Forgetfulness"), in probe order. */
  answers: Record<string, string[]>;
}

const localityKey = (record: number, group: string, probe: number) => `${record}/${group}/${probe}`;

/** The unedited model's answers to the locality probes, keyed by record, group and probe. */
export async function preEditLocalityAnswers(scorer: Scorer, cases: readonly EvalCase[], maxTokens: number): Promise<Map<string, string>> {
  const none: ProbeView = { contexts: [], deltas: [] };
  const jobs = localityJobs(cases, () => none);
  const answers = await scorer.answers(jobs.map((j) => j.job), maxTokens);
  return new Map(jobs.map((j, i) => [j.key, answers[i]]));
}

/** Every record's wild scores under the applied edits, against the unedited model's locality answers. */
export async function measureWild(scorer: Scorer, cases: readonly EvalCase[], edits: ProbeEdits, preEdit: ReadonlyMap<string, string>, maxTokens: number): Promise<Map<number, WildCaseResult>> {
  // Locality in the same order and batches as preEditLocalityAnswers: a record no edit reaches
  // then generates bit-identically, so `none` keeps 100.
  const locality = localityJobs(cases, (c) => edits.view(c.index, false));
  const localityAnswers = await scorer.answers(locality.map((l) => l.job), maxTokens);
  const answerOf = new Map(locality.map((l, i) => [l.key, localityAnswers[i]]));

  const inScope: Array<{ key: string; job: AnswerJob }> = [];
  for (const c of cases) {
    const view = edits.view(c.index, true);
    for (const [role, probes] of inScopeRoles(c)) probes.forEach((p, i) => inScope.push({ key: `${c.index}/${role}/${i}`, job: { view, prompt: p.prompt } }));
  }
  const inScopeAnswers = await scorer.answers(inScope.map((s) => s.job), maxTokens);
  inScope.forEach((s, i) => answerOf.set(s.key, inScopeAnswers[i]));

  return new Map(
    cases.map((c) => {
      const said = (role: string, i: number) => answerOf.get(`${c.index}/${role}/${i}`)!;
      const accuracy = (matches: (answer: string, aliases: readonly string[]) => boolean): WildAccuracy => {
        const score = (role: string, probes: readonly ScoredProbe[]) => mean(probes.map((p, i) => (matches(said(role, i), p.answers) ? 1 : 0)));
        const reliability = score('reliability', c.reliability);
        const generalization = score('generalization', c.generalization);
        const portabilityByGroup = byGroup(c.portability, (g, probes) => score(`portability/${g}`, probes));
        return { reliability, generalization: nullIfNaN(generalization), editSucc: meanOfPresent([reliability, generalization]), portability: nullIfNaN(meanOfPresent(Object.values(portabilityByGroup))), portabilityByGroup };
      };
      const localityByGroup = byGroup(c.locality, (g, probes) => mean(probes.map((_, i) => (normalizeAnswer(answerOf.get(localityKey(c.index, g, i))!) === normalizeAnswer(preEdit.get(localityKey(c.index, g, i))!) ? 1 : 0))));
      const answers: Record<string, string[]> = {};
      for (const [role, probes] of inScopeRoles(c)) if (probes.length) answers[role] = probes.map((_, i) => said(role, i));
      for (const [g, probes] of Object.entries(c.locality)) if (probes.length) answers[`locality/${g}`] = probes.map((_, i) => answerOf.get(localityKey(c.index, g, i))!);
      const result: WildCaseResult = { exactMatch: accuracy(exactMatch), contains: accuracy(containsAnswer), locality: nullIfNaN(meanOfPresent(Object.values(localityByGroup))), localityByGroup, answers };
      return [c.index, result];
    }),
  );
}

function localityJobs(cases: readonly EvalCase[], viewOf: (c: EvalCase) => ProbeView): Array<{ key: string; job: AnswerJob }> {
  const out: Array<{ key: string; job: AnswerJob }> = [];
  for (const c of cases) {
    const view = viewOf(c);
    for (const [group, probes] of Object.entries(c.locality)) probes.forEach((p, i) => out.push({ key: localityKey(c.index, group, i), job: { view, prompt: p.prompt } }));
  }
  return out;
}
