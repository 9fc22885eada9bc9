import type { NextFunction, Request, Response } from 'express';
import { isOpenAiRoute, openAiError } from './openai-error';

/** A NUL byte or a lone UTF-16 surrogate: PostgreSQL cannot store them and tokenizers cannot read them. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string in a parsed body that holds one (`facts[2].subject`), or none. */
export function unstorablePath(value: unknown, path = 'body'): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unstorablePath(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return `${path} (a field name)`;
      const found = unstorablePath(item, path === 'body' ? key : `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Refuses, on every route and before any handler, text that can never be stored or tokenized: a
 * NUL byte or a lone surrogate in the URL (its path or query) or anywhere in the parsed body, with
 * 400 and where it was. Without it such input reached PostgreSQL and failed there as a 500.
 */
export function rejectUnstorableText(req: Request, res: Response, next: NextFunction): void {
  let where: string | undefined;
  try {
    const url = decodeURIComponent(req.originalUrl ?? req.url);
    if (UNSTORABLE.test(url)) where = 'url';
  } catch {
    where = 'url (not valid percent-encoding)';
  }
  where ??= unstorablePath(req.body);
  if (!where) return next();
  const body = { statusCode: 400, error: 'Bad Request', message: `${where} holds a NUL byte or a lone surrogate, which ked cannot store`, errors: [{ path: where, message: 'must not hold NUL bytes or lone surrogates', code: 'invalid_value' }] };
  res.status(400).json(isOpenAiRoute(req.originalUrl ?? req.url) ? openAiError(400, body) : body);
}
