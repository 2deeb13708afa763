import type {
  RackLine,
  RecountQueueItem,
  RecountQueueQuery,
  RecountTask,
} from '@stockverify/shared';
import { roleAtLeast } from '@stockverify/shared';
import { AppError, notFound, validationError } from '../../lib/errors';
import type { Actor, RequestMeta } from '../../lib/request-context';
import type { CountLineRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';
import { lineStatusShown, type AccessPolicy, type Viewer } from '../access/access-policy';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { createTaskViews } from './task-views';

/** Open tasks a counter's phone lists at most (they are few: one per doubtful bin). */
const TASK_LIMIT = 500;
/** The newest lines of one rack a phone shows. */
const RACK_LINES = 200;

/**
 * Recount tasks (issue #16, docs/design.md §11): a counter's list (blind), the supervisor's queue
 * and assignment; and a rack's lines for another phone that opens it, so a counter never sees
 * "Nothing yet" in a rack that has counts.
 */
export function createRecountsService(deps: {
  store: Store;
  access: AccessPolicy;
  audit: AuditLog;
  events: EventBus;
  clock: () => Date;
}) {
  const { store, access, audit, events, clock } = deps;
  const views = createTaskViews(store);

  async function sessionFor(viewer: Viewer, sessionId: string) {
    const session = await store.sessions.get(sessionId);
    if (!session) throw notFound('NOT_FOUND', `No session ${sessionId}`);
    await access.assertWarehouse(viewer, session.warehouse, 'params.id');
    return session;
  }

  /** Item names from the item master (an item counted outside the snapshot has one too). */
  async function names(lines: readonly CountLineRecord[]) {
    const codes = [...new Set(lines.map((l) => l.item_code))];
    return new Map((await store.items.getMany(codes)).map((i) => [i.item_code, i.name]));
  }

  /**
   * Items of the rack with an open recount task the viewer may be asked to do (staff who did not
   * count the bin): their earlier counts are not shown, not even that one exists — a recount is
   * blind whatever the session's mode (docs/design.md §11). Supervisors see everything.
   */
  async function recountedHere(viewer: Viewer, sessionId: string, rack: string) {
    const hidden = new Set<string>();
    if (roleAtLeast(viewer.role, 'supervisor')) return hidden;
    const open = await store.recountTasks.list(sessionId, {
      state: 'open',
      rack,
      page: 1,
      page_size: TASK_LIMIT,
    });
    for (const task of open.items)
      if (!task.excluded_counters.includes(viewer.id)) hidden.add(task.item_code);
    return hidden;
  }

  return {
    /**
     * A counter's recount tasks (`GET /sessions/:id/recount-tasks` for staff, docs/design.md §11):
     * open ones assigned to them or offered to every eligible counter and not excluding them;
     * blind whatever the session's mode.
     */
    async myTasks(viewer: Viewer, sessionId: string): Promise<RecountTask[]> {
      await sessionFor(viewer, sessionId);
      if (!store.recountTasks) return [];
      const page = await store.recountTasks.list(sessionId, {
        state: 'open',
        eligible_user: viewer.id,
        page: 1,
        page_size: TASK_LIMIT,
      });
      return views.staffItems(page.items, viewer.id);
    },

    /** The supervisor's queue of recount tasks, paged and filtered. */
    async queue(viewer: Viewer, sessionId: string, query: RecountQueueQuery) {
      await sessionFor(viewer, sessionId);
      if (!store.recountTasks) return { items: [], total: 0 };
      const page = await store.recountTasks.list(sessionId, query);
      return { items: await views.queueItems(page.items), total: page.total };
    },

    /**
     * A supervisor gives a task to a counter (or offers it to all with null); audited. 409
     * RECOUNT_COUNTER_EXCLUDED for a counter who already counted the bin.
     */
    async assign(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      taskId: string,
      userId: string | null,
    ): Promise<RecountQueueItem> {
      const session = await sessionFor(actor, sessionId);
      const tasks = store.recountTasks;
      const task = tasks ? await tasks.get(taskId) : null;
      if (!tasks || !task || task.session_id !== sessionId) {
        throw notFound('NOT_FOUND', `No recount task ${taskId} in this session`);
      }
      if (task.state !== 'open') {
        throw new AppError(409, 'INVALID_TRANSITION', `The task is ${task.state} already`);
      }
      if (userId !== null) {
        const user = await store.users.get(userId);
        if (!user || !user.active) {
          throw validationError([{ path: 'user_id', message: 'no active user with this id' }]);
        }
        if (!(await access.mayUse(user, session.warehouse))) {
          throw validationError([{ path: 'user_id', message: 'works in another warehouse' }]);
        }
        if (task.excluded_counters.includes(userId)) {
          throw new AppError(
            409,
            'RECOUNT_COUNTER_EXCLUDED',
            `${user.username} counted this item in this rack already: a recount goes to someone else`,
            [{ path: 'user_id', message: 'counted this bin already' }],
          );
        }
      }
      const updated = await tasks.assign(taskId, userId, clock().toISOString());
      if (!updated || updated.state !== 'open') {
        throw new AppError(409, 'INVALID_TRANSITION', 'The task closed meanwhile');
      }
      await audit.record(
        actor,
        meta,
        'recount_task.assign',
        { type: 'recount_task', id: taskId },
        { before: task.assigned_to, after: userId, rack: task.rack, item_code: task.item_code },
      );
      events.publish({
        type: 'recount_task',
        action: 'assigned',
        session_id: sessionId,
        rack: task.rack,
        user_id: actor.id,
        username: actor.username,
        data: {
          task_id: taskId,
          item_code: task.item_code,
          assigned_to: userId,
          previous_assigned_to: task.assigned_to,
        },
      });
      return (await views.queueItems([updated]))[0]!;
    },

    /** Lines that still count in one rack, newest first, quantities hidden while blind applies. */
    async rackLines(
      viewer: Viewer,
      sessionId: string,
      rack: string,
    ): Promise<{ items: RackLine[]; total: number }> {
      const session = await sessionFor(viewer, sessionId);
      const showQty = await access.showsBook(viewer, session.warehouse);
      const page = await store.lines.list(sessionId, { page: 1, page_size: RACK_LINES, rack });
      const hidden = await recountedHere(viewer, sessionId, rack);
      const shown = page.items.filter((l) => !hidden.has(l.item_code));
      const itemNames = await names(shown);
      return {
        total: page.total - (page.items.length - shown.length),
        items: shown.map((l) => ({
          op_id: l.op_id,
          item_code: l.item_code,
          item_name: itemNames.get(l.item_code) ?? null,
          counted_qty: showQty ? l.counted_qty : null,
          counted_by_name: l.counted_by_name,
          counted_at: l.counted_at,
          // Blind: whether a line went to review would tell the count was off (issue #16).
          status: lineStatusShown(l.status, showQty),
          mine: l.counted_by === viewer.id,
        })),
      };
    },
  };
}

export type RecountsService = ReturnType<typeof createRecountsService>;
