interface LoggedRequest {
  id?: unknown;
  method?: string;
  raw?: { route?: { path?: unknown }; baseUrl?: string };
}

/**
 * What a logged request keeps: its id, method and route pattern (`/v1/facts/:id`), never the URL
 * itself (ids, names or a key in the query string would be written out), headers or body.
 */
export function requestForLog(req: LoggedRequest): { id?: unknown; method?: string; route: string } {
  const pattern = req.raw?.route?.path;
  return { id: req.id, method: req.method, route: typeof pattern === 'string' ? `${req.raw?.baseUrl ?? ''}${pattern}` : '(no route)' };
}

/**
 * What a logged error keeps: its type and message. A failed query's error also carries the SQL
 * and its parameters (a subject being erased, a key's hash), which must never reach a log.
 */
export function errorForLog(err: { type?: string; name?: string; message?: string; code?: unknown }): { type?: string; message?: string; code?: unknown } {
  return { type: err.type ?? err.name, message: err.message, ...(typeof err.code === 'string' ? { code: err.code } : {}) };
}
