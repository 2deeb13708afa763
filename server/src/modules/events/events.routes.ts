import { Router, type Response } from 'express';
import { can } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import type { Coordination } from '../../ports/coordination';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import { EVENTS_CHANNEL, USER_CHANGES_CHANNEL, type LiveEvent } from './event-bus';

export interface EventsRouteOptions {
  /** Who may still read the stream is checked against the store (absent: never re-checked). */
  users?: Pick<Store, 'users'>['users'];
  /** How often an open stream re-checks its user besides on change notices (default 15 s). */
  recheckMs?: number;
  /** A supervisor bound to a warehouse sees only its sessions' events (issue #12). */
  access?: Pick<AccessPolicy, 'sessionFilter'>;
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
  coordination: Coordination,
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
      const userId = actorOf(req).id;
      const session = typeof req.query['session'] === 'string' ? req.query['session'] : null;
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
      let seq = 0;
      let ended = false;
      const send = (event: LiveEvent) => {
        if (ended) return;
        res.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const visible = (await options.access?.sessionFilter(actorOf(req))) ?? null;
      // Events of a bound viewer wait for their session's warehouse in order, one after another.
      let queue: Promise<void> = Promise.resolve();
      const unsubscribe = await coordination.subscribe(EVENTS_CHANNEL, (message) => {
        const event = message as LiveEvent;
        if (ended || (session && event.session_id !== session)) return;
        if (!visible) return send(event);
        queue = queue
          .then(async () => {
            if (await visible(event.session_id)) send(event);
          })
          .catch(() => undefined);
      });

      /** Ends the stream unless its user still exists, is active and may read events. */
      const recheck = async () => {
        if (ended || !options.users) return;
        let allowed = true;
        try {
          const user = await options.users.get(userId);
          allowed = user !== null && user.active && can(user.role, 'events.read');
        } catch {
          // A failing store is no proof of anything: the next check decides.
        }
        if (allowed || ended) return;
        ended = true;
        res.write(`event: end\ndata: ${JSON.stringify({ reason: 'access_revoked' })}\n\n`);
        res.end();
      };
      const unsubscribeUsers = options.users
        ? await coordination.subscribe(USER_CHANGES_CHANNEL, (message) => {
            if ((message as { id?: unknown }).id === userId) void recheck();
          })
        : async () => {};

      // Subscribed before the headers go out: a client that saw the response sees every later event.
      res.flushHeaders();
      res.write('retry: 3000\n\n');
      const keepAlive = setInterval(() => {
        if (!ended) res.write(': keep-alive\n\n');
      }, 15_000);
      keepAlive.unref();
      const rechecks = setInterval(() => void recheck(), recheckMs);
      rechecks.unref();
      open.add(res);
      res.on('close', () => {
        ended = true;
        open.delete(res);
        clearInterval(keepAlive);
        clearInterval(rechecks);
        void unsubscribe();
        void unsubscribeUsers();
      });
      // A change that landed between authentication and subscribing is not missed.
      void recheck();
    },
  );
  return router;
}
