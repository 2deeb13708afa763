import { Router, type Response } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import type { EventsService, EventWatch } from './events.service';

export interface EventsRouteOptions {
  /** How often an open stream re-checks its user besides on change notices (default 15 s). */
  recheckMs?: number;
}

/**
 * `GET /events`: Server-Sent Events for supervisors. `?session=` narrows to one session. A comment
 * line every 15 s keeps proxies from closing an idle stream.
 *
 * A stream lives longer than the access token that opened it, so its user is checked again
 * whenever a change to that user is announced (USER_CHANGES_CHANNEL, from any API process) and on
 * every keep-alive: a user disabled or demoted mid-stream gets an `end` event and the stream
 * closes (issue #12); the browser's reconnect is then refused by the auth guard.
 */
export function eventsRoutes(
  events: EventsService,
  guard: AuthGuard,
  /** Open streams, so a shutdown can end them instead of waiting on them. */
  open: Set<Response> = new Set(),
  options: EventsRouteOptions = {},
): Router {
  const router = Router();
  const recheckMs = options.recheckMs ?? 15_000;
  router.get(
    '/',
    guard.requireAuthAllowQuery,
    guard.requirePermission('events.read'),
    async (req, res) => {
      const session = typeof req.query['session'] === 'string' ? req.query['session'] : null;
      let seq = 0;
      await serveEventStream(res, open, recheckMs, (sink) =>
        events.watch(actorOf(req), session, {
          event: (event) =>
            sink.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
          revoked: sink.revoked,
        }),
      );
    },
  );
  return router;
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
  watch: (sink: StreamSink) => Promise<EventWatch>,
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
