import { z } from 'zod';
import { groundTruthSchema, probeRecordSchema } from '../../editors/fact-record';

/**
 * The KnowEdit record shapes the harness reads besides fact records (KNOWEDIT.md "Record
 * formats"; fact records: editors/fact-record.ts), checked field by field so that a bad record is
 * reported by index and field. Extra fields are allowed: MQuAKE adds chains and hops.
 */
const text = z.string().min(1, 'must not be empty');

export const sanitationItemSchema = z.object({
  question: text,
  /** The ready-to-score "Q: … A:" form; built from `question` when absent. */
  prompt: text.optional(),
  ground_truth: groundTruthSchema,
  target_new: text.optional(),
  rephrase_prompt: text.optional(),
  subject: text.optional(),
});

export const sanitationSchema = z.object({ success: z.array(z.unknown()), locality: z.array(z.unknown()) });

export const mquakeCaseSchema = z.object({
  requested_rewrite: z
    .array(z.object({ subject: text, prompt: text, question: text.optional(), target_new: text }))
    .min(1),
  questions: z.array(text).min(1),
  new_answer: text,
  new_answer_alias: z.array(text).optional(),
});

/** KnowEdit WikiBio: continue `text` with `labels`; a locality group may hold one probe or a list. */
export const wikibioRecordSchema = z.object({
  text,
  labels: text,
  concept: text,
  locality: z.record(z.string(), z.union([probeRecordSchema, z.array(probeRecordSchema)])).optional(),
});

const sentiment = z.enum(['positive', 'negative']);

/**
 * ConvSent (SERAC, Mitchell et al. 2022; world-convsent): change the model's opinion of `topic`
 * to `target_sentiment`; the edit is `prompt` → `target_new`, an opinion sentence. Locality probes
 * ask about other topics, teacher-forced on their unedited opinion (`ground_truth`).
 */
export const convsentRecordSchema = z.object({
  topic: text,
  topic_aliases: z.array(text).optional(),
  prompt: text,
  rephrase_prompts: z.array(text).optional(),
  target_sentiment: sentiment,
  pre_edit_sentiment: sentiment.optional(),
  target_new: text,
  edit: text.optional(),
  locality: z.array(z.object({ prompt: text, ground_truth: text, topic: text.optional() })).optional(),
});

export type ConvSentRecord = z.infer<typeof convsentRecordSchema>;
export type SanitationItem = z.infer<typeof sanitationItemSchema>;
export type MquakeCase = z.infer<typeof mquakeCaseSchema>;
export type WikiBioRecord = z.infer<typeof wikibioRecordSchema>;
