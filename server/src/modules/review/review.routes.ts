import { Router } from 'express';
import { z } from 'zod';
import {
  conflictListQuerySchema,
  resolveConflictSchema,
  resolveUnknownItemSchema,
  reviewSchema,
  unknownItemListQuerySchema,
  type Conflict,
  type ReviewedLine,
  type SerialHistory,
  type UnknownItem,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { CountingService } from '../counting/counting.service';
import type { ReviewService } from './review.service';

const idParams = z.object({ id: z.string().min(1).max(64) });
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
      const line = await review.reviewLine(actorOf(req), metaOf(req), id, decision, note);
      sendOk(req, res, line satisfies ReviewedLine);
    },
  );

  router.get('/conflicts', auth, guard.requirePermission('conflicts.resolve'), async (req, res) => {
    const query = parse(conflictListQuerySchema, req.query, 'query');
    sendPage(req, res, await review.conflicts(actorOf(req), query), query);
  });

  router.post(
    '/conflicts/:id/resolve',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const { action, note } = parse(resolveConflictSchema, req.body, 'body');
      const resolved = await counting.resolveConflict(actorOf(req), metaOf(req), id, action, note);
      sendOk(req, res, resolved satisfies Conflict);
    },
  );

  router.get(
    '/unknown-items',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const query = parse(unknownItemListQuerySchema, req.query, 'query');
      sendPage(req, res, await review.unknownItems(actorOf(req), query), query);
    },
  );

  router.post(
    '/unknown-items/:id/resolve',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const input = parse(resolveUnknownItemSchema, req.body, 'body');
      const resolved = await review.resolveUnknownItem(actorOf(req), metaOf(req), id, input);
      sendOk(req, res, resolved satisfies UnknownItem);
    },
  );

  router.get(
    '/serials/:serial',
    auth,
    guard.requirePermission('serials.read'),
    async (req, res) => {
      const { serial } = parse(serialParams, req.params, 'params');
      sendOk(req, res, (await review.serialHistory(actorOf(req), serial)) satisfies SerialHistory);
    },
  );

  return router;
}
