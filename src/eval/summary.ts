import type { Routing } from './applied-edits';
import type { GeneralAbility } from './general-ability';
import { mean, round } from './metrics';
import type { StoredResult } from './run-store';

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
}

/**
 * Dataset means of per-record scores, each over the records that have that metric (a record
 * without portability probes does not count as 0): EasyEdit's summary of KnowEdit.
 */
export function summarize(
  head: Pick<EvalSummary, 'method' | 'dataset' | 'mode' | 'routing' | 'commit'>,
  results: readonly StoredResult[],
  generalAbility: EvalSummary['generalAbility'] = null,
): EvalSummary {
  const percent = (pick: (r: StoredResult) => number | null | undefined) => present(results.map(pick), (v) => round(100 * v, 2));
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
  };
}

function present(values: ReadonlyArray<number | null | undefined>, shape: (v: number) => number): number | null {
  const kept = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  return kept.length ? shape(mean(kept)) : null;
}

function groupMeans(perRecord: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const groups = [...new Set(perRecord.flatMap((g) => Object.keys(g)))];
  return Object.fromEntries(groups.map((g) => [g, round(100 * mean(perRecord.flatMap((r) => (g in r ? [r[g]] : []))), 2)]));
}
