import type { ProbeEdits, ProbeView } from './applied-edits';
import { inScopeRoles, type EvalCase, type ScoredProbe } from './dataset/eval-case';
import { bestOverAliases } from './ground-truth';
import { argmaxAgreement, byGroup, mean, meanOfPresent, nullIfNaN } from './metrics';
import { measureWild, preEditLocalityAnswers, type WildCaseResult } from './measure-wild';
import { measureConvSent, preEditConvSentDistributions, type ConvSentCaseResult } from './measure-convsent';
import { Scorer, type MeasureOptions, type ScoreJob } from './scorer';

export type { MeasureOptions } from './scorer';

/** One record's scores, as fractions (entropy for fluency); null where the record has no such probes. */
export interface CaseResult {
  index: number;
  reliability: number;
  generalization: number | null;
  /** Mean of reliability and generalization (the survey's Edit Succ.). */
  editSucc: number;
  /** Mean over the portability groups present (EasyEdit's per-record summary). */
  portability: number | null;
  portabilityByGroup: Record<string, number>;
  locality: number | null;
  localityByGroup: Record<string, number>;
  fluency: number | null;
  baseFluency: number | null;
  /** The wild protocol's scores (generated answers), when it was asked for. */
  wild?: WildCaseResult;
  /** ConvSent's Edit Succ. (sentiment and topic of generated answers) and KL locality, for ConvSent records. */
  convsent?: ConvSentCaseResult;
}

/** The unedited model's side of the comparison: locality argmax tokens, fluency and (wild) locality answers, per record. */
export interface PreEditReference {
  localityArgmax: Map<string, number[]>;
  fluency: Map<number, number>;
  localityAnswers?: Map<string, string>;
  /** ConvSent records: next-token distributions on the locality probes, for the KL locality. */
  convsentDistributions?: Map<string, Float64Array[]>;
}

const localityKey = (record: number, group: string, probe: number, alias: number) => `${record}/${group}/${probe}/${alias}`;

/** Pre-edit reference for the given records: the same passes as measureCases, with no edit applied. */
export async function measurePreEdit(options: MeasureOptions, cases: readonly EvalCase[]): Promise<PreEditReference> {
  const none: ProbeView = { contexts: [], deltas: [] };
  const scorer = new Scorer(options);
  const locality = localityJobs(cases, () => none);
  const scores = await scorer.score(locality.map((l) => l.job));
  const localityArgmax = new Map(locality.map((l, i) => [l.key, scores[i].argmax]));
  const fluency = options.skipFluency ? new Map<number, number>() : await scorer.fluency(cases, () => none);
  const localityAnswers = options.wildAnswerTokens ? await preEditLocalityAnswers(scorer, cases, options.wildAnswerTokens) : undefined;
  const convsentDistributions = cases.some((c) => c.convsent) ? await preEditConvSentDistributions(scorer, cases) : undefined;
  return { localityArgmax, fluency, localityAnswers, convsentDistributions };
}

/** Measures every metric of the given records under the applied edits. */
export async function measureCases(options: MeasureOptions, cases: readonly EvalCase[], edits: ProbeEdits, reference: PreEditReference): Promise<CaseResult[]> {
  const judge = cases.some((c) => c.convsent) ? sentimentJudge(options) : undefined;
  const scorer = new Scorer(options);
  // Locality first and in the same order and batches as measurePreEdit: a record no edit reaches
  // then gets bit-identical forward passes, so `none` scores exactly 100.
  const locality = localityJobs(cases, (c) => edits.view(c.index, false));
  const localityScores = await scorer.score(locality.map((l) => l.job));
  const agreement = new Map(locality.map((l, i) => [l.key, argmaxAgreement(reference.localityArgmax.get(l.key)!, localityScores[i].argmax)]));

  const inScope: Array<{ record: number; role: string; probe: number; job: ScoreJob }> = [];
  for (const c of cases) {
    const view = edits.view(c.index, true);
    for (const [role, probes] of inScopeRoles(c)) probes.forEach((p, i) => p.answers.forEach((answer) => inScope.push({ record: c.index, role, probe: i, job: { view, prompt: p.prompt, answer } })));
  }
  const scores = await scorer.score(inScope.map((s) => s.job));
  const accuracy = new Map<string, number[]>();
  inScope.forEach((s, i) => {
    const key = `${s.record}/${s.role}/${s.probe}`;
    accuracy.set(key, [...(accuracy.get(key) ?? []), scores[i].accuracy]);
  });
  const fluency = options.skipFluency ? new Map<number, number>() : await scorer.fluency(cases, (c) => edits.view(c.index, true));
  const wild = options.wildAnswerTokens ? await measureWild(scorer, cases, edits, reference.localityAnswers ?? new Map(), options.wildAnswerTokens) : undefined;
  const convsent = judge ? await measureConvSent(scorer, judge, cases, edits, reference.convsentDistributions ?? new Map()) : undefined;

  return cases.map((c) => {
    const probeScores = (role: string, probes: readonly ScoredProbe[]) => probes.map((_, i) => bestOverAliases(accuracy.get(`${c.index}/${role}/${i}`) ?? []));
    const reliability = mean(probeScores('reliability', c.reliability));
    const generalization = mean(probeScores('generalization', c.generalization));
    const portabilityByGroup = byGroup(c.portability, (g, probes) => mean(probeScores(`portability/${g}`, probes)));
    const localityByGroup = byGroup(c.locality, (g, probes) => mean(probes.map((p, i) => bestOverAliases(p.answers.map((_, a) => agreement.get(localityKey(c.index, g, i, a))!)))));
    return {
      index: c.index,
      reliability,
      generalization: nullIfNaN(generalization),
      editSucc: meanOfPresent([reliability, generalization]),
      portability: nullIfNaN(meanOfPresent(Object.values(portabilityByGroup))),
      portabilityByGroup,
      locality: nullIfNaN(meanOfPresent(Object.values(localityByGroup))),
      localityByGroup,
      fluency: fluency.get(c.index) ?? null,
      baseFluency: reference.fluency.get(c.index) ?? null,
      ...(wild ? { wild: wild.get(c.index)! } : {}),
      ...(convsent?.has(c.index) ? { convsent: convsent.get(c.index)! } : {}),
    };
  });
}

function sentimentJudge(options: MeasureOptions): NonNullable<MeasureOptions['sentiment']> {
  if (!options.sentiment) throw new Error('ConvSent records need a sentiment scorer (MeasureOptions.sentiment; `ked sentiment train` writes models/sentiment/classifier.json)');
  return options.sentiment;
}

function localityJobs(cases: readonly EvalCase[], viewOf: (c: EvalCase) => ProbeView): Array<{ key: string; job: ScoreJob }> {
  const out: Array<{ key: string; job: ScoreJob }> = [];
  for (const c of cases) {
    const view = viewOf(c);
    for (const [group, probes] of Object.entries(c.locality)) {
      probes.forEach((p, i) => p.answers.forEach((answer, a) => out.push({ key: localityKey(c.index, group, i, a), job: { view, prompt: p.prompt, answer } })));
    }
  }
  return out;
}
