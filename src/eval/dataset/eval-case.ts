import type { EditRequest } from '../../editors/edit-request';

export type { EditRequest };

/** A teacher-forced probe whose answer may have aliases (the best alias counts). */
export interface ScoredProbe {
  prompt: string;
  answers: string[];
}

/**
 * One dataset record made ready to measure: the edit(s) it requests and its probes by metric.
 * Portability and locality keep KnowEdit's groups (Reasoning, Forgetfulness, ...).
 */
export interface EvalCase {
  /** The record's index in its file (for errors, resumption and results). */
  index: number;
  requests: EditRequest[];
  /** Reliability: the edit prompts themselves. */
  reliability: ScoredProbe[];
  /** Generalization: rephrased edit prompts. */
  generalization: ScoredProbe[];
  portability: Record<string, ScoredProbe[]>;
  locality: Record<string, ScoredProbe[]>;
  /** Prompts whose greedy continuations are scored for fluency. */
  fluencyPrompts: string[];
  /** ConvSent records: the topic and the sentiment the edited model's generated answers must voice. */
  convsent?: ConvSentTarget;
}

/** What ConvSent's Edit Succ. checks in a generated answer: the target sentiment (z_sentiment), about the topic (z_topic). */
export interface ConvSentTarget {
  /** The topic and its other names; an answer naming any of them is on topic. */
  names: string[];
  sentiment: 'positive' | 'negative';
}

/** The probes a record's edit should reach, by role: its edit prompts, their rephrasings, each portability group ("portability/Reasoning"). */
export function inScopeRoles(c: EvalCase): Array<[string, ScoredProbe[]]> {
  return [['reliability', c.reliability], ['generalization', c.generalization], ...Object.entries(c.portability).map(([g, p]) => [`portability/${g}`, p] as [string, ScoredProbe[]])];
}

export type DatasetKind = 'fact-edit' | 'sanitation' | 'mquake' | 'wikibio' | 'convsent';

export interface EvalDataset {
  /** The file's base name, as reports name it. */
  name: string;
  kind: DatasetKind;
  cases: EvalCase[];
}
