import type { Response } from 'express';

/** A stream's subscription: `recheck` checks its user again, `close` ends it. */
export interface StreamWatch {
  recheck(): Promise<void>;
  close(): void;
}

/** What a stream's watch writes to: event text, and the end when its user may read no more. */
export interface StreamSink {
  write(text: string): void;
  revoked(): void;
}

/**
 * Serves one Server-Sent Events stream on `res`: subscribes (through `watch`) before the headers
 * go out, so a client that saw the response sees every later event; a comment line every 15 s;
 * the user re-checked every `recheckMs`; an `end` event when they may read no more.
 */
export async function serveEventStream(
  res: Response,
  open: Set<Response>,
  recheckMs: number,
  watch: (sink: StreamSink) => Promise<StreamWatch>,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  let ended = false;
  const watching = await watch({
    write: (text) => {
      if (!ended) res.write(text);
    },
    revoked: () => {
      if (ended) return;
      ended = true;
      res.write(`event: end\ndata: ${JSON.stringify({ reason: 'access_revoked' })}\n\n`);
      res.end();
    },
  });

  res.flushHeaders();
  res.write('retry: 3000\n\n');
  const keepAlive = setInterval(() => {
    if (!ended) res.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();
  const rechecks = setInterval(() => void watching.recheck(), recheckMs);
  rechecks.unref();
  open.add(res);
  res.on('close', () => {
    ended = true;
    open.delete(res);
    clearInterval(keepAlive);
    clearInterval(rechecks);
    watching.close();
  });
  // A change that landed between authentication and subscribing is not missed.
  void watching.recheck();
}
