/**
 * The reporting contract (issue #6, api.md "Reports"): the request both `POST /reports/generate`
 * and `POST /reports/export/:format` take, each report type's row, and the column definitions
 * every writer uses (the server's CSV/XLSX streams and the console's local XLSX), so a report
 * reads the same whatever made the file.
 */
import { z } from 'zod';
import { isoInstantSchema } from './envelope';
import { HINT_KINDS } from './movements/hints';
import { AT_COUNT_STATUSES, atCountRowsSchema } from './sessions';

export const REPORT_TYPES = [
  'stock_summary',
  'variance',
  'user_activity',
  'session_history',
  'audit_trail',
  'count_quality',
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
 * The variance report also keeps items by their figures when counted (issue #17, design §13, the
 * read model's): `at_count_status` (exact, ambiguous, unknown, pending) and `hint` (a root-cause
 * hint kind the item has); the other report types refuse them.
 */
export const reportFiltersSchema = z.strictObject({
  warehouse: code.optional(),
  floor: code.optional(),
  category: z.string().trim().min(1).max(120).optional(),
  user: code.optional(),
  session: code.optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
  at_count_status: z.enum(AT_COUNT_STATUSES).optional(),
  hint: z.enum(HINT_KINDS).optional(),
});
export type ReportFilters = z.infer<typeof reportFiltersSchema>;

/** The filters the audit trail accepts (see reportFiltersSchema). */
export const AUDIT_TRAIL_FILTERS = ['user', 'session', 'from', 'to'] as const;

/** The filters only the variance report accepts (see reportFiltersSchema). */
export const VARIANCE_ONLY_FILTERS = ['at_count_status', 'hint'] as const;

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
    if (req.type !== 'variance') {
      for (const key of VARIANCE_ONLY_FILTERS) {
        if (req.filters[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['filters', key],
            message: 'only the variance report filters by it',
          });
        }
      }
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

const nullableText = z.string().nullable();
const num = z.number();

/** stock_summary: book vs count per item, category or warehouse over the chosen sessions. */
export const stockSummaryRowSchema = z.object({
  warehouse: z.string(),
  /** Null when grouped by category or warehouse. */
  item_code: nullableText,
  name: nullableText,
  /** Null when grouped by warehouse (or the item has none). */
  category: nullableText,
  /** (session, item) pairs in the sessions' book snapshots. */
  items_in_scope: num,
  /** Of those, pairs with at least one count line that counts. */
  items_counted: num,
  /** Book quantity of every item in scope (snapshot). */
  book_qty: num,
  counted_qty: num,
  /** Returnable damage (part of counted_qty). */
  damaged_qty: num,
  /** Non-returnable damage, written off (part of counted_qty). */
  written_off_qty: num,
  /** Σ per (session, item) of counted − written off − book, over counted items only. */
  variance: num,
  value_at_cost: num,
  value_at_price: num,
  /** 100 × items_counted / items_in_scope; null when nothing is in scope. */
  coverage: num.nullable(),
});
export type StockSummaryRow = z.infer<typeof stockSummaryRowSchema>;

/**
 * variance: one row per session and item whose variance is not zero — at the snapshot, or at count
 * (an exact variance at count that is not zero, an ambiguous range not only zero; issue #17).
 */
export const varianceRowSchema = z.object({
  session_id: z.string(),
  session_name: z.string(),
  warehouse: z.string(),
  item_code: z.string(),
  name: z.string(),
  category: nullableText,
  book_qty: num,
  counted_qty: num,
  damaged_qty: num,
  written_off_qty: num,
  variance: num,
  value_at_cost: num,
  value_at_price: num,
  lines: num,
  /** Sorted, distinct, joined with ", ". */
  racks: z.string(),
  counters: z.string(),
  reasons: z.string(),
  /** Distinct review statuses of the lines, e.g. "APPROVED, NEEDS_REVIEW". */
  review_status: z.string(),
  photos: num,
  last_counted_at: z.string(),
  /**
   * Against the book when the item was counted (issue #17, design §13), from the read model:
   * counted − written off − expected at count; null unless `at_count_status` is `exact`.
   */
  variance_at_count: num.nullable(),
  /**
   * The variance at count valued at the snapshot's cost (as `value_at_cost`: the item's cost in
   * the session's snapshot, 0 outside it), to the cent; null unless `at_count_status` is `exact`.
   * Optional: answers from before it was kept still parse.
   */
  value_at_count_cost: num.nullable().optional(),
  /** exact, ambiguous (a movement could not be ordered), unknown, or pending (not computed yet). */
  at_count_status: z.string(),
  /** The item's root-cause hint kinds, joined with ", ". */
  hints: z.string(),
});
export type VarianceRow = z.infer<typeof varianceRowSchema>;

/** user_activity: one row per counter. */
export const userActivityRowSchema = z.object({
  user_id: z.string(),
  username: z.string(),
  sessions: num,
  /** Lines that count (not superseded, not rejected). */
  lines: num,
  /** Σ per session of distinct items. */
  items: num,
  /** Σ per session of minutes between first and last line (at least one). */
  active_minutes: num,
  scans_per_hour: num,
  /** Line-level: 100 × (Σ|book| − Σ|line variance|) / Σ|book|; null without book quantities. */
  first_count_accuracy: num.nullable(),
  /** Every line the counter wrote, superseded and rejected ones included. */
  lines_written: num,
  /** Lines corrected with different quantities, or rejected. */
  lines_overturned: num,
  /** 100 × lines_overturned / lines_written. */
  recount_overturn_rate: num.nullable(),
  variance: num,
  value_at_cost: num,
  value_at_price: num,
  first_counted_at: z.string(),
  last_counted_at: z.string(),
});
export type UserActivityRow = z.infer<typeof userActivityRowSchema>;

/** session_history: one row per session. */
export const sessionHistoryRowSchema = z.object({
  session_id: z.string(),
  name: z.string(),
  warehouse: z.string(),
  mode: z.string(),
  status: z.string(),
  created_at: z.string(),
  closed_at: nullableText,
  reconciled_at: nullableText,
  counters: num,
  items_in_snapshot: num,
  items_counted: num,
  lines: num,
  variance: num,
  value_at_cost: num,
  value_at_price: num,
  /** Item-level: 100 × (Σ|book| − Σ|variance|) / Σ|book| over counted items. */
  accuracy: num.nullable(),
});
export type SessionHistoryRow = z.infer<typeof sessionHistoryRowSchema>;

/** audit_trail: one row per audit entry, newest first. */
export const auditTrailRowSchema = z.object({
  at: z.string(),
  actor_id: nullableText,
  actor_username: nullableText,
  actor_role: nullableText,
  action: z.string(),
  target_type: nullableText,
  target_id: nullableText,
  request_id: nullableText,
  ip: nullableText,
  /** The before/after summary as JSON text. */
  summary: nullableText,
});
export type AuditTrailRow = z.infer<typeof auditTrailRowSchema>;

/** Which group a count_quality row measures (docs/design.md §12, "Count quality"). */
export const COUNT_QUALITY_LEVELS = ['all', 'session', 'zone', 'counter'] as const;
export type CountQualityLevel = (typeof COUNT_QUALITY_LEVELS)[number];

/**
 * count_quality: the quality of the counts of the chosen sessions' bins (an item in a rack), from
 * the bin rows (docs/design.md §10, §12). Rows in this order: one `all` row, one per session, per
 * zone (a warehouse floor) and per counter — each first count attributed to its counter.
 */
export const countQualityRowSchema = z.object({
  level: z.enum(COUNT_QUALITY_LEVELS),
  /** session: the session; else null. */
  session_id: nullableText,
  session_name: nullableText,
  /** session and zone: their warehouse; else null. */
  warehouse: nullableText,
  /** zone: the floor code of the racks (null: a rack the warehouse layout does not list). */
  zone: nullableText,
  zone_name: nullableText,
  /** counter: the user. */
  user_id: nullableText,
  username: nullableText,
  /** Bins with a first count (split bins aside). */
  bins: num,
  /** Split bins (parts add up, no consensus): left out of every measure. */
  split_bins: num,
  /** Still open or awaiting a supervisor: left out of accuracy, overturns and time to settle. */
  open_bins: num,
  /** Settled or decided. */
  closed_bins: num,
  /** Closed bins whose first count was confirmed. */
  confirmed_first_counts: num,
  /** 100 × confirmed_first_counts / closed_bins. */
  first_count_accuracy: num.nullable(),
  /** Bins that needed at least one recount phase (open ones included). */
  recounted_bins: num,
  /** 100 × recounted_bins / bins. */
  recount_rate: num.nullable(),
  /** Closed recounted bins whose quantity differs from the first count. */
  overturned_bins: num,
  /** 100 × overturned_bins / closed recounted bins. */
  overturn_rate: num.nullable(),
  /** Mean minutes from the first count's arrival to settlement, over closed bins. */
  mean_minutes_to_settle: num.nullable(),
  /** Counts made in bins somebody else counted first (recounts, mostly): counter rows. */
  recount_counts: num,
});
export type CountQualityRow = z.infer<typeof countQualityRowSchema>;

/** The row schema of each report type. */
export const REPORT_ROW_SCHEMAS = {
  stock_summary: stockSummaryRowSchema,
  variance: varianceRowSchema,
  user_activity: userActivityRowSchema,
  session_history: sessionHistoryRowSchema,
  audit_trail: auditTrailRowSchema,
  count_quality: countQualityRowSchema,
} as const satisfies { readonly [T in ReportType]: z.ZodType };

export type ReportRowByType = {
  [T in ReportType]: z.infer<(typeof REPORT_ROW_SCHEMAS)[T]>;
};
export type ReportRow = ReportRowByType[ReportType];

/**
 * Totals of a report over every row (not only the page), in the same rounding as the rows. The
 * variance report adds its figures when counted (issue #17, docs/design.md §13 "Reports"), over
 * the same rows as the snapshot's: `variance_at_count` and `value_at_count_cost` sum the rows
 * whose expected at count is exact (the others have no figure), and `at_count_rows` says how many
 * rows are exact, ambiguous, unknown (no ERP watermark, or too much to compute) or pending.
 * Optional: other report types have none, and answers from before them still parse.
 */
export const reportTotalsSchema = z.object({
  rows: num,
  book_qty: num.optional(),
  counted_qty: num.optional(),
  variance: num.optional(),
  value_at_cost: num.optional(),
  value_at_price: num.optional(),
  lines: num.optional(),
  variance_at_count: num.optional(),
  value_at_count_cost: num.optional(),
  at_count_rows: atCountRowsSchema.optional(),
});
export type ReportTotals = z.infer<typeof reportTotalsSchema>;

/**
 * How a column's cells are written: `text` is neutralised against formula injection; `int`,
 * `qty` (up to 3 decimals), `money` (2 decimals) and `percent` (a number 0–100) stay numbers;
 * `date` is an ISO instant (a date cell in XLSX).
 */
export const COLUMN_KINDS = ['text', 'int', 'qty', 'money', 'date', 'percent'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export const reportColumnSchema = z.object({
  key: z.string(),
  header: z.string(),
  kind: z.enum(COLUMN_KINDS),
  /** Suggested width in characters. */
  width: num,
});
export type ReportColumn = z.infer<typeof reportColumnSchema>;

/** `data` of `POST /reports/generate`: one page of a report of type `T`. */
export type ReportPage<T extends ReportType = ReportType> = {
  type: T;
  /** The filters the report ran with (a warehouse-bound reader's warehouse added). */
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
};

/** The answer's filters: read leniently (a newer server may filter by more). */
const answerFiltersSchema = z.object(reportFiltersSchema.shape);

/** The answer of `POST /reports/generate` for a report of type `type` with rows `rows`. */
function pageSchema<T extends ReportType, R extends z.ZodType>(type: T, rows: R) {
  return z.object({
    type: z.literal(type),
    filters: answerFiltersSchema,
    columns: z.array(reportColumnSchema),
    items: z.array(rows),
    page: num,
    page_size: num,
    total: num,
    totals: reportTotalsSchema,
    generated_at: z.string(),
    next_after: z.string().nullable().optional(),
  });
}

/** The answer schema of each report type; the annotation proves each one reads a ReportPage. */
const REPORT_PAGE_SCHEMAS: { readonly [T in ReportType]: z.ZodType<ReportPage<T>> } = {
  stock_summary: pageSchema('stock_summary', stockSummaryRowSchema),
  variance: pageSchema('variance', varianceRowSchema),
  user_activity: pageSchema('user_activity', userActivityRowSchema),
  session_history: pageSchema('session_history', sessionHistoryRowSchema),
  audit_trail: pageSchema('audit_trail', auditTrailRowSchema),
  count_quality: pageSchema('count_quality', countQualityRowSchema),
};

/** The schema of a `POST /reports/generate` answer for a report of type `type`. */
export function reportPageSchemaOf<T extends ReportType>(type: T): z.ZodType<ReportPage<T>> {
  return REPORT_PAGE_SCHEMAS[type];
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
    col('variance_at_count', 'Variance at count', 'qty'),
    col('value_at_count_cost', 'Variance at count value at cost', 'money', 14),
    col('at_count_status', 'At count', 'text', 10),
    col('hints', 'Hints', 'text', 30),
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
  count_quality: [
    col('level', 'Level', 'text', 9),
    col('session_id', 'Session id', 'text', 38),
    col('session_name', 'Session', 'text', 24),
    col('warehouse', 'Warehouse', 'text', 12),
    col('zone', 'Zone', 'text', 10),
    col('zone_name', 'Zone name', 'text'),
    col('user_id', 'User id', 'text', 38),
    col('username', 'Counter', 'text', 18),
    col('bins', 'Bins', 'int', 8),
    col('split_bins', 'Split bins', 'int', 8),
    col('open_bins', 'Open bins', 'int', 8),
    col('closed_bins', 'Settled bins', 'int', 8),
    col('confirmed_first_counts', 'First counts confirmed', 'int'),
    col('first_count_accuracy', 'First-count accuracy %', 'percent', 14),
    col('recounted_bins', 'Recounted bins', 'int'),
    col('recount_rate', 'Recount rate %', 'percent'),
    col('overturned_bins', 'Overturned bins', 'int'),
    col('overturn_rate', 'Overturn rate %', 'percent'),
    col('mean_minutes_to_settle', 'Mean minutes to settle', 'qty', 14),
    col('recount_counts', 'Recounts counted', 'int'),
  ],
};

/** Title of each report type, for sheet names and file names. */
export const REPORT_TITLES: { readonly [T in ReportType]: string } = {
  stock_summary: 'Stock summary',
  variance: 'Variance',
  user_activity: 'User activity',
  session_history: 'Session history',
  audit_trail: 'Audit trail',
  count_quality: 'Count quality',
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
