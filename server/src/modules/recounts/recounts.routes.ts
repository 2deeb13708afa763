import {
  assignRecountTaskSchema,
  binDecisionRequestSchema,
  binQuerySchema,
  lateCountsAcknowledgeSchema,
  recountQueueQuerySchema,
  roleAtLeast,
  type BinDetail,
  type BinRecord,
  type RackLines,
  type RecountQueueItem,
  type RecountTaskNotice,
  type RecountTaskList,
} from '@stockverify/shared';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { EventsService } from '../events/events.service';
import { serveEventStream, type StreamLimit } from '../../http/sse';
import type { BinsService } from './bins.service';
import { coalesce, concernsCounter } from './task-notices';
import type { RecountsService } from './recounts.service';

const sessionParams = z.object({ id: z.string().min(1).max(64) });
const rackParams = z.object({ id: z.string().min(1).max(64), rack: z.string().min(1).max(64) });
const taskParams = z.object({ id: z.string().min(1).max(64), task: z.string().min(1).max(128) });
const binParams = z.object({
  id: z.string().min(1).max(64),
  rack: z.string().min(1).max(64),
  item: z.string().min(1).max(64),
});

/** The live notices of `GET /sessions/:id/recount-tasks/live`. */
export interface TaskNoticeOptions {
  events: EventsService;
  /** Open streams, ended at shutdown (the app's, shared with `GET /events`). */
  open: Set<Response>;
  recheckMs?: number;
  /** At most this many streams per counter (a phone holds one per session it counts). */
  streams: StreamLimit;
  /** A burst of task events within this many ms is one notice (default 250). */
  coalesceMs?: number;
}

/**
 * Recount tasks and bins (docs/design.md §11–§12, docs/api.md): `GET /sessions/:id/recount-tasks`
 * (a counter's own tasks, or the supervisor's queue), assignment, bins with their history and
 * a supervisor's decisions; and `GET /sessions/:id/racks/:rack/lines`.
 */
export function recountsRoutes(
  recounts: RecountsService,
  bins: BinsService,
  guard: AuthGuard,
  live?: TaskNoticeOptions,
): Router {
  const router = Router();
  const read = [guard.requireAuth, guard.requirePermission('sessions.read')];
  const supervise = [guard.requireAuth, guard.requirePermission('lines.review')];

  // A counter's notices that their tasks changed (docs/design.md §11 "Tasks reach the phone"):
  // Server-Sent Events `tasks` carrying only the session id; the phone then asks for its list,
  // so what a counter may see of a task is decided in one place. EventSource sends no headers:
  // the access token may come in the query, as for `GET /events`.
  if (live) {
    router.get(
      '/:id/recount-tasks/live',
      guard.requireAuthAllowQuery,
      guard.requirePermission('sessions.read'),
      async (req, res) => {
        const { id } = parse(sessionParams, req.params, 'params');
        const actor = actorOf(req);
        await recounts.myTasks(actor, id); // 404 / 403 as for the list, before the stream opens
        const delayMs = live.coalesceMs ?? 250;
        const options = {
          open: live.open,
          recheckMs: live.recheckMs ?? 15_000,
          limit: { streams: live.streams, user: actor.id },
        };
        await serveEventStream(res, options, async (sink) => {
          const notice = coalesce(() => {
            const notice: RecountTaskNotice = { session_id: id };
            sink.write(`event: tasks\ndata: ${JSON.stringify(notice)}\n\n`);
          }, delayMs);
          const watch = await live.events.watch(
            actor,
            id,
            { event: () => notice.poke(), revoked: sink.revoked },
            {
              permission: 'sessions.read',
              accept: (event) => concernsCounter(event, id, actor.id),
            },
          );
          return {
            recheck: watch.recheck,
            close: () => {
              notice.cancel();
              watch.close();
            },
          };
        });
      },
    );
  }

  router.get('/:id/recount-tasks', ...read, async (req, res) => {
    const { id } = parse(sessionParams, req.params, 'params');
    const actor = actorOf(req);
    if (!roleAtLeast(actor.role, 'supervisor')) {
      parse(z.strictObject({}), req.query, 'query');
      const items = await recounts.myTasks(actor, id);
      return sendOk(req, res, { items } satisfies RecountTaskList);
    }
    const query = parse(recountQueueQuerySchema, req.query, 'query');
    sendPage(req, res, await recounts.queue(actor, id, query), query);
  });

  // The phone's route before issue #16: the same list as a counter's `recount-tasks`.
  router.get('/:id/recounts', ...read, async (req, res) => {
    const { id } = parse(sessionParams, req.params, 'params');
    const items = await recounts.myTasks(actorOf(req), id);
    sendOk(req, res, { items } satisfies RecountTaskList);
  });

  router.post('/:id/recount-tasks/:task/assign', ...supervise, async (req, res) => {
    const { id, task } = parse(taskParams, req.params, 'params');
    const { user_id } = parse(assignRecountTaskSchema, req.body, 'body');
    const answer = await recounts.assign(actorOf(req), metaOf(req), id, task, user_id);
    sendOk(req, res, answer satisfies RecountQueueItem);
  });

  router.get('/:id/bins', ...supervise, async (req, res) => {
    const { id } = parse(sessionParams, req.params, 'params');
    const query = parse(binQuerySchema, req.query, 'query');
    sendPage(req, res, await bins.list(actorOf(req), id, query), query);
  });

  router.get('/:id/bins/:rack/:item', ...supervise, async (req, res) => {
    const { id, rack, item } = parse(binParams, req.params, 'params');
    const detail = await bins.detail(actorOf(req), id, { rack, item_code: item });
    sendOk(req, res, detail satisfies BinDetail);
  });

  router.post('/:id/bins/:rack/:item/decisions', ...supervise, async (req, res) => {
    const { id, rack, item } = parse(binParams, req.params, 'params');
    const body = parse(binDecisionRequestSchema, req.body, 'body');
    const bin = await bins.decide(actorOf(req), metaOf(req), id, { rack, item_code: item }, body);
    sendOk(req, res, bin satisfies BinRecord | null, 201);
  });

  // A supervisor keeps the decision having looked at the bin's late counts (design §11).
  router.post('/:id/bins/:rack/:item/late-counts/acknowledge', ...supervise, async (req, res) => {
    const { id, rack, item } = parse(binParams, req.params, 'params');
    const body = parse(lateCountsAcknowledgeSchema, req.body, 'body');
    const key = { rack, item_code: item };
    const bin = await bins.acknowledgeLate(actorOf(req), metaOf(req), id, key, body);
    sendOk(req, res, bin satisfies BinRecord);
  });

  router.get('/:id/racks/:rack/lines', ...read, async (req, res) => {
    const { id, rack } = parse(rackParams, req.params, 'params');
    sendOk(req, res, (await recounts.rackLines(actorOf(req), id, rack)) satisfies RackLines);
  });

  return router;
}
