import type { z } from 'zod';

/** `portability.Reasoning[0].prompt`: an issue's path as a reader would write it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
}

/**
 * One line per zod issue that names the field: `"rephrase_prompt" must be a string`. Type errors
 * read as "must be a <type>" (zod's own wording says what was received, which the caller's
 * record index makes redundant); other issues keep zod's message.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? `"${fieldPath(issue.path)}"` : 'the value';
  if (issue.code === 'invalid_type') return `${field} must be ${article(issue.expected)}`;
  if (issue.code === 'too_small' && (issue.origin === 'array' || issue.origin === 'string')) {
    return Number(issue.minimum) === 1 ? `${field} must not be empty` : `${field} must have at least ${issue.minimum} ${issue.origin === 'array' ? 'items' : 'characters'}`;
  }
  if (issue.code === 'unrecognized_keys') {
    const unknown = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return issue.path.length ? `${field} has ${unknown}` : unknown;
  }
  return `${field} ${issue.message}`;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
