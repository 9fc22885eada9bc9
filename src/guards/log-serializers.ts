interface LoggedRequest {
  id?: unknown;
  method?: string;
  url?: string;
}

/** Path segments that are ked's own words; any other segment came from the client. */
const ROUTE_WORDS = new Set(['v1', 'facts', 'erasures', 'edits', 'commit', 'keys', 'audits', 'completions', 'chat', 'model-versions', 'models', 'health', 'metrics', 'docs', 'docs-json']);

/**
 * What a logged request keeps: its id, method and route, with every path segment that is not one
 * of ked's own words replaced by `:param` (`/v1/facts/:param`). Never the URL itself (ids, names,
 * or a key in the query string would be written out), headers or body.
 */
export function requestForLog(req: LoggedRequest): { id?: unknown; method?: string; route: string } {
  const path = (req.url ?? '').split('?')[0];
  const route = path
    .split('/')
    .map((segment, i) => (i === 0 || segment === '' || ROUTE_WORDS.has(segment) ? segment : ':param'))
    .join('/');
  return { id: req.id, method: req.method, route };
}

/**
 * What a logged error keeps: its type and message. A failed query's error also carries the SQL
 * and its parameters (a subject being erased, a key's hash), which must never reach a log.
 */
export function errorForLog(err: { type?: string; name?: string; message?: string; code?: unknown }): { type?: string; message?: string; code?: unknown } {
  return { type: err.type ?? err.name, message: err.message, ...(typeof err.code === 'string' ? { code: err.code } : {}) };
}
