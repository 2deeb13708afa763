import type {
  BookQuantities,
  CountLine,
  SessionDetail,
  VariancesPage,
  VariancesQuery,
} from '@stockverify/shared';
import { AppError } from '../../lib/errors';
import type { Actor } from '../../lib/request-context';
import type { Store } from '../../ports/store';
import type { VarianceCursor } from '../../ports/variances';
import type { AccessPolicy } from '../access/access-policy';
import { itemsAtCount } from './line-at-count';
import type { SessionsService } from './sessions.service';
import { encodeVarianceCursor } from './variance-cursor';

type LinesQuery = Parameters<Store['lines']['list']>[1];

export type SessionReadsService = ReturnType<typeof createSessionReadsService>;

/**
 * What a viewer reads of one session: its detail, book quantities, lines and variances, each
 * after the session is found in the viewer's reach (`sessions.getFor`) and, where book figures
 * show, under the blind rule (design §4), which the access policy alone decides.
 */
export function createSessionReadsService(
  store: Store,
  sessions: SessionsService,
  access: Pick<AccessPolicy, 'showsBook'>,
) {
  return {
    /** The session with its metrics; no variance totals where the viewer may not see book. */
    async detail(actor: Actor, id: string) {
      const session = await sessions.getFor(actor, id);
      const showsBook = await access.showsBook(actor, session.warehouse);
      const metrics = await sessions.metrics(id, { atCount: showsBook, session });
      const shown = !showsBook
        ? {
            ...metrics,
            total_variance: null,
            variance_value_at_cost: null,
            variance_value_at_price: null,
            at_count: null,
          }
        : metrics;
      return { ...session, metrics: shown } satisfies SessionDetail;
    },

    /**
     * The book-quantity snapshot, for phones to show book and live variance while counting a
     * standard or strict session offline. Staff never get it while a blind session is open in
     * the session's warehouse, whichever session they name (design §4).
     */
    async bookQuantities(actor: Actor, id: string) {
      const session = await sessions.getFor(actor, id);
      if (!(await access.showsBook(actor, session.warehouse))) {
        throw new AppError(
          403,
          'FORBIDDEN',
          'Book quantities are hidden while a blind count is open in this warehouse',
        );
      }
      const rows = await store.sessions.snapshotRows(id);
      return {
        session_id: id,
        items: rows.map((row) => ({ item_code: row.item_code, book_qty: row.book_qty })),
      } satisfies BookQuantities;
    },

    /**
     * A page of the session's lines, with item names, the line a recount corrects and the item's
     * figures at count (design §13). Supervisors only: the route asks `sessions.manage`.
     */
    async lines(actor: Actor, id: string, query: LinesQuery) {
      const session = await sessions.getFor(actor, id);
      const found = await store.lines.list(id, query);
      // Names beside codes, and the line a recount corrects, for review (issue #14 points 5 and 7).
      const codes = [...new Set(found.items.map((line) => line.item_code))];
      const names = new Map((await store.items.getMany(codes)).map((i) => [i.item_code, i.name]));
      const atCount = await itemsAtCount(store.readModel, session, codes);
      // The lines the page's corrections replaced, in one read (100 point reads before).
      const replaced = await store.lines.getManyByOpId(
        found.items.flatMap((line) => (line.supersedes ? [line.supersedes] : [])),
      );
      const byOpId = new Map(replaced.map((line) => [line.op_id, line]));
      const items = found.items.map((line) => {
        const old = line.supersedes ? (byOpId.get(line.supersedes) ?? null) : null;
        return {
          ...line,
          item_name: names.get(line.item_code) ?? null,
          item_at_count: atCount.get(line.item_code) ?? null,
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
        } satisfies CountLine;
      });
      return { ...found, items };
    },

    /** A page of the session's variances, sorted and filtered in the Store, with its cursor. */
    async variances(
      actor: Actor,
      id: string,
      query: VariancesQuery,
      after: VarianceCursor | undefined,
    ): Promise<VariancesPage> {
      await sessions.getFor(actor, id);
      const found = await store.variances.page(id, { ...query, after });
      return {
        items: found.items,
        page: query.page,
        page_size: query.page_size,
        total: found.total,
        next_after: found.next ? encodeVarianceCursor(query.sort, found.next) : null,
      };
    },
  };
}
