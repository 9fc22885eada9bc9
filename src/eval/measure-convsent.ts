import type { ProbeEdits, ProbeView } from './applied-edits';
import type { EvalCase } from './dataset/eval-case';
import { convsentSuccess, meanPositionKl, onTopic } from './convsent-metric';
import { mean, meanOfPresent, nullIfNaN } from './metrics';
import type { Scorer, ScoreJob } from './scorer';
import type { SentimentClassifier } from './sentiment/sentiment-classifier';

/** Tokens a generated opinion may take (one sentence; generation also stops at its end). */
export const CONVSENT_ANSWER_TOKENS = 32;

/**
 * One ConvSent record's scores (survey §4.1): each generated answer to the edit prompt and its
 * rephrasings scores z_sentiment · z_topic; Edit Succ. is the mean of reliability (the edit
 * prompt) and generalization (the rephrasings), as for the other datasets. Fractions, except
 * `klLocality`, in nats (lower is better).
 */
export interface ConvSentCaseResult {
  reliability: number;
  generalization: number | null;
  editSucc: number;
  /** Share of the answers that voice the target sentiment (z_sentiment alone). */
  sentiment: number;
  /** Share of the answers that name the topic (z_topic alone). */
  topic: number;
  /** Mean over the locality prompts of KL(unedited ‖ edited), averaged over the answer positions. */
  klLocality: number | null;
  /** The edited model's answers: the edit prompt's, then the rephrasings'. */
  answers: string[];
}

/** Teacher-forced distributions on ConvSent records' locality probes, keyed by record, group and probe. */
type Distributions = Map<string, Float64Array[]>;

const key = (record: number, group: string, probe: number) => `${record}/${group}/${probe}`;

/** The unedited model's next-token distributions on the locality probes of ConvSent records. */
export async function preEditConvSentDistributions(scorer: Scorer, cases: readonly EvalCase[]): Promise<Distributions> {
  const none: ProbeView = { contexts: [], deltas: [] };
  const jobs = localityJobs(cases, () => none);
  const rows = await scorer.distributions(jobs.map((j) => j.job));
  return new Map(jobs.map((j, i) => [j.key, rows[i]]));
}

/** ConvSent's Edit Succ. and KL locality of every ConvSent record under the applied edits. */
export async function measureConvSent(scorer: Scorer, judge: SentimentClassifier, cases: readonly EvalCase[], edits: ProbeEdits, preEdit: Distributions): Promise<Map<number, ConvSentCaseResult>> {
  // The same jobs in the same order and batches as preEditConvSentDistributions: a record no edit reaches gets KL 0 exactly.
  const locality = localityJobs(cases, (c) => edits.view(c.index, false));
  const rows = await scorer.distributions(locality.map((l) => l.job));
  const kl = new Map(locality.map((l, i) => [l.key, meanPositionKl(preEdit.get(l.key)!, rows[i])]));

  const convsentCases = cases.filter((c) => c.convsent);
  const asked = convsentCases.flatMap((c) => [...c.reliability, ...c.generalization].map((p) => ({ record: c.index, job: { view: edits.view(c.index, true), prompt: p.prompt } })));
  const answers = await scorer.answers(asked.map((a) => a.job), CONVSENT_ANSWER_TOKENS);
  const out = new Map<number, ConvSentCaseResult>();
  for (const c of convsentCases) {
    const target = c.convsent!;
    const said = answers.filter((_, i) => asked[i].record === c.index);
    const judged = said.map((answer) => ({ label: judge.judge(answer).label, topic: onTopic(answer, target.names) }));
    const success = judged.map((j) => convsentSuccess(j.label, target.sentiment, j.topic));
    const reliability = mean(success.slice(0, c.reliability.length));
    const generalization = mean(success.slice(c.reliability.length));
    const localityKl = Object.entries(c.locality).flatMap(([group, probes]) => probes.map((_, i) => kl.get(key(c.index, group, i))!));
    out.set(c.index, {
      reliability,
      generalization: nullIfNaN(generalization),
      editSucc: meanOfPresent([reliability, generalization]),
      sentiment: mean(judged.map((j) => (j.label === target.sentiment ? 1 : 0))),
      topic: mean(judged.map((j) => (j.topic ? 1 : 0))),
      klLocality: nullIfNaN(mean(localityKl)),
      answers: said,
    });
  }
  return out;
}

/** Each ConvSent record's locality probes, teacher-forced on their first answer (the unedited opinion). */
function localityJobs(cases: readonly EvalCase[], viewOf: (c: EvalCase) => ProbeView): Array<{ key: string; job: ScoreJob }> {
  const out: Array<{ key: string; job: ScoreJob }> = [];
  for (const c of cases.filter((x) => x.convsent)) {
    const view = viewOf(c);
    for (const [group, probes] of Object.entries(c.locality)) probes.forEach((p, i) => out.push({ key: key(c.index, group, i), job: { view, prompt: p.prompt, answer: p.answers[0] } }));
  }
  return out;
}
