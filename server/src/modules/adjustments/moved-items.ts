/**
 * Items that moved after a session's snapshot, for the adjustment package and reconcile (issue #17
 * item 2, docs/design.md §13 "The wiring": the adjustment package). Which items moved is read from
 * the stored movements of the session's warehouse after its ERP watermark (paged by watermark);
 * each such item's expected at count is computed again with `computeItemExpected` (the movements
 * known now; the read model's columns may be pending, so they are not read). Bounded by the
 * movements and the moved items, never by the session's lines.
 */
import {
  compareWatermarks,
  movedLineAdjustment,
  type ItemExpectedAnswer,
  type MovedItemsUndecided,
  type MovedLineChoice,
} from '@stockverify/shared';
import type { SessionRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';
import { computeItemExpected, readCompleteUntil } from '../movements/expected.service';
import { movedFigures } from '../movements/moved-decisions.service';

/** Movements read per page while finding the moved items. */
const PAGE = 5_000;
/** Items a reconcile refusal lists (the total is given beside them). */
export const UNDECIDED_LISTED = 50;

type MovedSession = Pick<
  SessionRecord,
  'id' | 'warehouse' | 'erp_watermark' | 'erp_watermark_high'
>;

/** Item codes with a stored movement in the session's warehouse after its watermark. */
export async function movedItemCodes(store: Store, session: MovedSession): Promise<Set<string>> {
  const codes = new Set<string>();
  if (!session.erp_watermark) return codes;
  let after: string = session.erp_watermark;
  for (;;) {
    const page = await store.movements.list({ warehouse: session.warehouse, after, limit: PAGE });
    for (const m of page) codes.add(m.item_code);
    if (page.length < PAGE) return codes;
    after = page[page.length - 1]!.watermark;
  }
}

/** Each item's expected at count, computed now (null: the item is not in the session). */
export async function expectedOf(
  store: Store,
  session: MovedSession,
  codes: Iterable<string>,
): Promise<Map<string, ItemExpectedAnswer | null>> {
  let complete: Promise<string | null> | null = null;
  const completeUntil = () => (complete ??= readCompleteUntil(store));
  const out = new Map<string, ItemExpectedAnswer | null>();
  for (const code of codes) {
    out.set(code, await computeItemExpected(store, session, code, completeUntil));
  }
  return out;
}

/** Today's book: the snapshot book plus every stored movement after the watermark, and the last. */
export function liveBook(answer: ItemExpectedAnswer): {
  live_book_milli: number;
  live_book_watermark: string | null;
} {
  const e = answer.expected;
  const all = e ? [...e.applied, ...e.after_count, ...e.ambiguous] : [];
  return {
    live_book_milli: answer.book_milli + all.reduce((n, m) => n + m.quantity_milli, 0),
    live_book_watermark:
      all
        .map((m) => m.watermark)
        .sort(compareWatermarks)
        .at(-1) ?? null,
  };
}

/**
 * The default of a moved item without a decision whose variance at count is exact: that variance
 * applied to today's book (keep the difference's arithmetic), null otherwise.
 */
export function atCountFigures(answer: ItemExpectedAnswer | null | undefined) {
  const e = answer?.expected;
  if (!answer || !e || e.status !== 'exact' || e.variance_at_count_milli === null) return null;
  const live = liveBook(answer);
  const adj = movedLineAdjustment(
    'keep_difference',
    { counted_milli: answer.counted_milli, variance_at_count_milli: e.variance_at_count_milli },
    live.live_book_milli,
  );
  return { ...live, target_milli: adj.target_milli, delta_milli: adj.delta_milli };
}

/**
 * The moved items that keep a session from being reconciled (design §13): ambiguous, a kept count
 * would settle them (not a movement in the snapshot's window, which leaves today's book itself
 * uncertain and no decision can take), and no decision keeps their count. Unknown items (no
 * watermark, no counts, too many) are not listed: no decision can be taken for them either, so
 * they reconcile on the snapshot variance, as the package says.
 */
export async function undecidedMovedItems(
  store: Store,
  session: MovedSession,
): Promise<MovedItemsUndecided> {
  const moved = await movedItemCodes(store, session);
  if (moved.size === 0) return { moved_items: [], moved_items_total: 0 };
  const decisions = new Map<string, MovedLineChoice>(
    (await store.movedDecisions.list(session.id)).map((d) => [d.item_code, d.mode]),
  );
  const found: MovedItemsUndecided['moved_items'] = [];
  const answers = await expectedOf(store, session, [...moved].sort());
  for (const [code, answer] of answers) {
    const e = answer?.expected;
    if (!answer || !e || e.status !== 'ambiguous') continue;
    const decision = decisions.get(code) ?? null;
    if (decision === 'keep_counted' || !movedFigures(answer, 'keep_counted').ok) continue;
    found.push({
      item_code: code,
      at_count_status: 'ambiguous',
      reason: e.ambiguous[0]?.reason ?? 'ambiguous',
      decision,
    });
  }
  return { moved_items: found.slice(0, UNDECIDED_LISTED), moved_items_total: found.length };
}
