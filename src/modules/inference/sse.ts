import type { Response } from 'express';

/** Opens a server-sent-events response; `send` writes one `data:` event, `close` ends with [DONE]. */
export function openEventStream(res: Response, headers: Record<string, string>): { send: (event: unknown) => boolean; close: () => void } {
  let gone = false;
  // The response closing before we ended it means the client went away (a request's own 'close'
  // only says its body was read).
  res.on('close', () => {
    if (!res.writableEnded) gone = true;
  });
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
