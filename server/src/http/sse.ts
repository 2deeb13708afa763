import type { Response } from 'express';
import { AppError } from '../lib/errors';

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
 * Streams open per user in this process, at most `max` each: every open stream is handed each
 * live event, so one user opening streams without end would slow everyone's events.
 */
export function createStreamLimit(max: number) {
  const open = new Map<string, number>();
  return {
    /** Counts a stream of `user` in, or refuses it (429 RATE_LIMITED); returns its release. */
    take(user: string): () => void {
      const n = open.get(user) ?? 0;
      if (n >= max)
        throw new AppError(
          429,
          'RATE_LIMITED',
          `At most ${max} live streams of one user are open at once: close one first`,
        );
      open.set(user, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(user) ?? 1) - 1;
        if (left > 0) open.set(user, left);
        else open.delete(user);
      };
    },
    /** Streams open for `user` (tests). */
    count: (user: string) => open.get(user) ?? 0,
  };
}
export type StreamLimit = ReturnType<typeof createStreamLimit>;

export interface EventStreamOptions {
  /** Open streams, so a shutdown can end them. */
  open: Set<Response>;
  /** How often the user is checked again besides on change notices. */
  recheckMs: number;
  /** A cap on the user's open streams (checked before anything is written). */
  limit?: { streams: StreamLimit; user: string };
}

/**
 * Serves one Server-Sent Events stream on `res`: subscribes (through `watch`) before the headers
 * go out, so a client that saw the response sees every later event; a comment line every 15 s;
 * the user re-checked every `recheckMs`; an `end` event when they may read no more.
 */
export async function serveEventStream(
  res: Response,
  { open, recheckMs, limit }: EventStreamOptions,
  watch: (sink: StreamSink) => Promise<StreamWatch>,
): Promise<void> {
  const release = limit ? limit.streams.take(limit.user) : () => {};
  let watching: StreamWatch;
  let ended = false;
  try {
    watching = await watch({
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
  } catch (error) {
    release();
    throw error;
  }
  // The client may have gone while the watch was set up: its `close` came before the listener.
  if (!res.socket || res.socket.destroyed) {
    release();
    watching.close();
    return;
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
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
    release();
    open.delete(res);
    clearInterval(keepAlive);
    clearInterval(rechecks);
    watching.close();
  });
  // A change that landed between authentication and subscribing is not missed.
  void watching.recheck();
}
