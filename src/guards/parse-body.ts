import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import { describeIssue, fieldPath } from '../editors/zod-issue';

/** One problem with a request body: where, what, and a machine-readable code. */
export interface BodyError {
  path: string;
  message: string;
  /** `unknown_parameter`, `invalid_type`, `invalid_value`, or a schema's own (`unsupported_parameter`, …). */
  code: string;
}

/** Parses a request body or throws 400 with one {path, message, code} per problem. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const errors: BodyError[] = readableIssues(parsed.error.issues).flatMap((i) =>
    // An unknown field is named by its own path, one error per field.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: fieldPath([...i.path, key]), message: `unknown field "${key}"`, code: 'unknown_parameter' }))
      : [{ path: fieldPath(i.path) || 'body', message: describeIssue({ ...i, path: [] }).replace(/^the value /, ''), code: issueCode(i) }],
  );
  throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `invalid ${what}`, errors });
}

/**
 * The issues a reader can act on. A value that fails every branch of a union is reported by the
 * branch its type matched (a string prompt that is too long says so), when exactly one did.
 */
function readableIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
    const typed = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (typed.length !== 1) return [issue];
    return readableIssues(typed[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue));
  });
}

function issueCode(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return 'invalid_type';
  const own = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  return typeof own === 'string' ? own : 'invalid_value';
}
