import { z } from 'zod';

/**
 * The KnowEdit record shapes the harness reads (KNOWEDIT.md "Record formats"), checked field by
 * field so that a bad record is reported by index and field. Extra fields are allowed: the
 * world's datasets add `relation`, MQuAKE adds chains and hops.
 */
const text = z.string().min(1, 'must not be empty');

export const groundTruthSchema = z.union([text, z.array(text).min(1), z.array(z.array(text).min(1)).min(1)], {
  error: 'must be a string, a list of strings or a list of alias lists',
});

export const probeRecordSchema = z.object({ prompt: text, ground_truth: groundTruthSchema });

/** Portability / locality groups: Reasoning, Subject_Aliasing, ... each a list of probes. */
const probeGroups = z.record(z.string(), z.array(probeRecordSchema));

export const factEditSchema = z.object({
  subject: text,
  prompt: text,
  target_new: text,
  ground_truth: groundTruthSchema.optional(),
  rephrase_prompt: text.optional(),
  portability: probeGroups.optional(),
  locality: probeGroups.optional(),
});

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

export type FactEditRecord = z.infer<typeof factEditSchema>;
export type SanitationItem = z.infer<typeof sanitationItemSchema>;
export type MquakeCase = z.infer<typeof mquakeCaseSchema>;
