import { z } from 'zod';
import { factEditSchema, groundTruthSchema } from '../../editors/fact-record';
import { describeIssue, fieldPath } from '../../editors/zod-issue';

/** At most this many facts per request (JSON or NDJSON). */
export const MAX_FACTS_PER_REQUEST = 10_000;

/**
 * The largest fact the daemon takes, in characters: a fact is a sentence, and every edit method
 * runs its text through the model, so a longer one only costs memory and time.
 */
export const FACT_LIMITS = { subject: 500, subject_aliases: 32, prompt: 2_000, target_new: 1_000, ground_truth: 1_000, rephrase_prompt: 2_000, relation: 200, key: 256, record: 64 * 1024 } as const;

/** A NUL byte or a lone UTF-16 surrogate: PostgreSQL and the tokenizers cannot store or read them. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const text = z.string().min(1, 'must not be empty');

/** A text field of at most `max` characters that PostgreSQL can store. */
const limited = (max: number) =>
  text.max(max, `must be at most ${max.toLocaleString('en-US')} characters`).refine((v) => !UNSTORABLE.test(v), 'must not hold NUL bytes or lone surrogates');
/** KnowEdit's ground truth (a string, a list, or alias lists), each answer within the limit. */
const limitedTruth = groundTruthSchema.superRefine((truth, ctx) => {
  const answers = typeof truth === 'string' ? [truth] : truth.flat();
  for (const answer of answers) {
    const problem = answer.length > FACT_LIMITS.ground_truth ? `must hold answers of at most ${FACT_LIMITS.ground_truth.toLocaleString('en-US')} characters` : UNSTORABLE.test(answer) ? 'must not hold NUL bytes or lone surrogates' : undefined;
    if (problem) return void ctx.addIssue({ code: 'custom', message: problem });
  }
});

/**
 * One incoming fact: a KnowEdit fact record (KNOWEDIT.md), or its compact form
 * {subject, prompt, target_new, ground_truth?, relation?, key?, subject_aliases?}. `key` is the
 * client's idempotency key; `subject_aliases` are other names of the subject (Wikidata's "also
 * known as"), which put requests naming them in the edit's scope. The subject must occur in the
 * prompt: locate-and-edit methods edit its last token.
 */
export const factInputSchema = factEditSchema
  .extend({
    subject: limited(FACT_LIMITS.subject),
    prompt: limited(FACT_LIMITS.prompt),
    target_new: limited(FACT_LIMITS.target_new),
    rephrase_prompt: limited(FACT_LIMITS.rephrase_prompt).optional(),
    ground_truth: limitedTruth.optional(),
    relation: limited(FACT_LIMITS.relation).optional(),
    key: limited(FACT_LIMITS.key).optional(),
    subject_aliases: z
      .array(limited(FACT_LIMITS.subject))
      .max(FACT_LIMITS.subject_aliases, `must hold at most ${FACT_LIMITS.subject_aliases} aliases`)
      .optional(),
  })
  .refine((f) => f.prompt.includes(f.subject), {
    message: 'must occur in "prompt"',
    path: ['subject'],
    // Checked whenever both are strings, so one answer lists this beside the fact's other problems.
    when: ({ value }) => bothText(value),
  });

/** Whether a record (of any shape, even null) holds a string subject and a string prompt. */
function bothText(value: unknown): boolean {
  const record = value as { subject?: unknown; prompt?: unknown } | null;
  return typeof record === 'object' && record !== null && typeof record.subject === 'string' && typeof record.prompt === 'string';
}

export type FactInput = z.infer<typeof factInputSchema>;

export interface FactInputError {
  /** Index of the fact in the request (0-based; for NDJSON the line's record index). */
  index: number;
  /** Where: `facts[3].target_new` (JSON) or `line 4.target_new` (NDJSON). */
  path: string;
  message: string;
}

export type ParsedFacts = { facts: FactInput[] } | { errors: FactInputError[] };

/**
 * Counts a text's tokens for the served model, and the longest prompt plus target it reads: a
 * fact past it cannot be edited or verified, so it is refused at the door.
 */
export interface ContextLimit {
  tokens(text: string): number;
  maxTokens: number;
}

/** `{"facts": [...]}` */
export function parseFactsBody(body: unknown, context?: ContextLimit): ParsedFacts {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { errors: [{ index: -1, path: 'body', message: 'must be a JSON object {"facts": [...]}' }] };
  const facts = (body as { facts?: unknown }).facts;
  if (!Array.isArray(facts)) return { errors: [{ index: -1, path: 'facts', message: 'must be a list of fact records' }] };
  return validate(facts, (i) => `facts[${i}]`, context);
}

/** One JSON record per line; blank lines are skipped. */
export function parseFactsNdjson(text: string, context?: ContextLimit): ParsedFacts {
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
  return validate(records, (i) => `line ${lines[i]}`, context);
}

function validate(records: unknown[], where: (index: number) => string, context?: ContextLimit): ParsedFacts {
  if (records.length === 0) return { errors: [{ index: -1, path: 'facts', message: 'must hold at least one fact' }] };
  if (records.length > MAX_FACTS_PER_REQUEST) return { errors: [{ index: -1, path: 'facts', message: `holds ${records.length} facts; at most ${MAX_FACTS_PER_REQUEST} per request` }] };
  const facts: FactInput[] = [];
  const errors: FactInputError[] = [];
  records.forEach((record, index) => {
    const size = Buffer.byteLength(JSON.stringify(record) ?? '');
    if (size > FACT_LIMITS.record) {
      errors.push({ index, path: where(index), message: `is ${size.toLocaleString('en-US')} bytes as JSON; a fact record may hold at most ${FACT_LIMITS.record.toLocaleString('en-US')}` });
      return;
    }
    const result = factInputSchema.safeParse(record);
    if (result.success) {
      const overflow = context && contextOverflow(result.data, context);
      if (overflow) errors.push({ index, path: `${where(index)}.${overflow.field}`, message: overflow.message });
      else facts.push(result.data);
    } else for (const issue of result.error.issues) errors.push({ index, path: [where(index), fieldPath(issue.path)].filter(Boolean).join('.'), message: describeIssue({ ...issue, path: [] }).replace(/^the value /, '') });
  });
  return errors.length ? { errors } : { facts };
}

/** The field that takes a fact past the model's context (prompt and target, or rephrase and target), if any. */
function contextOverflow(fact: FactInput, context: ContextLimit): { field: string; message: string } | undefined {
  const target = context.tokens(` ${fact.target_new}`);
  for (const field of ['prompt', 'rephrase_prompt'] as const) {
    const prompt = fact[field];
    if (prompt === undefined) continue;
    const total = context.tokens(prompt) + target;
    if (total > context.maxTokens) return { field, message: `with "target_new" is ${total} tokens; the served model reads at most ${context.maxTokens}` };
  }
  return undefined;
}
