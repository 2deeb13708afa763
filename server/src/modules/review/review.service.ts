import { normalizeSerial } from '@stockverify/shared';
import { AppError, notFound, validationError } from '../../lib/errors';
import type { Actor, RequestMeta } from '../../lib/request-context';
import type { Store } from '../../ports/store';
import type { AccessPolicy, Viewer } from '../access/access-policy';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { BinsService } from '../recounts/bins.service';

const REVIEW_STATUS = { approve: 'APPROVED', reject: 'REJECTED', recount: 'RECOUNT' } as const;

export type ReviewDecision = keyof typeof REVIEW_STATUS;
export type UnknownItemResolution = { action: 'map'; item_code: string } | { action: 'not_ours' };
type ConflictQuery = Parameters<Store['conflicts']['list']>[0];
type UnknownItemQuery = Parameters<Store['unknownItems']['list']>[0];

export type ReviewService = ReturnType<typeof createReviewService>;

/**
 * Supervisor review: line decisions, the conflict and unknown-item queues, serial history. A
 * supervisor with a warehouse reviews only that warehouse's sessions (issue #12).
 */
export function createReviewService(deps: {
  store: Store;
  audit: AuditLog;
  events: EventBus;
  clock: () => Date;
  access: AccessPolicy;
  /** Bins (issue #16): a line's review becomes a decision on its bin. */
  bins?: Pick<BinsService, 'recountLine' | 'approveLine' | 'afterReview'>;
}) {
  const { store, audit, events, clock, access, bins } = deps;

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

  return {
    /** Approves, rejects or sends line `id` to recount; audited and announced. */
    async reviewLine(
      actor: Actor,
      meta: RequestMeta,
      id: string,
      decision: ReviewDecision,
      note: string | undefined,
    ) {
      const line = await store.lines.get(id);
      if (!line) throw notFound('NOT_FOUND', `No line ${id}`);
      await assertSession(actor, line.session_id, 'params.id');
      if (line.superseded_by)
        throw new AppError(
          409,
          'INVALID_TRANSITION',
          'This line was corrected by a newer line; review that one',
        );
      const session = await store.sessions.get(line.session_id);
      if (session?.status === 'RECONCILED')
        throw new AppError(409, 'SESSION_CLOSED', 'The session is reconciled');
      const updated = await store.lines.review(id, {
        status: REVIEW_STATUS[decision],
        reviewed_by: actor.id,
        reviewed_at: clock().toISOString(),
        review_note: note ?? null,
      });
      if (!updated) throw notFound('NOT_FOUND', `No line ${id}`);
      // On the line's bin (docs/design.md §11): a recount asks a different counter; an approval
      // decides the bin on this count; a rejection takes the line out of its settlement.
      if (bins) {
        if (decision === 'recount') await bins.recountLine(actor, meta, updated, note ?? null);
        else if (decision === 'approve') await bins.approveLine(actor, meta, updated, note ?? null);
        else await bins.afterReview(updated);
      }
      const after = (bins && (await store.lines.get(id))) || updated;
      await audit.record(
        actor,
        meta,
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
      return after;
    },

    async conflicts(viewer: Viewer, query: ConflictQuery & { session?: string }) {
      await assertQueue(viewer, query.session);
      return store.conflicts.list(query);
    },

    async unknownItems(viewer: Viewer, query: UnknownItemQuery & { session?: string }) {
      await assertQueue(viewer, query.session);
      return store.unknownItems.list(query);
    },

    /** Maps unknown item `id` to an item of the master, or marks it not ours; audited. */
    async resolveUnknownItem(
      actor: Actor,
      meta: RequestMeta,
      id: string,
      input: UnknownItemResolution,
    ) {
      const target = await store.unknownItems.get(id);
      if (target) await assertSession(actor, target.session_id, 'params.id');
      if (input.action === 'map' && !(await store.items.get(input.item_code))) {
        throw validationError([{ path: 'item_code', message: `no item ${input.item_code}` }]);
      }
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
        meta,
        'unknown_item.resolve',
        { type: 'unknown_item', id },
        { action: input.action, item_code: resolved.mapped_item_code },
      );
      return resolved;
    },

    /** Where `serial` was seen; a supervisor bound to a warehouse sees that warehouse's only. */
    async serialHistory(viewer: Viewer, serial: string) {
      const normalized = normalizeSerial(serial);
      const all = await store.lines.sightings(normalized);
      const home = await access.boundTo(viewer);
      const sessions = home
        ? new Map(
            await Promise.all(
              [...new Set(all.map((s) => s.session_id))].map(
                async (id) => [id, (await store.sessions.get(id))?.warehouse ?? null] as const,
              ),
            ),
          )
        : null;
      return {
        serial: normalized,
        sightings: sessions ? all.filter((s) => sessions.get(s.session_id) === home) : all,
      };
    },
  };
}
