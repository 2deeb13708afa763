import type { RackLine, LineRecount } from '@stockverify/shared';
import { roleAtLeast } from '@stockverify/shared';
import { notFound } from '../../lib/errors';
import type { CountLineRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';
import { lineStatusShown, type AccessPolicy, type Viewer } from '../access/access-policy';

/** Lines sent back for recount are few; more than this in one session is listed by newest. */
const TASK_LIMIT = 500;
/** The newest lines of one rack a phone shows. */
const RACK_LINES = 200;

/**
 * The recount loop on the counter's side (issue #14): a supervisor's "recount" becomes a task on
 * the phone of whoever counted the line; and a rack's lines are visible to another phone that
 * opens it, so a counter never sees "Nothing yet" in a rack that has counts.
 */
export function createRecountsService(deps: { store: Store; access: AccessPolicy }) {
  const { store, access } = deps;

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

  return {
    /** Open recount tasks: the viewer's own lines for staff, every one for supervisors. */
    async tasks(viewer: Viewer, sessionId: string): Promise<LineRecount[]> {
      await sessionFor(viewer, sessionId);
      const page = await store.lines.list(sessionId, {
        page: 1,
        page_size: TASK_LIMIT,
        status: 'RECOUNT',
      });
      const open = page.items.filter(
        (l) =>
          l.superseded_by === null &&
          (roleAtLeast(viewer.role, 'supervisor') || l.counted_by === viewer.id),
      );
      const itemNames = await names(open);
      return open.map((l) => ({
        line_id: l.id,
        op_id: l.op_id,
        session_id: l.session_id,
        rack: l.rack,
        item_code: l.item_code,
        item_name: itemNames.get(l.item_code) ?? null,
        counted_by: l.counted_by,
        counted_by_name: l.counted_by_name,
        requested_at: l.reviewed_at,
        note: l.review_note,
      }));
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
      const itemNames = await names(page.items);
      return {
        total: page.total,
        items: page.items.map((l) => ({
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
