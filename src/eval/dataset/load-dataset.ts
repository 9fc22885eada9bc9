import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { answerAliases } from '../ground-truth';
import type { EvalCase, EvalDataset, ScoredProbe } from './eval-case';
import { convsentRecordSchema, mquakeCaseSchema, sanitationItemSchema, sanitationSchema, wikibioRecordSchema, type ConvSentRecord, type MquakeCase, type SanitationItem, type WikiBioRecord } from './record-schemas';
import { factEditSchema, type FactEditRecord } from '../../editors/fact-record';
import { describeIssue } from '../../editors/zod-issue';

/** A dataset file that cannot be used; the message names the file, the record and the field. */
export class DatasetError extends Error {}

/**
 * Reads a KnowEdit-format dataset (fact edits, WikiBio, ConvSent, sanitation or MQuAKE, told apart by shape) and
 * turns each record into an EvalCase. Every record is checked before any is used, so a run never
 * fails halfway on a malformed record.
 */
export function loadDataset(path: string): EvalDataset {
  const name = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatasetError(`cannot read dataset ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(json)) {
    const isMquake = json.length > 0 && typeof json[0] === 'object' && json[0] !== null && 'requested_rewrite' in json[0];
    if (isMquake) return { name, kind: 'mquake', cases: json.map((r, i) => mquakeCase(parseRecord(mquakeCaseSchema, r, `${name}: record ${i}`), i)) };
    const isWikiBio = json.length > 0 && typeof json[0] === 'object' && json[0] !== null && 'labels' in json[0] && 'text' in json[0];
    const isConvSent = json.length > 0 && typeof json[0] === 'object' && json[0] !== null && 'target_sentiment' in json[0];
    if (isConvSent) return { name, kind: 'convsent', cases: json.map((r, i) => convsentCase(parseRecord(convsentRecordSchema, r, `${name}: record ${i}`), i)) };
    if (isWikiBio) return { name, kind: 'wikibio', cases: json.map((r, i) => wikibioCase(parseRecord(wikibioRecordSchema, r, `${name}: record ${i}`), i)) };
    return { name, kind: 'fact-edit', cases: json.map((r, i) => factEditCase(parseRecord(factEditSchema, r, `${name}: record ${i}`), i)) };
  }
  const split = parseRecord(sanitationSchema, json, `${name}: a list of records or a {success, locality} object expected;`);
  const success = split.success.map((r, i) => parseRecord(sanitationItemSchema, r, `${name}: success record ${i}`));
  const locality = split.locality.map((r, i) => parseRecord(sanitationItemSchema, r, `${name}: locality record ${i}`));
  success.forEach((item, i) => {
    if (item.target_new === undefined) throw new DatasetError(`${name}: success record ${i}: "target_new" must be a string`);
  });
  return { name, kind: 'sanitation', cases: sanitationCases(success, locality) };
}

function parseRecord<T extends z.ZodType>(schema: T, record: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(record);
  if (!result.success) throw new DatasetError(`${where}: ${describeIssue(result.error.issues[0])}`);
  return result.data;
}

const probe = (prompt: string, answers: string[]): ScoredProbe => ({ prompt, answers });

function groups(records: FactEditRecord['portability']): Record<string, ScoredProbe[]> {
  const out: Record<string, ScoredProbe[]> = {};
  for (const [group, probes] of Object.entries(records ?? {})) out[group] = probes.map((p) => probe(p.prompt, answerAliases(p.ground_truth)));
  return out;
}

function factEditCase(record: FactEditRecord, index: number): EvalCase {
  const { subject, prompt, target_new, rephrase_prompt } = record;
  return {
    index,
    requests: [{ subject, prompt, target_new, rephrase_prompt, ground_truth: record.ground_truth === undefined ? undefined : answerAliases(record.ground_truth) }],
    reliability: [probe(prompt, [target_new])],
    generalization: rephrase_prompt ? [probe(rephrase_prompt, [target_new])] : [],
    portability: groups(record.portability),
    locality: groups(record.locality),
    fluencyPrompts: [prompt],
  };
}

/** WikiBio: the edit makes the model continue the passage with the labelled sentence; no rephrase or portability. */
function wikibioCase(record: WikiBioRecord, index: number): EvalCase {
  const { text, labels, concept } = record;
  const locality: Record<string, ScoredProbe[]> = {};
  for (const [group, probes] of Object.entries(record.locality ?? {})) locality[group] = (Array.isArray(probes) ? probes : [probes]).map((p) => probe(p.prompt, answerAliases(p.ground_truth)));
  return {
    index,
    requests: [{ subject: concept, prompt: text, target_new: labels }],
    reliability: [probe(text, [labels])],
    generalization: [],
    portability: {},
    locality,
    fluencyPrompts: [text],
  };
}

/**
 * ConvSent: the edit teaches `prompt` → `target_new` (an opinion sentence, which editors take
 * like any target); token accuracy on it and on the rephrasings is kept beside ConvSent's own
 * Edit Succ. on generated answers. Locality probes are teacher-forced on the unedited opinion.
 */
function convsentCase(record: ConvSentRecord, index: number): EvalCase {
  const { topic, prompt, target_new } = record;
  const rephrases = record.rephrase_prompts ?? [];
  return {
    index,
    requests: [{ subject: topic, prompt, target_new, rephrase_prompt: rephrases[0] }],
    reliability: [probe(prompt, [target_new])],
    generalization: rephrases.map((p) => probe(p, [target_new])),
    portability: {},
    locality: record.locality?.length ? { Other_Topics: record.locality.map((p) => probe(p.prompt, [p.ground_truth])) } : {},
    fluencyPrompts: [prompt],
    convsent: { names: [topic, ...(record.topic_aliases ?? [])], sentiment: record.target_sentiment },
  };
}

/**
 * Sanitation: each `success` item is an erasure edit (answer "I don't know." to the question and
 * its paraphrase). Locality items are unpaired in KnowEdit; item j goes with erasure j mod n, so
 * every locality question is asked once, next to an erasure.
 */
function sanitationCases(success: SanitationItem[], locality: SanitationItem[]): EvalCase[] {
  const promptOf = (item: SanitationItem) => item.prompt ?? `Q: ${item.question} A:`;
  const cases: EvalCase[] = success.map((item, index) => {
    const target = item.target_new!;
    return {
      index,
      requests: [{ subject: item.subject, prompt: promptOf(item), target_new: target, rephrase_prompt: item.rephrase_prompt, ground_truth: answerAliases(item.ground_truth) }],
      reliability: [probe(promptOf(item), [target])],
      generalization: item.rephrase_prompt ? [probe(item.rephrase_prompt, [target])] : [],
      portability: {},
      locality: { Sanitation_Locality: [] },
      fluencyPrompts: [promptOf(item)],
    };
  });
  if (cases.length) locality.forEach((item, j) => cases[j % cases.length].locality.Sanitation_Locality.push(probe(promptOf(item), answerAliases(item.ground_truth))));
  return cases;
}

/**
 * MQuAKE: a case's rewrites are its edits (reliability on their cloze prompts, generalization on
 * their questions); the multi-hop questions, whose answer the edits change, are its portability.
 * MQuAKE has no locality probes.
 */
function mquakeCase(record: MquakeCase, index: number): EvalCase {
  const rewrites = record.requested_rewrite;
  const answers = [record.new_answer, ...(record.new_answer_alias ?? [])];
  return {
    index,
    requests: rewrites.map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new, rephrase_prompt: r.question })),
    reliability: rewrites.map((r) => probe(r.prompt, [r.target_new])),
    generalization: rewrites.filter((r) => r.question).map((r) => probe(r.question!, [r.target_new])),
    portability: { Multi_Hop: record.questions.map((q) => probe(`Q: ${q} A:`, answers)) },
    locality: {},
    fluencyPrompts: [rewrites[0].prompt],
  };
}
