import type { Routing } from './applied-edits';
import type { GeneralAbility } from './general-ability';
import { mean, round } from './metrics';
import type { StoredResult } from './run-store';
import type { WildAccuracy, WildCaseResult } from './measure-wild';

/** One method on one dataset under one protocol, in the survey's units (percent; fluency as entropy). */
export interface EvalSummary {
  method: string;
  dataset: string;
  mode: 'single' | 'sequential' | 'batch';
  n: number;
  editSucc: number | null;
  portability: number | null;
  locality: number | null;
  fluency: number | null;
  baseFluency: number | null;
  secondsPerEdit: number;
  routing: Routing;
  commit: boolean;
  reliability: number | null;
  generalization: number | null;
  portabilityByGroup: Record<string, number>;
  localityByGroup: Record<string, number>;
  generalAbility: { before: GeneralAbility; after: GeneralAbility } | null;
  /** The wild protocol's scores beside the teacher-forced ones above; null when it was not run. */
  wild: WildSummary | null;
  /** ConvSent's own metrics (survey §4.1), present only for ConvSent datasets. */
  convsent?: ConvSentSummary;
}

/**
 * ConvSent (survey §4.1): Edit Succ. = z_sentiment · z_topic of the edited model's generated
 * answers (percent; reliability on the edit prompt, generalization on its rephrasings), and
 * Locality = KL(unedited ‖ edited) on other topics' prompts, in nats: lower is better.
 */
export interface ConvSentSummary {
  editSucc: number | null;
  reliability: number | null;
  generalization: number | null;
  /** Percent of answers with the target sentiment, and naming the topic. */
  sentiment: number | null;
  topic: number | null;
  klLocality: number | null;
}

/** Edit Succ. and portability in the wild, by one way of matching the generated answer (percent). */
export interface WildScores {
  editSucc: number | null;
  reliability: number | null;
  generalization: number | null;
  portability: number | null;
  portabilityByGroup: Record<string, number>;
}

/**
 * The wild protocol (Yang et al. 2025): the edited model generates its answer greedily, as the
 * daemon serves it, up to the first sentence or line. `exactMatch`: the normalised answer is the
 * target or an alias; `contains`: it contains one. Locality: the answer is the unedited model's.
 */
export interface WildSummary {
  answerTokens: number;
  exactMatch: WildScores;
  contains: WildScores;
  locality: number | null;
  localityByGroup: Record<string, number>;
}

/**
 * Dataset means of per-record scores, each over the records that have that metric (a record
 * without portability probes does not count as 0): EasyEdit's summary of KnowEdit.
 */
export function summarize(
  head: Pick<EvalSummary, 'method' | 'dataset' | 'mode' | 'routing' | 'commit'>,
  results: readonly StoredResult[],
  generalAbility: EvalSummary['generalAbility'] = null,
  wildAnswerTokens?: number,
): EvalSummary {
  const percent = percentOf(results);
  const requests = results.reduce((s, r) => s + r.requests, 0);
  return {
    ...head,
    n: results.length,
    editSucc: percent((r) => r.editSucc),
    portability: percent((r) => r.portability),
    locality: percent((r) => r.locality),
    fluency: present(results.map((r) => r.fluency), (v) => round(v, 3)),
    baseFluency: present(results.map((r) => r.baseFluency), (v) => round(v, 3)),
    secondsPerEdit: requests ? round(results.reduce((s, r) => s + r.seconds, 0) / requests, 6) : 0,
    reliability: percent((r) => r.reliability),
    generalization: percent((r) => r.generalization),
    portabilityByGroup: groupMeans(results.map((r) => r.portabilityByGroup)),
    localityByGroup: groupMeans(results.map((r) => r.localityByGroup)),
    generalAbility,
    wild: wildAnswerTokens ? summarizeWild(results, wildAnswerTokens) : null,
    ...(results.some((r) => r.convsent) ? { convsent: summarizeConvSent(results) } : {}),
  };
}

function summarizeConvSent(results: readonly StoredResult[]): ConvSentSummary {
  const convsent = results.flatMap((r) => (r.convsent ? [r.convsent] : []));
  const percent = percentOf(convsent);
  return {
    editSucc: percent((c) => c.editSucc),
    reliability: percent((c) => c.reliability),
    generalization: percent((c) => c.generalization),
    sentiment: percent((c) => c.sentiment),
    topic: percent((c) => c.topic),
    klLocality: present(convsent.map((c) => c.klLocality), (v) => round(v, 4)),
  };
}

function summarizeWild(results: readonly StoredResult[], answerTokens: number): WildSummary {
  const wild = results.flatMap((r) => (r.wild ? [r.wild] : []));
  const percent = percentOf(wild);
  const scores = (pick: (w: WildCaseResult) => WildAccuracy): WildScores => ({
    editSucc: percent((w) => pick(w).editSucc),
    reliability: percent((w) => pick(w).reliability),
    generalization: percent((w) => pick(w).generalization),
    portability: percent((w) => pick(w).portability),
    portabilityByGroup: groupMeans(wild.map((w) => pick(w).portabilityByGroup)),
  });
  return { answerTokens, exactMatch: scores((w) => w.exactMatch), contains: scores((w) => w.contains), locality: percent((w) => w.locality), localityByGroup: groupMeans(wild.map((w) => w.localityByGroup)) };
}

/** The dataset mean of a per-record fraction, in percent, over the records that have it. */
function percentOf<R>(results: readonly R[]): (pick: (r: R) => number | null | undefined) => number | null {
  return (pick) => present(results.map(pick), (v) => round(100 * v, 2));
}

function present(values: ReadonlyArray<number | null | undefined>, shape: (v: number) => number): number | null {
  const kept = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  return kept.length ? shape(mean(kept)) : null;
}

function groupMeans(perRecord: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const groups = [...new Set(perRecord.flatMap((g) => Object.keys(g)))];
  return Object.fromEntries(groups.map((g) => [g, round(100 * mean(perRecord.flatMap((r) => (g in r ? [r[g]] : []))), 2)]));
}
