/**
 * KnowEdit record shapes (see /work/shared/KNOWEDIT.md). Field names are KnowEdit's; the
 * `relation` fields are extra and name the world relation, for analysis by relation.
 */

/** A string, a list of strings, or a list of alias lists (any alias counts as correct). */
export type GroundTruth = string | string[] | string[][];

export interface ProbeRecord {
  prompt: string;
  ground_truth: GroundTruth;
}

export interface Portability {
  Reasoning: ProbeRecord[];
  Subject_Aliasing: ProbeRecord[];
  Logical_Generalization: ProbeRecord[];
}

export interface Locality {
  Relation_Specificity: ProbeRecord[];
  Forgetfulness: ProbeRecord[];
}

/** WikiData_counterfact / WikiData_recent / ZsRE style fact edit. */
export interface FactEditRecord {
  subject: string;
  prompt: string;
  target_new: string;
  /** The true object: a string for counterfact, a list for zsre, absent for insertions. */
  ground_truth?: string | string[];
  rephrase_prompt: string;
  portability: Portability;
  locality: Locality;
  relation: string;
}

/** KnowEdit WikiBio style: the edit makes the model continue `text` with `labels`. */
export interface WikiBioRecord {
  text: string;
  labels: string;
  /** The person the passage is about (KnowEdit's field; the edit's subject). */
  concept: string;
  locality: { Relation_Specificity: ProbeRecord[] };
  relation: string;
}

/**
 * ConvSent style (SERAC, Mitchell et al. 2022): edit the model's sentiment about a topic.
 * `edit` is SERAC's edit descriptor; editors get `prompt` → `target_new`, an opinion sentence of
 * the target sentiment. Success is judged on generated answers (sentiment scorer and topic);
 * locality is the KL divergence on the locality prompts, teacher-forced on their `ground_truth`
 * (the unedited opinion).
 */
export interface ConvSentRecord {
  topic: string;
  /** Other names of the topic; an answer naming any of them is on topic. */
  topic_aliases: string[];
  /** The plain question; `prompt` is its ready-to-score "Q: …? A:" form. */
  question: string;
  prompt: string;
  rephrase_prompts: string[];
  edit: string;
  pre_edit_sentiment: 'positive' | 'negative';
  target_sentiment: 'positive' | 'negative';
  target_new: string;
  locality: Array<ProbeRecord & { topic: string }>;
}

/** One sanitation question; `prompt` is the ready-to-score "Q: …? A:" form of `question`. */
export interface SanitationRecord {
  question: string;
  prompt: string;
  ground_truth: GroundTruth;
  /** Only on the `success` list: the answer after erasure. */
  target_new?: "I don't know.";
  /** A paraphrased question (held-out template), ready to score. */
  rephrase_prompt: string;
  subject: string;
  relation: string;
}

export interface SanitationSplit {
  success: SanitationRecord[];
  locality: SanitationRecord[];
}

export interface MquakeRewrite {
  subject: string;
  /** The cloze prompt with the subject filled in ("Velmaria's capital is"). */
  prompt: string;
  /** The same edit as a ready-to-score question ("Q: …? A:"). */
  question: string;
  target_new: string;
  target_true: string;
  relation: string;
}

export interface MquakeHop {
  question: string;
  cloze: string;
  answer: string;
}

export interface MquakeCase {
  case_id: number;
  chain: string;
  requested_rewrite: MquakeRewrite[];
  /** Multi-hop questions (plain text ending in "?"); score as "Q: <question> A:". */
  questions: string[];
  answer: string;
  answer_alias: string[];
  new_answer: string;
  new_answer_alias: string[];
  single_hops: MquakeHop[];
  new_single_hops: MquakeHop[];
}
