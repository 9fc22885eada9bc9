import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import { describeIssue, fieldPath } from '../editors/zod-issue';

/** Parses a request body or throws 400 with one {path, message} per problem. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `invalid ${what}`,
    errors: parsed.error.issues.map((i) => ({ path: fieldPath(i.path) || 'body', message: describeIssue({ ...i, path: [] }).replace(/^the value /, '') })),
  });
}
