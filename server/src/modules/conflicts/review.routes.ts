import { Router } from 'express';
import { z } from 'zod';
import {
  normalizeSerial,
  paginationQuerySchema,
  resolveConflictSchema,
  reviewSchema,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { AppError, notFound, validationError } from '../../lib/errors';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { Store } from '../../ports/store';
import type { AccessPolicy, Viewer } from '../access/access-policy';
import type { AuditLog } from '../audit/audit-log';
import type { CountingService } from '../counting/counting.service';
import type { EventBus } from '../events/event-bus';

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
const REVIEW_STATUS = { approve: 'APPROVED', reject: 'REJECTED', recount: 'RECOUNT' } as const;

/** Supervisor review: lines, conflicts, unknown items, serial history (api.md). */
export function reviewRoutes(deps: {
  store: Store;
  counting: CountingService;
  audit: AuditLog;
  events: EventBus;
  guard: AuthGuard;
  clock: () => Date;
  access: AccessPolicy;
}) {
  const { store, counting, audit, events, guard, clock, access } = deps;

  /** A supervisor with a warehouse reviews only that warehouse's sessions (issue #12). */
  async function assertSession(viewer: Viewer, sessionId: string | null, field: string) {
    const session = sessionId ? await store.sessions.get(sessionId) : null;
    if (session) await access.assertWarehouse(viewer, session.warehouse, field);
  }

  /** Queues list one session for a supervisor bound to a warehouse, all for the unbound. */
  async function assertQueue(viewer: Viewer, sessionId: string | undefined) {
    if (sessionId) return assertSession(viewer, sessionId, 'query.session');
    if ((await access.boundTo(viewer)) !== null)
      throw validationError([
        { path: 'query.session', message: 'required: you review the sessions of one warehouse' },
      ]);
  }
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
      const line = await store.lines.get(id);
      if (!line) throw notFound('NOT_FOUND', `No line ${id}`);
      await assertSession(actorOf(req), line.session_id, 'params.id');
      if (line.superseded_by)
        throw new AppError(
          409,
          'INVALID_TRANSITION',
          'This line was corrected by a newer line; review that one',
        );
      const session = await store.sessions.get(line.session_id);
      if (session?.status === 'RECONCILED')
        throw new AppError(409, 'SESSION_CLOSED', 'The session is reconciled');
      const actor = actorOf(req);
      const updated = await store.lines.review(id, {
        status: REVIEW_STATUS[decision],
        reviewed_by: actor.id,
        reviewed_at: clock().toISOString(),
        review_note: note ?? null,
      });
      await audit.record(
        actor,
        metaOf(req),
        `line.${decision}`,
        { type: 'line', id },
        { before: line.status, after: REVIEW_STATUS[decision], note: note ?? null },
      );
      events.publish({
        type: 'review',
        action: decision,
        session_id: line.session_id,
        rack: line.rack,
        user_id: actor.id,
        username: actor.username,
        data: { line_id: id },
      });
      sendOk(req, res, updated);
    },
  );

  router.get('/conflicts', auth, guard.requirePermission('conflicts.resolve'), async (req, res) => {
    const query = parse(conflictList, req.query, 'query');
    await assertQueue(actorOf(req), query.session);
    sendPage(req, res, await store.conflicts.list(query), query);
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
      await assertQueue(actorOf(req), query.session);
      sendPage(req, res, await store.unknownItems.list(query), query);
    },
  );

  router.post(
    '/unknown-items/:id/resolve',
    auth,
    guard.requirePermission('conflicts.resolve'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const input = parse(resolveUnknownSchema, req.body, 'body');
      const target = await store.unknownItems.get(id);
      if (target) await assertSession(actorOf(req), target.session_id, 'params.id');
      if (input.action === 'map' && !(await store.items.get(input.item_code))) {
        throw validationError([{ path: 'item_code', message: `no item ${input.item_code}` }]);
      }
      const actor = actorOf(req);
      const resolved = await store.unknownItems.resolve(id, {
        status: input.action === 'map' ? 'MAPPED' : 'NOT_OURS',
        mapped_item_code: input.action === 'map' ? input.item_code : null,
        resolved_by: actor.id,
        resolved_at: clock().toISOString(),
      });
      if (!resolved) {
        if (!(await store.unknownItems.get(id)))
          throw notFound('NOT_FOUND', `No unknown item ${id}`);
        throw new AppError(409, 'INVALID_TRANSITION', 'Already resolved');
      }
      await audit.record(
        actor,
        metaOf(req),
        'unknown_item.resolve',
        { type: 'unknown_item', id },
        { action: input.action, item_code: resolved.mapped_item_code },
      );
      sendOk(req, res, resolved);
    },
  );

  router.get(
    '/serials/:serial',
    auth,
    guard.requirePermission('serials.read'),
    async (req, res) => {
      const { serial } = parse(serialParams, req.params, 'params');
      const all = await store.lines.sightings(normalizeSerial(serial));
      // A supervisor bound to a warehouse sees the sightings in that warehouse's sessions only.
      const home = await access.boundTo(actorOf(req));
      const sessions = home
        ? new Map(
            await Promise.all(
              [...new Set(all.map((s) => s.session_id))].map(
                async (id) => [id, (await store.sessions.get(id))?.warehouse ?? null] as const,
              ),
            ),
          )
        : null;
      sendOk(req, res, {
        serial: normalizeSerial(serial),
        sightings: sessions ? all.filter((s) => sessions.get(s.session_id) === home) : all,
      });
    },
  );

  return router;
}
