/**
 * What both stores' bin repositories share (issue #16, docs/design.md §12): the record of a bin
 * that has lines and no row — one counter's first counts within tolerance, which never needed
 * settling — computed from its lines, and the rules of applying a settle outcome.
 */
import { roundQty, type BinRecord } from '@stockverify/shared';
import type { BinKey, BinSettleOutcome } from '../../ports/bins';
import type { CountLineRecord } from '../../ports/counting';

export type StoredBin = Omit<BinRecord, 'item_name'>;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type LateFields = Pick<
  StoredBin,
  'late_count_ids' | 'late_acknowledged_ids' | 'late_unacknowledged'
>;

/** A bin without late counts (every bin without a row: late counts need a decision or a task). */
export function noLateCounts(): LateFields {
  return { late_count_ids: [], late_acknowledged_ids: [], late_unacknowledged: 0 };
}

/**
 * A stored row with the late-count fields of a row written before they existed (MongoDB keeps such
 * documents as they are): none late.
 */
export function withLateDefaults<T extends Partial<LateFields>>(row: T): T & LateFields {
  return {
    ...row,
    late_count_ids: row.late_count_ids ?? [],
    late_acknowledged_ids: row.late_acknowledged_ids ?? [],
    late_unacknowledged: row.late_unacknowledged ?? 0,
  };
}

/**
 * The row after a supervisor acknowledged `countIds` (null: every late count of the row): only
 * the row's late counts can be acknowledged; the rest of the row is unchanged but `updated_at`.
 * (docs/design.md §11 "Late counts".)
 */
export function acknowledgeLateCounts(
  row: StoredBin,
  countIds: readonly string[] | null,
  now: string,
): StoredBin {
  const late = new Set(row.late_count_ids);
  const acknowledged = new Set(row.late_acknowledged_ids.filter((id) => late.has(id)));
  for (const id of countIds ?? row.late_count_ids) if (late.has(id)) acknowledged.add(id);
  return {
    ...row,
    late_acknowledged_ids: [...acknowledged].sort(cmp),
    late_unacknowledged: late.size - acknowledged.size,
    updated_at: now,
  };
}

/**
 * The record of a bin without a row, from its lines (any order; rejected and superseded ones are
 * left out): settled `within_tolerance` at its first count's figure, confirmed, settled when it
 * was first received. Null when no line of the bin counts.
 */
export function computedBinRecord(
  sessionId: string,
  key: BinKey,
  lines: readonly Pick<
    CountLineRecord,
    | 'counted_qty'
    | 'non_returnable_damaged_qty'
    | 'counted_by'
    | 'received_at'
    | 'op_id'
    | 'status'
    | 'superseded_by'
    | 'book_qty'
    | 'tolerance'
  >[],
): StoredBin | null {
  const live = lines
    .filter((l) => l.superseded_by === null && l.status !== 'REJECTED')
    .sort((a, b) => cmp(a.received_at, b.received_at) || cmp(a.op_id, b.op_id));
  const first = live[0];
  if (!first) return null;
  const quantity = roundQty(
    live.reduce((n, l) => n + roundQty(l.counted_qty - l.non_returnable_damaged_qty), 0),
  );
  const last = live[live.length - 1]!;
  return {
    session_id: sessionId,
    rack: key.rack,
    item_code: key.item_code,
    state: 'settled',
    reason: 'within_tolerance',
    quantity,
    proposed_quantity: null,
    phase: 0,
    split: false,
    book_qty: first.book_qty,
    rule_id: first.tolerance?.rule_id ?? 'default',
    rule_version: first.tolerance?.rule_version ?? 1,
    counters: [...new Set(live.map((l) => l.counted_by))].sort(cmp),
    first_count_qty: quantity,
    first_received_at: first.received_at,
    first_counted_by: first.counted_by,
    first_count_confirmed: true,
    settled_at: first.received_at,
    recounts: 0,
    overturned: false,
    open_task_id: null,
    ...noLateCounts(),
    updated_at: last.received_at,
  };
}

/**
 * The line status changes of an outcome that a store may apply: only lines of the bin (the
 * callback is the service's; a stray id is ignored rather than written).
 */
export function applicableUpdates(
  outcome: BinSettleOutcome,
  lines: readonly Pick<CountLineRecord, 'id' | 'superseded_by' | 'status'>[],
): BinSettleOutcome['line_updates'] {
  const byId = new Map(lines.map((l) => [l.id, l]));
  return outcome.line_updates.filter((u) => {
    const line = byId.get(u.id);
    return line !== undefined && line.superseded_by === null && line.status !== 'REJECTED';
  });
}

/** A bin without a row as a store sums its live lines (not superseded, not rejected). */
export interface RowlessBin {
  rack: string;
  item_code: string;
  /** Σ (counted − written-off damage) of its live lines. */
  quantity: number;
  /** The counters of its live lines (repeats allowed). */
  counters: string[];
  last_received_at: string;
  /** Of the line received first (op_id breaking ties): */
  first_counted_by: string;
  first_received_at: string;
  book_qty: number;
  rule_id: string | null;
  rule_version: number | null;
}

/**
 * The record of a bin without a row from a store's summary of its live lines: exactly what
 * `computedBinRecord` makes of the lines themselves (the count_quality report reads every bin of
 * a session, so the stores sum rowless bins in the database instead of reading every line).
 */
export function rowlessBinRecord(sessionId: string, r: RowlessBin): StoredBin {
  const quantity = roundQty(r.quantity);
  return {
    session_id: sessionId,
    rack: r.rack,
    item_code: r.item_code,
    state: 'settled',
    reason: 'within_tolerance',
    quantity,
    proposed_quantity: null,
    phase: 0,
    split: false,
    book_qty: r.book_qty,
    rule_id: r.rule_id ?? 'default',
    rule_version: r.rule_version ?? 1,
    counters: [...new Set(r.counters)].sort(cmp),
    first_count_qty: quantity,
    first_received_at: r.first_received_at,
    first_counted_by: r.first_counted_by,
    first_count_confirmed: true,
    settled_at: r.first_received_at,
    recounts: 0,
    overturned: false,
    open_task_id: null,
    ...noLateCounts(),
    updated_at: r.last_received_at,
  };
}
