import { Router, type Response } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { serveEventStream, type StreamLimit } from '../../http/sse';
import type { EventsService } from './events.service';

export interface EventsRouteOptions {
  /** How often an open stream re-checks its user besides on change notices (default 15 s). */
  recheckMs?: number;
  /** A cap on each supervisor's open streams in this process (429 `RATE_LIMITED` beyond it). */
  streams?: StreamLimit;
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
      const actor = actorOf(req);
      const limit = options.streams ? { streams: options.streams, user: actor.id } : undefined;
      await serveEventStream(res, { open, recheckMs, limit }, (sink) =>
        events.watch(actor, session, {
          event: (event) =>
            sink.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
          revoked: sink.revoked,
        }),
      );
    },
  );
  return router;
}
