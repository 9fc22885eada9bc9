import { z } from 'zod';
import { factEditSchema, groundTruthSchema } from '../../eval/dataset/record-schemas';
import { describeIssue, fieldPath } from '../../editors/zod-issue';

/** At most this many facts per request (JSON or NDJSON). */
export const MAX_FACTS_PER_REQUEST = 10_000;

const text = z.string().min(1, 'must not be empty');

/**
 * One incoming fact: a KnowEdit fact record (KNOWEDIT.md), or its compact form
 * {subject, prompt, target_new, ground_truth?, relation?, key?}. `key` is the client's idempotency
 * key. The subject must occur in the prompt: locate-and-edit methods edit its last token.
 */
export const factInputSchema = factEditSchema
  .extend({
    ground_truth: groundTruthSchema.optional(),
    relation: text.max(200).optional(),
    key: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
  })
  .refine((f) => f.prompt.includes(f.subject), { message: 'must occur in "prompt"', path: ['subject'] });

export type FactInput = z.infer<typeof factInputSchema>;

export interface FactInputError {
  /** Index of the fact in the request (0-based; for NDJSON the line's record index). */
  index: number;
  /** Where: `facts[3].target_new` (JSON) or `line 4.target_new` (NDJSON). */
  path: string;
  message: string;
}

export type ParsedFacts = { facts: FactInput[] } | { errors: FactInputError[] };

/** `{"facts": [...]}` */
export function parseFactsBody(body: unknown): ParsedFacts {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { errors: [{ index: -1, path: 'body', message: 'must be a JSON object {"facts": [...]}' }] };
  const facts = (body as { facts?: unknown }).facts;
  if (!Array.isArray(facts)) return { errors: [{ index: -1, path: 'facts', message: 'must be a list of fact records' }] };
  return validate(facts, (i) => `facts[${i}]`);
}

/** One JSON record per line; blank lines are skipped. */
export function parseFactsNdjson(text: string): ParsedFacts {
  const records: unknown[] = [];
  const lines: number[] = [];
  const errors: FactInputError[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line));
      lines.push(i + 1);
    } catch (error) {
      errors.push({ index: records.length + errors.length, path: `line ${i + 1}`, message: `is not JSON (${(error as Error).message})` });
    }
  });
  if (errors.length) return { errors };
  return validate(records, (i) => `line ${lines[i]}`);
}

function validate(records: unknown[], where: (index: number) => string): ParsedFacts {
  if (records.length === 0) return { errors: [{ index: -1, path: 'facts', message: 'must hold at least one fact' }] };
  if (records.length > MAX_FACTS_PER_REQUEST) return { errors: [{ index: -1, path: 'facts', message: `holds ${records.length} facts; at most ${MAX_FACTS_PER_REQUEST} per request` }] };
  const facts: FactInput[] = [];
  const errors: FactInputError[] = [];
  records.forEach((record, index) => {
    const result = factInputSchema.safeParse(record);
    if (result.success) facts.push(result.data);
    else for (const issue of result.error.issues) errors.push({ index, path: [where(index), fieldPath(issue.path)].filter(Boolean).join('.'), message: describeIssue({ ...issue, path: [] }).replace(/^the value /, '') });
  });
  return errors.length ? { errors } : { facts };
}
