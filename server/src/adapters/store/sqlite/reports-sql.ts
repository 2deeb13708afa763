/**
 * SQL of the five report types on SQLite (issue #6). Every aggregation is a GROUP BY here; the
 * adapter only maps finished rows. Rounding goes through `sv_round_qty` / `sv_round_money`, the
 * shared `roundQty` / `roundMoney` registered as SQL functions, so a report rounds each
 * (session, item) exactly as `LineRepo.variances` and the session detail do, to the cent.
 *
 * Named parameters (null = no filter): @warehouse, @session, @session_ids (JSON array),
 * @from, @to (session created_at in [from, to)), @racks (JSON array of "warehouse␟rack"),
 * @category, @user; variance only: @include_balanced (1 keeps zero variances), @after_session and
 * @after_item (keyset cursor), @at_count_status and @hint (the item's read-model row, issue #17).
 *
 * user_activity and session_history read the session read model (issue #13: rm_counters,
 * rm_writers, rm_sessions), a few rows per session, where `modelAnswers` (../reports-model.ts)
 * says the model keeps the figures; the stock summary and the variance totals read its per-item
 * rows (rm_items) where `itemsAnswer` says so; with other line filters they aggregate the lines.
 * The variance report's rows stay on the lines: they list each item's racks, counters, reasons,
 * statuses and photos, which the model does not keep (and they stream in index order).
 */
import type { StockSummaryGroup } from '@stockverify/shared';
import type { StoreReportType } from '../../../ports/reports';

// Same rule as LineRepo (design §4, §12): superseded, rejected and candidate lines do not count.
const COUNTS = `l.superseded_by IS NULL AND l.status NOT IN ('REJECTED', 'CANDIDATE')`;

/** The item's category within the session: its snapshot row, else the item master (as VARIANCES). */
const LINE_CATEGORY = `(CASE WHEN EXISTS (SELECT 1 FROM session_snapshot x
      WHERE x.session_id = l.session_id AND x.item_code = l.item_code)
    THEN (SELECT x.category FROM session_snapshot x
      WHERE x.session_id = l.session_id AND x.item_code = l.item_code)
    ELSE (SELECT i.category FROM items i WHERE i.item_code = l.item_code) END)`;

const SESSION_WHERE = `
    (@warehouse IS NULL OR s.warehouse = @warehouse)
    AND (@session IS NULL OR s.id = @session)
    AND (@session_ids IS NULL OR s.id IN (SELECT value FROM json_each(@session_ids)))
    AND (@from IS NULL OR s.created_at >= @from)
    AND (@to IS NULL OR s.created_at < @to)`;

/** Line filters shared by every line-based report, on `count_lines l` joined to `sessions s`. */
const LINE_WHERE = `
    (@racks IS NULL OR (s.warehouse || char(31) || l.rack) IN (SELECT value FROM json_each(@racks)))
    AND (@user IS NULL OR l.counted_by = @user)
    AND (@category IS NULL OR ${LINE_CATEGORY} = @category)`;

const SESSIONS_CTE = `sel_sessions AS (
  SELECT s.id, s.name, s.warehouse, s.mode, s.status, s.created_at, s.closed_at, s.reconciled_at,
    s.snapshot_items
  FROM sessions s WHERE ${SESSION_WHERE}
)`;

const LINES_CTE = `sel_lines AS (
  SELECT l.*, s.warehouse AS warehouse
  FROM count_lines l JOIN sel_sessions s ON s.id = l.session_id
  WHERE ${COUNTS} AND ${LINE_WHERE}
)`;

/**
 * Per (session, item): sums of the lines that count, with book, cost and price from the snapshot
 * (book 0 outside it), and the variance rounded as `toVariance` in lines.ts does.
 */
function itemVarianceCtes(): string {
  return `item_sums AS (
  SELECT session_id, MAX(warehouse) AS warehouse, item_code,
    sv_round_qty(SUM(counted_qty)) AS counted_qty,
    sv_round_qty(SUM(damaged_qty)) AS damaged_qty,
    sv_round_qty(SUM(non_returnable_damaged_qty)) AS written_off_qty,
    COUNT(*) AS lines
  FROM sel_lines
  GROUP BY session_id, item_code
),
item_var AS (
  SELECT g.session_id, g.warehouse, g.item_code,
    COALESCE(sn.name, i.name, g.item_code) AS name,
    CASE WHEN sn.item_code IS NULL THEN i.category ELSE sn.category END AS category,
    COALESCE(sn.book_qty, 0) AS book_qty,
    COALESCE(sn.cost, 0) AS cost,
    COALESCE(sn.price, 0) AS price,
    g.counted_qty, g.damaged_qty, g.written_off_qty, g.lines,
    sv_round_qty(g.counted_qty - g.written_off_qty - COALESCE(sn.book_qty, 0)) AS variance
  FROM item_sums g
  LEFT JOIN session_snapshot sn ON sn.session_id = g.session_id AND sn.item_code = g.item_code
  LEFT JOIN items i ON i.item_code = g.item_code
)`;
}

/**
 * The same per (session, item) figures from the read model's rm_items (no floor or counter
 * filter): the sums kept in thousandths and cents are the very rounded sums above, so every
 * figure derived from them is the same to the cent. The category filter keeps whole items.
 */
const ITEM_VAR_FROM_MODEL = `item_var AS (
  SELECT r.session_id, s.warehouse, r.item_code,
    COALESCE(sn.name, i.name, r.item_code) AS name,
    CASE WHEN sn.item_code IS NULL THEN i.category ELSE sn.category END AS category,
    r.book_qty, r.cost, r.price,
    r.counted_m / 1000.0 AS counted_qty, r.damaged_m / 1000.0 AS damaged_qty,
    r.nonret_m / 1000.0 AS written_off_qty, r.lines,
    r.variance_m / 1000.0 AS variance, r.at_status, r.vac_m, r.vac_low_m, r.vac_high_m
  FROM sel_sessions s
  JOIN rm_items r ON r.session_id = s.id
  LEFT JOIN session_snapshot sn ON sn.session_id = r.session_id AND sn.item_code = r.item_code
  LEFT JOIN items i ON i.item_code = r.item_code
  WHERE @category IS NULL
    OR (CASE WHEN sn.item_code IS NULL THEN i.category ELSE sn.category END) = @category
)`;

/**
 * The variance report's at-count filters (issue #17) on the item's read-model row, for a
 * (session, item) pair named by `session` and `item`: each costs nothing when not asked.
 * hint_kinds is ',kind,kind,' (read-model-plan hintKindsField).
 */
function atCountWhere(session: string, item: string): string {
  const row = `FROM rm_items a WHERE a.session_id = ${session} AND a.item_code = ${item}`;
  return `(@at_count_status IS NULL OR EXISTS (SELECT 1 ${row} AND a.at_status = @at_count_status))
  AND (@hint IS NULL OR EXISTS (SELECT 1 ${row} AND instr(a.hint_kinds, ',' || @hint || ',') > 0))`;
}

/**
 * Whether the item's read-model row `a` says it is off at count (issue #17): an exact variance at
 * count that is not zero, or an ambiguous one whose range is not only zero. Such an item is a row
 * of the variance report even when its snapshot variance is zero (a pick posted before the count
 * that never left the shelf: 0 at the snapshot, +5 at count).
 */
function offAtCount(a: string): string {
  return `((${a}.at_status = 'exact' AND ${a}.vac_m <> 0)
    OR (${a}.at_status = 'ambiguous' AND (${a}.vac_low_m <> 0 OR ${a}.vac_high_m <> 0)))`;
}

/** The item_var CTE (and what it needs) from the lines or from the read model. */
function itemVar(model: boolean): string {
  return model ? ITEM_VAR_FROM_MODEL : `${LINES_CTE}, ${itemVarianceCtes()}`;
}

/**
 * The variance report in one GROUP BY over the lines, in (session, item) index order so rows
 * stream out as groups close (no sort of the whole result). Sums are raw here: the row mapper
 * rounds them with the shared rules (as `toVariance` in lines.ts) and makes the lists distinct
 * (DISTINCT in SQL costs a temporary B-tree per list per group). The item master is read once per
 * group, and only for an item outside the snapshot. Quantities carry at most three
 * decimals, so a variance that rounds to non-zero is at least 0.001 away from zero: the HAVING
 * tolerance only absorbs float noise of the sums. An item off at count only (`offAtCount`) is a row
 * too (issue #17).
 */
function variance(cursor: boolean): string {
  // A bare row-value bound (not under an OR with "no cursor") lets SQLite seek the index to it.
  const after = cursor ? 'AND (l.session_id, l.item_code) > (@after_session, @after_item)' : '';
  return `WITH ${SESSIONS_CTE}
SELECT l.session_id, s.name AS session_name, s.warehouse, l.item_code,
  COALESCE(sn.name, (SELECT i.name FROM items i WHERE i.item_code = l.item_code), l.item_code)
    AS name,
  CASE WHEN sn.item_code IS NULL
    THEN (SELECT i.category FROM items i WHERE i.item_code = l.item_code)
    ELSE sn.category END AS category,
  COALESCE(sn.book_qty, 0) AS book_qty,
  COALESCE(sn.cost, 0) AS cost,
  COALESCE(sn.price, 0) AS price,
  SUM(l.counted_qty) AS counted_qty,
  SUM(l.damaged_qty) AS damaged_qty,
  SUM(l.non_returnable_damaged_qty) AS written_off_qty,
  COUNT(*) AS lines,
  json_group_array(l.rack) AS racks,
  json_group_array(l.counted_by_name) AS counters,
  json_group_array(l.variance_reason)
    FILTER (WHERE l.variance_reason IS NOT NULL AND l.variance_reason <> '') AS reasons,
  json_group_array(l.status) AS review_status,
  SUM(json_array_length(l.photo_ids)) AS photos,
  MAX(l.counted_at) AS last_counted_at,
  a.at_status, a.vac_m, a.hint_kinds
FROM count_lines l
JOIN sel_sessions s ON s.id = l.session_id
LEFT JOIN session_snapshot sn ON sn.session_id = l.session_id AND sn.item_code = l.item_code
LEFT JOIN rm_items a ON a.session_id = l.session_id AND a.item_code = l.item_code
WHERE ${COUNTS} AND ${LINE_WHERE} ${after}
GROUP BY l.session_id, l.item_code
HAVING (@include_balanced = 1
  OR ABS(SUM(l.counted_qty) - SUM(l.non_returnable_damaged_qty) - COALESCE(sn.book_qty, 0)) > 0.0004
  OR ${offAtCount('a')})
  AND ${atCountWhere('l.session_id', 'l.item_code')}
ORDER BY l.session_id, l.item_code`;
}

/**
 * Totals of the variance report, rounded per (session, item) in SQL like the rows. Beside the
 * snapshot's figures each row carries its status at count (the read model's; no model row is
 * `unknown`, as in the rows) and, when exact, its variance at count in thousandths and that
 * valued at the snapshot's cost as the row's `value_at_count_cost` is (issue #17). From the
 * model, item_var has the item's row at hand; from the lines, one primary-key read per item.
 */
function varianceTotals(model: boolean): string {
  const a = model ? 'v' : 'a';
  const join = model
    ? ''
    : 'LEFT JOIN rm_items a ON a.session_id = v.session_id AND a.item_code = v.item_code';
  return `WITH ${SESSIONS_CTE}, ${itemVar(model)}
SELECT v.book_qty, v.counted_qty, v.variance, v.lines,
  sv_round_money(v.variance * v.cost) AS value_at_cost,
  sv_round_money(v.variance * v.price) AS value_at_price,
  COALESCE(${a}.at_status, 'unknown') AS at_status,
  CASE WHEN ${a}.at_status = 'exact' THEN ${a}.vac_m END AS vac_exact_m,
  CASE WHEN ${a}.at_status = 'exact' AND ${a}.vac_m <> 0
    THEN sv_round_money((${a}.vac_m / 1000.0) * v.cost) END AS value_at_count_cost
FROM item_var v ${join}
WHERE (v.variance <> 0 OR @include_balanced = 1 OR ${offAtCount(a)})
  AND ${atCountWhere('v.session_id', 'v.item_code')}`;
}

const GROUP_KEYS: Record<StockSummaryGroup, { select: string; group: string; order: string }> = {
  item: {
    select: 'warehouse, item_code, MAX(name) AS name, MAX(category) AS category',
    group: 'warehouse, item_code',
    order: 'warehouse, item_code',
  },
  category: {
    select: 'warehouse, NULL AS item_code, NULL AS name, category',
    group: 'warehouse, category',
    order: 'warehouse, category',
  },
  warehouse: {
    select: 'warehouse, NULL AS item_code, NULL AS name, NULL AS category',
    group: 'warehouse',
    order: 'warehouse',
  },
};

/**
 * Units are (session, item) pairs: every snapshot row of a chosen session (in scope, with its
 * book), plus counted items outside the snapshot (book 0). Book counts every pair in scope;
 * counted quantities, variance and values only pairs with lines, as the session detail does.
 */
function stockSummary(groupBy: StockSummaryGroup, model: boolean): string {
  const key = GROUP_KEYS[groupBy];
  return `WITH ${SESSIONS_CTE}, ${itemVar(model)},
pairs AS (
  SELECT s.warehouse, sn.item_code, sn.name, sn.category, 1 AS in_scope, sn.book_qty AS scope_book,
    v.session_id IS NOT NULL AS counted, v.counted_qty, v.damaged_qty, v.written_off_qty,
    v.variance, v.cost, v.price
  FROM sel_sessions s
  JOIN session_snapshot sn ON sn.session_id = s.id
  LEFT JOIN item_var v ON v.session_id = sn.session_id AND v.item_code = sn.item_code
  WHERE @category IS NULL OR sn.category = @category
  UNION ALL
  SELECT v.warehouse, v.item_code, v.name, v.category, 0, 0, 1, v.counted_qty, v.damaged_qty,
    v.written_off_qty, v.variance, v.cost, v.price
  FROM item_var v
  WHERE NOT EXISTS (SELECT 1 FROM session_snapshot sn
    WHERE sn.session_id = v.session_id AND sn.item_code = v.item_code)
)
SELECT ${key.select},
  SUM(in_scope) AS items_in_scope,
  SUM(in_scope * counted) AS items_counted,
  SUM(scope_book) AS book_qty,
  SUM(COALESCE(counted_qty, 0)) AS counted_qty,
  SUM(COALESCE(damaged_qty, 0)) AS damaged_qty,
  SUM(COALESCE(written_off_qty, 0)) AS written_off_qty,
  SUM(COALESCE(variance, 0)) AS variance,
  SUM(CASE WHEN counted THEN sv_round_money(variance * cost) ELSE 0 END) AS value_at_cost,
  SUM(CASE WHEN counted THEN sv_round_money(variance * price) ELSE 0 END) AS value_at_price
FROM pairs
GROUP BY ${key.group}
ORDER BY ${key.order}`;
}

/** Lines written and overturned per counter, over every line they wrote in the chosen sessions. */
const WRITTEN_FROM_LINES = `written AS (
  SELECT l.counted_by, COUNT(*) AS lines_written,
    SUM(CASE WHEN l.status = 'REJECTED' OR EXISTS (
      SELECT 1 FROM count_lines n WHERE n.op_id = l.superseded_by
        AND (n.counted_qty <> l.counted_qty OR n.damaged_qty <> l.damaged_qty
          OR n.non_returnable_damaged_qty <> l.non_returnable_damaged_qty)
    ) THEN 1 ELSE 0 END) AS lines_overturned
  FROM count_lines l JOIN sel_sessions s ON s.id = l.session_id
  WHERE ${LINE_WHERE}
  GROUP BY l.counted_by
)`;

/** The same from the read model's rm_writers (no line filter but @user). */
const WRITTEN_FROM_MODEL = `written AS (
  SELECT w.user_id AS counted_by, SUM(w.written) AS lines_written,
    SUM(w.overturned) AS lines_overturned
  FROM sel_sessions s JOIN rm_writers w ON w.session_id = s.id
  WHERE @user IS NULL OR w.user_id = @user
  GROUP BY w.user_id
)`;

/** Per counter from the per (session, counter) rows of `per_session` and `written`. */
const USER_ACTIVITY_SELECT = `SELECT p.counted_by AS user_id, MAX(p.username) AS username,
  COUNT(*) AS sessions, SUM(p.lines) AS lines, SUM(p.items) AS items,
  SUM(sv_active_minutes(p.first_counted_at, p.last_counted_at)) AS active_minutes,
  SUM(p.abs_variance) AS abs_variance, SUM(p.abs_book) AS abs_book,
  SUM(p.variance) AS variance, SUM(p.value_at_cost) AS value_at_cost,
  SUM(p.value_at_price) AS value_at_price,
  MIN(p.first_counted_at) AS first_counted_at, MAX(p.last_counted_at) AS last_counted_at,
  COALESCE(MAX(w.lines_written), 0) AS lines_written,
  COALESCE(MAX(w.lines_overturned), 0) AS lines_overturned
FROM per_session p LEFT JOIN written w ON w.counted_by = p.counted_by
GROUP BY p.counted_by
ORDER BY MAX(p.username), p.counted_by`;

/**
 * user_activity from the read model: one rm_counters row per (session, counter), the figures
 * `LineRepo.stats` gives, in the model's integer thousandths and cents (rounded back exactly as
 * the line query rounds its sums); lines written and overturned from rm_writers.
 */
function userActivityFromModel(): string {
  return `WITH ${SESSIONS_CTE},
per_session AS (
  SELECT c.user_id AS counted_by, c.session_id, c.username, c.lines, c.items,
    sv_round_qty(c.abs_variance_m / 1000.0) AS abs_variance,
    sv_round_qty(c.abs_book_m / 1000.0) AS abs_book,
    sv_round_qty(c.variance_m / 1000.0) AS variance,
    sv_round_money(c.cost_c / 100.0) AS value_at_cost,
    sv_round_money(c.price_c / 100.0) AS value_at_price,
    c.first_counted_at, c.last_counted_at
  FROM sel_sessions s JOIN rm_counters c ON c.session_id = s.id
  WHERE @user IS NULL OR c.user_id = @user
),
${WRITTEN_FROM_MODEL}
${USER_ACTIVITY_SELECT}`;
}

/**
 * session_history from the read model: rm_sessions holds the item-level totals of the session
 * detail (Σ of rounded item variances and values, Σ|book| and Σ|variance| of counted items), and
 * a session's counters are its rm_counters rows.
 */
const SESSION_HISTORY_FROM_MODEL = `WITH ${SESSIONS_CTE}
SELECT s.id AS session_id, s.name, s.warehouse, s.mode, s.status, s.created_at, s.closed_at,
  s.reconciled_at,
  (SELECT COUNT(*) FROM rm_counters c WHERE c.session_id = s.id) AS counters,
  s.snapshot_items AS items_in_snapshot,
  COALESCE(r.items, 0) AS items_counted, COALESCE(r.lines, 0) AS lines,
  COALESCE(r.variance_m, 0) / 1000.0 AS variance,
  COALESCE(r.cost_c, 0) / 100.0 AS value_at_cost,
  COALESCE(r.price_c, 0) / 100.0 AS value_at_price,
  COALESCE(r.abs_book_m, 0) / 1000.0 AS abs_book,
  COALESCE(r.abs_variance_m, 0) / 1000.0 AS abs_variance
FROM sel_sessions s
LEFT JOIN rm_sessions r ON r.session_id = s.id
ORDER BY s.created_at, s.id`;

/**
 * Per counter over the chosen lines: sums per (session, counter) first — rounded as
 * `LineRepo.stats` rounds them, so figures match `GET /sessions/analytics?group_by=staff` — then
 * per counter. `written` counts every line the counter wrote (superseded and rejected too) and
 * those a supervisor rejected or a correction changed.
 */
const USER_ACTIVITY = `WITH ${SESSIONS_CTE}, ${LINES_CTE},
per_session AS (
  SELECT counted_by, session_id, MAX(counted_by_name) AS username,
    COUNT(*) AS lines, COUNT(DISTINCT item_code) AS items,
    sv_round_qty(SUM(ABS(variance))) AS abs_variance,
    sv_round_qty(SUM(ABS(book_qty))) AS abs_book,
    sv_round_qty(SUM(variance)) AS variance,
    sv_round_money(SUM(value_at_cost)) AS value_at_cost,
    sv_round_money(SUM(value_at_price)) AS value_at_price,
    MIN(counted_at) AS first_counted_at, MAX(counted_at) AS last_counted_at
  FROM sel_lines
  GROUP BY counted_by, session_id
),
${WRITTEN_FROM_LINES}
${USER_ACTIVITY_SELECT}`;

/**
 * Per session: item-level totals as the session detail computes them. A session without chosen
 * lines stays in the history unless a line filter (floor, category, user) is set.
 */
const SESSION_HISTORY = `WITH ${SESSIONS_CTE}, ${LINES_CTE}, ${itemVarianceCtes()},
per_session AS (
  SELECT session_id, COUNT(*) AS items_counted, SUM(lines) AS lines,
    SUM(variance) AS variance,
    SUM(sv_round_money(variance * cost)) AS value_at_cost,
    SUM(sv_round_money(variance * price)) AS value_at_price,
    SUM(ABS(book_qty)) AS abs_book, SUM(ABS(variance)) AS abs_variance
  FROM item_var GROUP BY session_id
),
counters AS (
  SELECT session_id, COUNT(DISTINCT counted_by) AS counters FROM sel_lines GROUP BY session_id
)
SELECT s.id AS session_id, s.name, s.warehouse, s.mode, s.status, s.created_at, s.closed_at,
  s.reconciled_at, COALESCE(c.counters, 0) AS counters, s.snapshot_items AS items_in_snapshot,
  COALESCE(p.items_counted, 0) AS items_counted, COALESCE(p.lines, 0) AS lines,
  COALESCE(p.variance, 0) AS variance, COALESCE(p.value_at_cost, 0) AS value_at_cost,
  COALESCE(p.value_at_price, 0) AS value_at_price,
  COALESCE(p.abs_book, 0) AS abs_book, COALESCE(p.abs_variance, 0) AS abs_variance
FROM sel_sessions s
LEFT JOIN per_session p ON p.session_id = s.id
LEFT JOIN counters c ON c.session_id = s.id
WHERE (@racks IS NULL AND @user IS NULL AND @category IS NULL) OR p.session_id IS NOT NULL
ORDER BY s.created_at, s.id`;

/** Audit entries: `user` is the actor, `session` the target (or the session named in the summary). */
const AUDIT_TRAIL = `SELECT a.at, a.actor_id, a.actor_username, a.actor_role, a.action, a.target_type,
  a.target_id, a.request_id, a.ip, a.summary
FROM audit a
WHERE (@user IS NULL OR a.actor_id = @user)
  AND (@session IS NULL OR a.target_id = @session
    OR (json_valid(a.summary) AND json_extract(a.summary, '$.session_id') = @session))
  AND (@from IS NULL OR a.at >= @from)
  AND (@to IS NULL OR a.at < @to)
ORDER BY a.at DESC, a.id DESC`;

/**
 * Where a report's figures come from: `model` when the read model answers the query (no line
 * filter it does not keep), `items` when its per-item rows answer the per-item figures (stock
 * summary, variance totals).
 */
export interface ReportSqlSource {
  model: boolean;
  items?: boolean;
}

const FROM_LINES: ReportSqlSource = { model: false };

/** The report's SQL, rows in report order; `cursor` adds the variance keyset bound. */
export function reportSql(
  type: StoreReportType,
  groupBy: StockSummaryGroup,
  cursor = false,
  source: ReportSqlSource = FROM_LINES,
): string {
  switch (type) {
    case 'stock_summary':
      return stockSummary(groupBy, source.items ?? false);
    case 'variance':
      return variance(cursor);
    case 'user_activity':
      return source.model ? userActivityFromModel() : USER_ACTIVITY;
    case 'session_history':
      return source.model ? SESSION_HISTORY_FROM_MODEL : SESSION_HISTORY;
    case 'audit_trail':
      return AUDIT_TRAIL;
  }
}

/** Row count and sums over the whole report (the same rows, wrapped). */
export function totalsSql(
  type: StoreReportType,
  groupBy: StockSummaryGroup,
  source: ReportSqlSource = FROM_LINES,
): string {
  const inner =
    type === 'variance'
      ? varianceTotals(source.items ?? false)
      : reportSql(type, groupBy, false, source);
  const sums: Record<StoreReportType, string> = {
    stock_summary: `SUM(book_qty) AS book_qty, SUM(counted_qty) AS counted_qty,
      SUM(variance) AS variance, SUM(value_at_cost) AS value_at_cost,
      SUM(value_at_price) AS value_at_price`,
    variance: `SUM(book_qty) AS book_qty, SUM(counted_qty) AS counted_qty,
      SUM(variance) AS variance, SUM(value_at_cost) AS value_at_cost,
      SUM(value_at_price) AS value_at_price, SUM(lines) AS lines,
      SUM(vac_exact_m) / 1000.0 AS variance_at_count,
      SUM(value_at_count_cost) AS value_at_count_cost,
      SUM(at_status = 'exact') AS at_exact, SUM(at_status = 'ambiguous') AS at_ambiguous,
      SUM(at_status = 'unknown') AS at_unknown, SUM(at_status = 'pending') AS at_pending`,
    user_activity: `SUM(lines) AS lines, SUM(variance) AS variance,
      SUM(value_at_cost) AS value_at_cost, SUM(value_at_price) AS value_at_price`,
    session_history: `SUM(lines) AS lines, SUM(variance) AS variance,
      SUM(value_at_cost) AS value_at_cost, SUM(value_at_price) AS value_at_price`,
    audit_trail: '',
  };
  const extra = sums[type] ? `, ${sums[type]}` : '';
  return `SELECT COUNT(*) AS rows${extra} FROM (${inner})`;
}

/**
 * One session's figures at count from its read-model items, from scratch: the exact items'
 * variance at count (thousandths) and value, rounded per item as the report's rows are
 * (vac_m / 1000.0 is already the row's roundQty; the rounding function runs only for the items
 * whose variance at count is not zero, most items having none), and the items by status. Reads
 * every rm_items row of the session: the session detail reads SESSION_AT_COUNT_SQL instead; this
 * is what rm_at_count_totals must always equal (at-count-totals.test.ts).
 */
export const SESSION_AT_COUNT_FROM_ITEMS_SQL = `SELECT
  SUM(CASE WHEN at_status = 'exact' THEN vac_m END) / 1000.0 AS variance_at_count,
  SUM(CASE WHEN at_status = 'exact' AND vac_m <> 0
    THEN sv_round_money((vac_m / 1000.0) * cost) END) AS value_at_count_cost,
  SUM(at_status = 'exact') AS at_exact, SUM(at_status = 'ambiguous') AS at_ambiguous,
  SUM(at_status = 'unknown') AS at_unknown, SUM(at_status = 'pending') AS at_pending
FROM rm_items WHERE session_id = @session`;

/**
 * One session's figures at count (the session detail, issue #17), from the one row the read model
 * keeps for it (rm_at_count_totals, at-count-totals.ts: kept by triggers on rm_items, always equal
 * to SESSION_AT_COUNT_FROM_ITEMS_SQL): no rm_items row is read. Variance in thousandths, value in
 * integer cents, both exact; no row (no item yet): no figures.
 */
export const SESSION_AT_COUNT_SQL = `SELECT vac_m / 1000.0 AS variance_at_count,
  value_c / 100.0 AS value_at_count_cost, exact AS at_exact, ambiguous AS at_ambiguous,
  unknown AS at_unknown, pending AS at_pending
FROM rm_at_count_totals WHERE session_id = @session`;
