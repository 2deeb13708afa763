import { Router, type Response } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import type { Coordination } from '../../ports/coordination';
import { EVENTS_CHANNEL, type LiveEvent } from './event-bus';

/**
 * `GET /events`: Server-Sent Events for supervisors. `?session=` narrows to one session. A comment
 * line every 15 s keeps proxies from closing an idle stream.
 */
export function eventsRoutes(
  coordination: Coordination,
  guard: AuthGuard,
  /** Open streams, so a shutdown can end them instead of waiting on them. */
  open: Set<Response> = new Set(),
): Router {
  const router = Router();
  router.get(
    '/',
    guard.requireAuthAllowQuery,
    guard.requirePermission('events.read'),
    async (req, res) => {
      const session = typeof req.query['session'] === 'string' ? req.query['session'] : null;
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
      let seq = 0;
      const unsubscribe = await coordination.subscribe(EVENTS_CHANNEL, (message) => {
        const event = message as LiveEvent;
        if (session && event.session_id !== session) return;
        res.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      // Subscribed before the headers go out: a client that saw the response sees every later event.
      res.flushHeaders();
      res.write('retry: 3000\n\n');
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      keepAlive.unref();
      open.add(res);
      res.on('close', () => {
        open.delete(res);
        clearInterval(keepAlive);
        void unsubscribe();
      });
    },
  );
  return router;
}
