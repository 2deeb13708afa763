/**
 * Finished SQL rows → report rows: the derived figures (coverage, accuracy, rates) and the final
 * rounding of sums. Shared by both store adapters, which hand over rows of the same raw shape.
 */
import {
  accuracyPercent,
  roundMoney,
  roundQty,
  varianceValue,
  type ReportRowByType,
  type StockSummaryRow,
  type UserActivityRow,
  type SessionHistoryRow,
  type VarianceRow,
  type AuditTrailRow,
} from '@stockverify/shared';

import type { StoreReportType } from '../../ports/reports';
import { parseHintKinds } from './read-model-plan';

export type RawRow = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** 100 × part / whole to two decimals, or null when there is no whole. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 100 : null;
}

/** A JSON array of strings (SQLite json_group_array, or a MongoDB array) as "a, b": distinct, sorted. */
function list(v: unknown): string {
  if (v === '[]' || v === null || v === undefined) return '';
  // Most groups hold one plain value (one rack, one counter): skip JSON.parse for those.
  if (typeof v === 'string' && v.startsWith('["') && v.endsWith('"]')) {
    const inner = v.slice(2, -2);
    if (!inner.includes('"') && !inner.includes('\\')) return inner;
  }
  const values = typeof v === 'string' ? (JSON.parse(v) as unknown[]) : Array.isArray(v) ? v : [];
  if (values.length === 1) return values[0] === null ? '' : String(values[0]);
  const distinct = new Set(values.filter((x) => x !== null && x !== '').map(String));
  return [...distinct].sort().join(', ');
}

function stockSummary(r: RawRow): StockSummaryRow {
  const inScope = num(r.items_in_scope);
  const counted = num(r.items_counted);
  return {
    warehouse: str(r.warehouse),
    item_code: strOrNull(r.item_code),
    name: strOrNull(r.name),
    category: strOrNull(r.category),
    items_in_scope: inScope,
    items_counted: counted,
    book_qty: roundQty(num(r.book_qty)),
    counted_qty: roundQty(num(r.counted_qty)),
    damaged_qty: roundQty(num(r.damaged_qty)),
    written_off_qty: roundQty(num(r.written_off_qty)),
    variance: roundQty(num(r.variance)),
    value_at_cost: roundMoney(num(r.value_at_cost)),
    value_at_price: roundMoney(num(r.value_at_price)),
    coverage: percent(counted, inScope),
  };
}

/** Raw per (session, item) sums → the row, rounded as `toVariance` in the line repos. */
function variance(r: RawRow): VarianceRow {
  const book = num(r.book_qty);
  const counted = roundQty(num(r.counted_qty));
  const writtenOff = roundQty(num(r.written_off_qty));
  const diff = roundQty(counted - writtenOff - book);
  const value = varianceValue(diff, { cost: num(r.cost), price: num(r.price) });
  return {
    session_id: str(r.session_id),
    session_name: str(r.session_name),
    warehouse: str(r.warehouse),
    item_code: str(r.item_code),
    name: str(r.name),
    category: strOrNull(r.category),
    book_qty: book,
    counted_qty: counted,
    damaged_qty: roundQty(num(r.damaged_qty)),
    written_off_qty: writtenOff,
    variance: diff,
    value_at_cost: value.at_cost,
    value_at_price: value.at_price,
    lines: num(r.lines),
    racks: list(r.racks),
    counters: list(r.counters),
    reasons: list(r.reasons),
    review_status: list(r.review_status),
    photos: num(r.photos),
    last_counted_at: str(r.last_counted_at),
    ...atCount(r),
  };
}

/** The variance at count valued as `value_at_cost` is: at the snapshot's cost, to the cent. */
export function valueAtCountCost(varianceAtCount: number | null, cost: number): number | null {
  return varianceAtCount === null
    ? null
    : varianceValue(varianceAtCount, { cost, price: 0 }).at_cost;
}

/**
 * The item's figures when counted, from the read model (rm_items: `at_status`, `vac_m`,
 * `hint_kinds` as ',kind,kind,'), item-level whatever floor or counter filter took a share of its
 * lines. An item without a model row is `unknown`.
 */
function atCount(
  r: RawRow,
): Pick<VarianceRow, 'variance_at_count' | 'value_at_count_cost' | 'at_count_status' | 'hints'> {
  const status = r.at_status === null || r.at_status === undefined ? 'unknown' : str(r.at_status);
  const vac = r.vac_m === null || r.vac_m === undefined ? null : roundQty(num(r.vac_m) / 1000);
  const exact = status === 'exact' ? vac : null;
  return {
    variance_at_count: exact,
    value_at_count_cost: valueAtCountCost(exact, num(r.cost)),
    at_count_status: status,
    hints: parseHintKinds(str(r.hint_kinds)).join(', '),
  };
}

function userActivity(r: RawRow): UserActivityRow {
  const lines = num(r.lines);
  const minutes = num(r.active_minutes);
  const written = num(r.lines_written);
  const overturned = num(r.lines_overturned);
  return {
    user_id: str(r.user_id),
    username: str(r.username),
    sessions: num(r.sessions),
    lines,
    items: num(r.items),
    active_minutes: Math.round(minutes * 10) / 10,
    scans_per_hour: Math.round((lines / Math.max(1, minutes)) * 60 * 10) / 10,
    first_count_accuracy: accuracyPercent(num(r.abs_book), num(r.abs_variance)),
    lines_written: written,
    lines_overturned: overturned,
    recount_overturn_rate: percent(overturned, written),
    variance: roundQty(num(r.variance)),
    value_at_cost: roundMoney(num(r.value_at_cost)),
    value_at_price: roundMoney(num(r.value_at_price)),
    first_counted_at: str(r.first_counted_at),
    last_counted_at: str(r.last_counted_at),
  };
}

function sessionHistory(r: RawRow): SessionHistoryRow {
  return {
    session_id: str(r.session_id),
    name: str(r.name),
    warehouse: str(r.warehouse),
    mode: str(r.mode),
    status: str(r.status),
    created_at: str(r.created_at),
    closed_at: strOrNull(r.closed_at),
    reconciled_at: strOrNull(r.reconciled_at),
    counters: num(r.counters),
    items_in_snapshot: num(r.items_in_snapshot),
    items_counted: num(r.items_counted),
    lines: num(r.lines),
    variance: roundQty(num(r.variance)),
    value_at_cost: roundMoney(num(r.value_at_cost)),
    value_at_price: roundMoney(num(r.value_at_price)),
    accuracy: accuracyPercent(num(r.abs_book), num(r.abs_variance)),
  };
}

function auditTrail(r: RawRow): AuditTrailRow {
  const summary = r.summary;
  return {
    at: str(r.at),
    actor_id: strOrNull(r.actor_id),
    actor_username: strOrNull(r.actor_username),
    actor_role: strOrNull(r.actor_role),
    action: str(r.action),
    target_type: strOrNull(r.target_type),
    target_id: strOrNull(r.target_id),
    request_id: strOrNull(r.request_id),
    ip: strOrNull(r.ip),
    summary:
      summary === null || summary === undefined
        ? null
        : typeof summary === 'string'
          ? summary
          : JSON.stringify(summary),
  };
}

const MAPPERS: { [T in StoreReportType]: (r: RawRow) => ReportRowByType[T] } = {
  stock_summary: stockSummary,
  variance,
  user_activity: userActivity,
  session_history: sessionHistory,
  audit_trail: auditTrail,
};

/** Maps one raw row of a report type's query to that type's row. */
export function mapReportRow<T extends StoreReportType>(type: T, row: RawRow): ReportRowByType[T] {
  return MAPPERS[type](row);
}
