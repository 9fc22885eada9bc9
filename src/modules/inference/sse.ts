import type { Request, Response } from 'express';

/** Opens a server-sent-events response; `send` writes one `data:` event, `close` ends with [DONE]. */
export function openEventStream(req: Request, res: Response, headers: Record<string, string>): { send: (event: unknown) => boolean; close: () => void } {
  let gone = false;
  req.on('close', () => (gone = true));
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('connection', 'keep-alive');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.flushHeaders();
  return {
    // Returns true once the client is gone, so generation can stop.
    send: (event) => {
      if (!gone) res.write(`data: ${JSON.stringify(event)}\n\n`);
      return gone;
    },
    close: () => {
      if (!gone) res.write('data: [DONE]\n\n');
      res.end();
    },
  };
}
