import { Router } from 'express';
import { z } from 'zod';
import {
  LINE_STATUSES,
  bulkIdsSchema,
  createSessionSchema,
  isoInstantSchema,
  listSessionsQuerySchema,
  variancesQuerySchema,
  type VariancesPage,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { AppError } from '../../lib/errors';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { Store } from '../../ports/store';
import type { SessionsService } from './sessions.service';
import { decodeVarianceCursor, encodeVarianceCursor } from './variance-cursor';

const idParams = z.object({ id: z.string().min(1).max(64) });
const analyticsQuery = z.object({
  group_by: z.enum(['warehouse', 'staff']).default('warehouse'),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});
const linesQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
  status: z.enum(LINE_STATUSES).optional(),
  rack: z.string().max(64).optional(),
  has_variance: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  include_superseded: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/** `/sessions/*` for supervisors, plus list/detail for every signed-in user. */
export function sessionsRoutes(sessions: SessionsService, store: Store, guard: AuthGuard): Router {
  const router = Router();
  router.use(guard.requireAuth);
  const manage = guard.requirePermission('sessions.manage');

  router.post('/', manage, async (req, res) => {
    const input = parse(createSessionSchema, req.body, 'body');
    sendOk(
      req,
      res,
      await sessions.create(actorOf(req), metaOf(req), input),
      201,
      'Session created',
    );
  });

  router.get('/', guard.requirePermission('sessions.read'), async (req, res) => {
    const query = parse(listSessionsQuerySchema, req.query, 'query');
    sendOk(req, res, await sessions.list(actorOf(req), query));
  });

  router.post('/bulk/close', manage, async (req, res) => {
    const { ids } = parse(bulkIdsSchema, req.body, 'body');
    sendOk(req, res, { results: await sessions.bulkClose(actorOf(req), metaOf(req), ids) });
  });

  router.post('/bulk/reconcile', manage, async (req, res) => {
    const { ids } = parse(bulkIdsSchema, req.body, 'body');
    sendOk(req, res, { results: await sessions.bulkReconcile(actorOf(req), metaOf(req), ids) });
  });

  router.get('/analytics', manage, async (req, res) => {
    const { group_by, from, to } = parse(analyticsQuery, req.query, 'query');
    sendOk(req, res, {
      group_by,
      from: from ?? null,
      to: to ?? null,
      groups: await sessions.analytics(actorOf(req), group_by, from, to),
    });
  });

  router.get('/:id', guard.requirePermission('sessions.read'), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const actor = actorOf(req);
    const session = await sessions.getFor(actor, id);
    const metrics = await sessions.metrics(id);
    // No variance totals where the viewer may not see book quantities (the blind rule, design §4).
    const shown = !(await sessions.showsBook(actor, session))
      ? {
          ...metrics,
          total_variance: null,
          variance_value_at_cost: null,
          variance_value_at_price: null,
        }
      : metrics;
    sendOk(req, res, { ...session, metrics: shown });
  });

  // The book-quantity snapshot, for phones to show book and live variance while counting a
  // standard or strict session offline. Staff never get it while a blind session is open in the
  // session's warehouse, whichever session they name (design §4).
  router.get('/:id/book-quantities', guard.requirePermission('sessions.read'), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const actor = actorOf(req);
    const session = await sessions.getFor(actor, id);
    if (!(await sessions.showsBook(actor, session))) {
      throw new AppError(
        403,
        'FORBIDDEN',
        'Book quantities are hidden while a blind count is open in this warehouse',
      );
    }
    const rows = await store.sessions.snapshotRows(id);
    sendOk(req, res, {
      session_id: id,
      items: rows.map((row) => ({ item_code: row.item_code, book_qty: row.book_qty })),
    });
  });

  router.get('/:id/lines', manage, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const query = parse(linesQuery, req.query, 'query');
    await sessions.getFor(actorOf(req), id);
    const found = await store.lines.list(id, query);
    // Names beside codes, and the line a recount corrects, for review (issue #14 points 5 and 7).
    const codes = [...new Set(found.items.map((line) => line.item_code))];
    const names = new Map((await store.items.getMany(codes)).map((i) => [i.item_code, i.name]));
    const items = await Promise.all(
      found.items.map(async (line) => {
        const old = line.supersedes ? await store.lines.getByOpId(line.supersedes) : null;
        return {
          ...line,
          item_name: names.get(line.item_code) ?? null,
          supersedes_line:
            old && old.session_id === id
              ? {
                  id: old.id,
                  op_id: old.op_id,
                  counted_qty: old.counted_qty,
                  damaged_qty: old.damaged_qty,
                  non_returnable_damaged_qty: old.non_returnable_damaged_qty,
                  variance: old.variance,
                  status: old.status,
                  counted_by_name: old.counted_by_name,
                  counted_at: old.counted_at,
                  variance_reason: old.variance_reason,
                  remark: old.remark,
                }
              : null,
        };
      }),
    );
    sendPage(req, res, { ...found, items }, query);
  });

  // Paged like every list, plus a keyset cursor (issue #13): sorted and filtered in the Store.
  router.get('/:id/variances', manage, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const query = parse(variancesQuerySchema, req.query, 'query');
    const after = query.after ? decodeVarianceCursor(query.sort, query.after) : undefined;
    await sessions.getFor(actorOf(req), id);
    const found = await store.variances.page(id, { ...query, after });
    const page: VariancesPage = {
      items: found.items,
      page: query.page,
      page_size: query.page_size,
      total: found.total,
      next_after: found.next ? encodeVarianceCursor(query.sort, found.next) : null,
    };
    sendOk(req, res, page);
  });

  for (const action of ['close', 'reopen', 'reconcile'] as const) {
    router.post(`/:id/${action}`, manage, async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      sendOk(
        req,
        res,
        await sessions[action](actorOf(req), metaOf(req), id),
        200,
        `Session ${action}d`,
      );
    });
  }

  return router;
}
