import { Router } from 'express';
import { z } from 'zod';
import { paginationQuerySchema, resolveConflictSchema, reviewSchema } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { CountingService } from '../counting/counting.service';
import type { ReviewService } from './review.service';

const idParams = z.object({ id: z.string().min(1).max(64) });
const listQuery = paginationQuerySchema.extend({
  session: z.string().max(64).optional(),
});
const conflictList = listQuery.extend({
  status: z.enum(['OPEN', 'ACCEPTED', 'DISCARDED']).optional(),
});
const unknownList = listQuery.extend({ status: z.enum(['OPEN', 'MAPPED', 'NOT_OURS']).optional() });
const resolveUnknownSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('map'), item_code: z.string().trim().min(1).max(64) }),
  z.strictObject({ action: z.literal('not_ours') }),
]);
const serialParams = z.object({ serial: z.string().trim().min(1).max(128) });

/** Supervisor review: lines, conflicts, unknown items, serial history (api.md). */
export function reviewRoutes(review: ReviewService, counting: CountingService, guard: AuthGuard) {
  const router = Router();
  // Mounted at /api itself, so each route authenticates on its own (health must stay open).
  const auth = guard.requireAuth;

  router.patch(
    '/lines/:id/review',
    auth,
    guard.requirePermission('lines.review'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const { decision, note } = parse(reviewSchema, req.body, 'body');
      sendOk(req, res, await review.reviewLine(actorOf(req), metaOf(req), id, decision, note));
    },
  );

  router.get('/conflicts', auth, guard.requirePermission('conflicts.resolve'), async (req, res) => {
    const query = parse(conflictList, req.query, 'query');
    sendPage(req, res, await review.conflicts(actorOf(req), query), query);
  });

  router.post(
    '/conflicts/:id/resolve',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const { action, note } = parse(resolveConflictSchema, req.body, 'body');
      sendOk(req, res, await counting.resolveConflict(actorOf(req), metaOf(req), id, action, note));
    },
  );

  router.get(
    '/unknown-items',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const query = parse(unknownList, req.query, 'query');
      sendPage(req, res, await review.unknownItems(actorOf(req), query), query);
    },
  );

  router.post(
    '/unknown-items/:id/resolve',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const input = parse(resolveUnknownSchema, req.body, 'body');
      sendOk(req, res, await review.resolveUnknownItem(actorOf(req), metaOf(req), id, input));
    },
  );

  router.get(
    '/serials/:serial',
    auth,
    guard.requirePermission('serials.read'),
    async (req, res) => {
      const { serial } = parse(serialParams, req.params, 'params');
      sendOk(req, res, await review.serialHistory(actorOf(req), serial));
    },
  );

  return router;
}
