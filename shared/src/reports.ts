/**
 * The reporting contract (issue #6, api.md "Reports"): the request both `POST /reports/generate`
 * and `POST /reports/export/:format` take, each report type's row, and the column definitions
 * every writer uses (the server's CSV/XLSX streams and the console's local XLSX), so a report
 * reads the same whatever made the file.
 */
import { z } from 'zod';
import { isoInstantSchema } from './envelope';

export const REPORT_TYPES = [
  'stock_summary',
  'variance',
  'user_activity',
  'session_history',
  'audit_trail',
] as const;
export const reportTypeSchema = z.enum(REPORT_TYPES);
export type ReportType = z.infer<typeof reportTypeSchema>;

export const REPORT_FORMATS = ['csv', 'xlsx'] as const;
export const reportFormatSchema = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof reportFormatSchema>;

/** How `stock_summary` rows are grouped: one row per item, per category or per warehouse. */
export const STOCK_SUMMARY_GROUPS = ['item', 'category', 'warehouse'] as const;
export type StockSummaryGroup = (typeof STOCK_SUMMARY_GROUPS)[number];

const code = z.string().trim().min(1).max(64);

/**
 * Filters mean the same in every report type and format:
 * - `warehouse`, `session`, `from`/`to` choose the sessions: their warehouse, their id, and
 *   their creation time in [from, to) — the same window `GET /sessions/analytics` takes;
 * - `floor` (racks on that floor), `category` (the item's category in the session snapshot, or in
 *   the item master for an item outside it) and `user` (the counter's user id) choose count lines.
 * The audit trail has no sessions or lines: there `user` is the actor, `session` the target id and
 * `from`/`to` bound the entry time; `warehouse`, `floor` and `category` are refused.
 */
export const reportFiltersSchema = z.strictObject({
  warehouse: code.optional(),
  floor: code.optional(),
  category: z.string().trim().min(1).max(120).optional(),
  user: code.optional(),
  session: code.optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});
export type ReportFilters = z.infer<typeof reportFiltersSchema>;

/** The filters the audit trail accepts (see reportFiltersSchema). */
export const AUDIT_TRAIL_FILTERS = ['user', 'session', 'from', 'to'] as const;

/** Body of `POST /reports/generate` and `POST /reports/export/:format`. */
export const reportRequestSchema = z
  .strictObject({
    type: reportTypeSchema,
    filters: reportFiltersSchema.default({}),
    /** Only for `stock_summary`. */
    group_by: z.enum(STOCK_SUMMARY_GROUPS).default('item'),
    /** JSON pages; the file exports ignore them and stream every row. */
    page: z.coerce.number().int().min(1).default(1),
    page_size: z.coerce.number().int().min(1).max(1000).default(100),
    /**
     * Variance only: the `next_after` of the previous page. The page then starts right after that
     * row (`page` is ignored), found through the index instead of counted past like an offset, so
     * reading a large report page by page costs the same per page from start to end.
     */
    after: z.string().min(1).max(400).optional(),
  })
  .superRefine((req, ctx) => {
    const { from, to } = req.filters;
    if (from && to && from >= to) {
      ctx.addIssue({ code: 'custom', path: ['filters', 'to'], message: 'must be after from' });
    }
    if (req.after !== undefined && req.type !== 'variance') {
      ctx.addIssue({
        code: 'custom',
        path: ['after'],
        message: 'only the variance report pages by cursor',
      });
    }
    if (req.type === 'audit_trail') {
      for (const key of ['warehouse', 'floor', 'category'] as const) {
        if (req.filters[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['filters', key],
            message: 'does not apply to the audit trail',
          });
        }
      }
    }
  });
export type ReportRequest = z.infer<typeof reportRequestSchema>;
export type ReportRequestInput = z.input<typeof reportRequestSchema>;

/** Body of `POST /sessions/bulk/export`: the variance lines of these sessions as a file. */
export const bulkExportSchema = z.strictObject({
  ids: z.array(code).min(1, 'at least one id').max(500),
  format: reportFormatSchema,
});
export type BulkExportInput = z.infer<typeof bulkExportSchema>;

/** stock_summary: book vs count per item, category or warehouse over the chosen sessions. */
export interface StockSummaryRow {
  warehouse: string;
  /** Null when grouped by category or warehouse. */
  item_code: string | null;
  name: string | null;
  /** Null when grouped by warehouse (or the item has none). */
  category: string | null;
  /** (session, item) pairs in the sessions' book snapshots. */
  items_in_scope: number;
  /** Of those, pairs with at least one count line that counts. */
  items_counted: number;
  /** Book quantity of every item in scope (snapshot). */
  book_qty: number;
  counted_qty: number;
  /** Returnable damage (part of counted_qty). */
  damaged_qty: number;
  /** Non-returnable damage, written off (part of counted_qty). */
  written_off_qty: number;
  /** Σ per (session, item) of counted − written off − book, over counted items only. */
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  /** 100 × items_counted / items_in_scope; null when nothing is in scope. */
  coverage: number | null;
}

/** variance: one row per session and item whose variance is not zero. */
export interface VarianceRow {
  session_id: string;
  session_name: string;
  warehouse: string;
  item_code: string;
  name: string;
  category: string | null;
  book_qty: number;
  counted_qty: number;
  damaged_qty: number;
  written_off_qty: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  lines: number;
  /** Sorted, distinct, joined with ", ". */
  racks: string;
  counters: string;
  reasons: string;
  /** Distinct review statuses of the lines, e.g. "APPROVED, NEEDS_REVIEW". */
  review_status: string;
  photos: number;
  last_counted_at: string;
}

/** user_activity: one row per counter. */
export interface UserActivityRow {
  user_id: string;
  username: string;
  sessions: number;
  /** Lines that count (not superseded, not rejected). */
  lines: number;
  /** Σ per session of distinct items. */
  items: number;
  /** Σ per session of minutes between first and last line (at least one). */
  active_minutes: number;
  scans_per_hour: number;
  /** Line-level: 100 × (Σ|book| − Σ|line variance|) / Σ|book|; null without book quantities. */
  first_count_accuracy: number | null;
  /** Every line the counter wrote, superseded and rejected ones included. */
  lines_written: number;
  /** Lines corrected with different quantities, or rejected. */
  lines_overturned: number;
  /** 100 × lines_overturned / lines_written. */
  recount_overturn_rate: number | null;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  first_counted_at: string;
  last_counted_at: string;
}

/** session_history: one row per session. */
export interface SessionHistoryRow {
  session_id: string;
  name: string;
  warehouse: string;
  mode: string;
  status: string;
  created_at: string;
  closed_at: string | null;
  reconciled_at: string | null;
  counters: number;
  items_in_snapshot: number;
  items_counted: number;
  lines: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  /** Item-level: 100 × (Σ|book| − Σ|variance|) / Σ|book| over counted items. */
  accuracy: number | null;
}

/** audit_trail: one row per audit entry, newest first. */
export interface AuditTrailRow {
  at: string;
  actor_id: string | null;
  actor_username: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  ip: string | null;
  /** The before/after summary as JSON text. */
  summary: string | null;
}

export interface ReportRowByType {
  stock_summary: StockSummaryRow;
  variance: VarianceRow;
  user_activity: UserActivityRow;
  session_history: SessionHistoryRow;
  audit_trail: AuditTrailRow;
}
export type ReportRow = ReportRowByType[ReportType];

/** Totals of a report over every row (not only the page), in the same rounding as the rows. */
export interface ReportTotals {
  rows: number;
  book_qty?: number;
  counted_qty?: number;
  variance?: number;
  value_at_cost?: number;
  value_at_price?: number;
  lines?: number;
}

/** `data` of `POST /reports/generate`. */
export interface ReportPage<T extends ReportType = ReportType> {
  type: T;
  filters: ReportFilters;
  columns: ReportColumn[];
  items: ReportRowByType[T][];
  page: number;
  page_size: number;
  total: number;
  totals: ReportTotals;
  generated_at: string;
  /** Variance only: pass as `after` for the next page; null on the last page. */
  next_after?: string | null;
}

/**
 * How a column's cells are written: `text` is neutralised against formula injection; `int`,
 * `qty` (up to 3 decimals), `money` (2 decimals) and `percent` (a number 0–100) stay numbers;
 * `date` is an ISO instant (a date cell in XLSX).
 */
export const COLUMN_KINDS = ['text', 'int', 'qty', 'money', 'date', 'percent'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ReportColumn {
  key: string;
  header: string;
  kind: ColumnKind;
  /** Suggested width in characters. */
  width: number;
}

const col = (key: string, header: string, kind: ColumnKind, width?: number): ReportColumn => ({
  key,
  header,
  kind,
  width: width ?? (kind === 'text' ? 16 : kind === 'date' ? 20 : 12),
});

const VALUE_COLUMNS = [
  col('book_qty', 'Book qty', 'qty'),
  col('counted_qty', 'Counted qty', 'qty'),
  col('damaged_qty', 'Damaged (returnable)', 'qty'),
  col('written_off_qty', 'Written off', 'qty'),
  col('variance', 'Variance', 'qty'),
  col('value_at_cost', 'Variance value at cost', 'money', 14),
  col('value_at_price', 'Variance value at price', 'money', 14),
];

/** Column definitions per report type, in file order; keys are fields of that type's row. */
export const REPORT_COLUMNS: { readonly [T in ReportType]: readonly ReportColumn[] } = {
  stock_summary: [
    col('warehouse', 'Warehouse', 'text', 12),
    col('item_code', 'Item code', 'text'),
    col('name', 'Item name', 'text', 30),
    col('category', 'Category', 'text'),
    col('items_in_scope', 'Items in scope', 'int'),
    col('items_counted', 'Items counted', 'int'),
    ...VALUE_COLUMNS,
    col('coverage', 'Coverage %', 'percent'),
  ],
  variance: [
    col('session_id', 'Session id', 'text', 38),
    col('session_name', 'Session', 'text', 24),
    col('warehouse', 'Warehouse', 'text', 12),
    col('item_code', 'Item code', 'text'),
    col('name', 'Item name', 'text', 30),
    col('category', 'Category', 'text'),
    ...VALUE_COLUMNS,
    col('lines', 'Lines', 'int', 8),
    col('racks', 'Racks', 'text', 14),
    col('counters', 'Counters', 'text', 18),
    col('reasons', 'Reasons', 'text', 24),
    col('review_status', 'Review status', 'text', 16),
    col('photos', 'Photos', 'int', 8),
    col('last_counted_at', 'Last counted', 'date'),
  ],
  user_activity: [
    col('user_id', 'User id', 'text', 38),
    col('username', 'Counter', 'text', 18),
    col('sessions', 'Sessions', 'int', 10),
    col('lines', 'Lines', 'int', 10),
    col('items', 'Items', 'int', 10),
    col('active_minutes', 'Active minutes', 'qty'),
    col('scans_per_hour', 'Scans per hour', 'qty'),
    col('first_count_accuracy', 'First-count accuracy %', 'percent', 14),
    col('lines_written', 'Lines written', 'int'),
    col('lines_overturned', 'Lines overturned', 'int'),
    col('recount_overturn_rate', 'Recount overturn %', 'percent', 14),
    col('variance', 'Variance', 'qty'),
    col('value_at_cost', 'Variance value at cost', 'money', 14),
    col('value_at_price', 'Variance value at price', 'money', 14),
    col('first_counted_at', 'First count', 'date'),
    col('last_counted_at', 'Last count', 'date'),
  ],
  session_history: [
    col('session_id', 'Session id', 'text', 38),
    col('name', 'Session', 'text', 24),
    col('warehouse', 'Warehouse', 'text', 12),
    col('mode', 'Mode', 'text', 10),
    col('status', 'Status', 'text', 12),
    col('created_at', 'Created', 'date'),
    col('closed_at', 'Closed', 'date'),
    col('reconciled_at', 'Reconciled', 'date'),
    col('counters', 'Counters', 'int', 10),
    col('items_in_snapshot', 'Items in snapshot', 'int'),
    col('items_counted', 'Items counted', 'int'),
    col('lines', 'Lines', 'int', 10),
    col('variance', 'Variance', 'qty'),
    col('value_at_cost', 'Variance value at cost', 'money', 14),
    col('value_at_price', 'Variance value at price', 'money', 14),
    col('accuracy', 'Accuracy %', 'percent'),
  ],
  audit_trail: [
    col('at', 'Time', 'date'),
    col('actor_username', 'Actor', 'text', 18),
    col('actor_role', 'Role', 'text', 12),
    col('action', 'Action', 'text', 24),
    col('target_type', 'Target type', 'text', 14),
    col('target_id', 'Target id', 'text', 38),
    col('request_id', 'Request id', 'text', 38),
    col('ip', 'IP', 'text', 16),
    col('actor_id', 'Actor id', 'text', 38),
    col('summary', 'Summary', 'text', 60),
  ],
};

/** Title of each report type, for sheet names and file names. */
export const REPORT_TITLES: { readonly [T in ReportType]: string } = {
  stock_summary: 'Stock summary',
  variance: 'Variance',
  user_activity: 'User activity',
  session_history: 'Session history',
  audit_trail: 'Audit trail',
};

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralises a text cell against formula injection (OWASP "CSV injection"): a value starting
 * with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet shows it as text.
 * Only text cells go through this; numeric cells stay numbers (a negative variance is −3).
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
