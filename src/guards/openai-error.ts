import type { BodyError } from './parse-body';

/** Routes an OpenAI client calls; their errors take OpenAI's shape so the SDK can show them. */
const OPENAI_ROUTE = /^\/v1\/(completions|chat\/completions|models)(\/|\?|$)/;

export function isOpenAiRoute(url: string): boolean {
  return OPENAI_ROUTE.test(url);
}

/** OpenAI's error body: what went wrong, its kind, the field (ked's field path) and a code. */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null; errors?: BodyError[] };
}

/**
 * An HTTP error in OpenAI's shape. `body` is what the route answered in ked's own shape
 * ({message, errors?: [{path, message, code}], code?}); its field errors become `param`, `code`
 * and the message, and stay listed under `errors`.
 */
export function openAiError(status: number, body: unknown): OpenAiError {
  const fields = (typeof body === 'object' && body !== null ? body : { message: String(body) }) as { message?: unknown; errors?: BodyError[]; code?: unknown; param?: unknown };
  const errors = Array.isArray(fields.errors) ? fields.errors : undefined;
  const text = Array.isArray(fields.message) ? fields.message.join('; ') : typeof fields.message === 'string' ? fields.message : `HTTP ${status}`;
  const first = errors?.[0];
  const message = errors?.length ? `${text}: ${errors.map((e) => (e.path === 'body' ? e.message : `${e.path}: ${e.message}`)).join('; ')}` : text;
  const param = first && first.path !== 'body' ? first.path : typeof fields.param === 'string' ? fields.param : null;
  const code = first?.code ?? (typeof fields.code === 'string' ? fields.code : defaultCode(status));
  return { error: { message, type: errorType(status), param, code, ...(errors ? { errors } : {}) } };
}

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function defaultCode(status: number): string | null {
  return ({ 401: 'invalid_api_key', 403: 'insufficient_permissions', 413: 'request_too_large', 429: 'rate_limit_exceeded', 500: 'internal_error', 503: 'unavailable' } as Record<number, string>)[status] ?? null;
}
