import { Router } from 'express';
import { z } from 'zod';
import {
  analyticsQuerySchema,
  type Analytics,
  bulkIdsSchema,
  createSessionSchema,
  linesQuerySchema,
  listSessionsQuerySchema,
  variancesQuerySchema,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { SessionReadsService } from './session-reads.service';
import type { SessionsService } from './sessions.service';
import { decodeVarianceCursor } from './variance-cursor';

const idParams = z.object({ id: z.string().min(1).max(64) });

/** `/sessions/*` for supervisors, plus list/detail for every signed-in user. */
export function sessionsRoutes(
  sessions: SessionsService,
  reads: SessionReadsService,
  guard: AuthGuard,
): Router {
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
    const { group_by, from, to } = parse(analyticsQuerySchema, req.query, 'query');
    sendOk(req, res, {
      group_by,
      from: from ?? null,
      to: to ?? null,
      groups: await sessions.analytics(actorOf(req), group_by, from, to),
    } satisfies Analytics);
  });

  router.get('/:id', guard.requirePermission('sessions.read'), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    sendOk(req, res, await reads.detail(actorOf(req), id));
  });

  // The book-quantity snapshot, for phones to show book and live variance while counting a
  // standard or strict session offline. Staff never get it while a blind session is open in the
  // session's warehouse, whichever session they name (design §4).
  router.get('/:id/book-quantities', guard.requirePermission('sessions.read'), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    sendOk(req, res, await reads.bookQuantities(actorOf(req), id));
  });

  router.get('/:id/lines', manage, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const query = parse(linesQuerySchema, req.query, 'query');
    sendPage(req, res, await reads.lines(actorOf(req), id, query), query);
  });

  // Paged like every list, plus a keyset cursor (issue #13): sorted and filtered in the Store.
  router.get('/:id/variances', manage, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const query = parse(variancesQuerySchema, req.query, 'query');
    const after = query.after ? decodeVarianceCursor(query.sort, query.after) : undefined;
    sendOk(req, res, await reads.variances(actorOf(req), id, query, after));
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
