import { z } from 'zod';

/**
 * KnowEdit's fact record (KNOWEDIT.md "Record formats"): what the harness reads from a fact-edit
 * dataset and what the daemon takes as a fact. Checked field by field so that a bad record is
 * reported by index and field; extra fields are allowed (the world's datasets add `relation`).
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

export type FactEditRecord = z.infer<typeof factEditSchema>;
