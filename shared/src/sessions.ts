import { z } from 'zod';
import { isoInstantSchema, paginationQuerySchema } from './envelope';
import { pageSchemaOf } from './pages';
import { sessionToleranceSchema } from './tolerance/api';
import { HINT_KINDS } from './movements/hints';

export const SESSION_MODES = ['standard', 'blind', 'strict'] as const;
export const sessionModeSchema = z.enum(SESSION_MODES);

export const SESSION_STATUSES = ['OPEN', 'CLOSED', 'RECONCILED'] as const;
export const sessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

const codeList = z.array(z.string().trim().min(1).max(64)).max(5000);

/** Which part of a warehouse a session counts; both empty means the whole warehouse. */
export const sessionScopeSchema = z.strictObject({
  floors: codeList.default([]),
  racks: codeList.default([]),
});
export type SessionScope = z.infer<typeof sessionScopeSchema>;

export const createSessionSchema = z.strictObject({
  warehouse: z.string().trim().min(1, 'required').max(64),
  name: z.string().trim().min(1, 'required').max(120),
  mode: sessionModeSchema,
  scope: sessionScopeSchema.default({ floors: [], racks: [] }),
});
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

/** A count session as the API shows it. */
export const countSessionSchema = z.object({
  id: z.string(),
  warehouse: z.string(),
  name: z.string(),
  mode: sessionModeSchema,
  scope: z.object({ floors: z.array(z.string()), racks: z.array(z.string()) }),
  status: sessionStatusSchema,
  /** Racks in scope, fixed at creation. */
  racks: z.array(z.string()),
  /** Items in the book-quantity snapshot. */
  snapshot_items: z.number(),
  created_by: z.string(),
  created_at: z.string(),
  closed_at: z.string().nullable(),
  reconciled_at: z.string().nullable(),
  updated_at: z.string(),
  /**
   * The tolerance rule-set version in force when the session was created (issue #16, design §12):
   * later edits of the rule table do not change it. Null or absent on sessions created before.
   */
  tolerance_rule_set: sessionToleranceSchema.nullable().optional(),
  /**
   * The ERP ledger watermark the session's book snapshot includes (issue #17, design §3): the
   * movements after it are the ones that happened since. `0` when the ledger was empty then; null
   * when unknown (the source has no ledger, or no pass could read it); absent on sessions created
   * before.
   */
  erp_watermark: z.string().nullable().optional(),
  /**
   * The ledger watermark read after the snapshot's stock (design §3, §13): a movement after
   * `erp_watermark` up to this one was posted while the stock was read, so it may be in the book
   * already (flagged `in_snapshot_window`). Equal to `erp_watermark` when nothing was posted
   * meanwhile; null when unknown (as `erp_watermark`, or a session created before it was kept).
   */
  erp_watermark_high: z.string().nullable().optional(),
});
export type CountSession = z.infer<typeof countSessionSchema>;

/** `GET /sessions`: a page of sessions. */
export const sessionPageSchema = pageSchemaOf(countSessionSchema);

/** Items (or report rows) by the status of their expected at count (issue #17, design §13). */
export const atCountRowsSchema = z.object({
  exact: z.number(),
  ambiguous: z.number(),
  unknown: z.number(),
  pending: z.number(),
});
export type AtCountRows = z.infer<typeof atCountRowsSchema>;

/**
 * A session's figures when counted, from its read model (design §13): the variance at count
 * summed over the items whose expected at count is exact (the others have no figure), valued at
 * the snapshot's cost, and the counted items by status — all `unknown` in a session without an
 * ERP watermark, where only the snapshot variance is known.
 */
export const sessionAtCountSchema = z.object({
  variance_at_count: z.number(),
  value_at_count_cost: z.number(),
  items: atCountRowsSchema,
});
export type SessionAtCount = z.infer<typeof sessionAtCountSchema>;

/** A session's figures in `GET /sessions/:id` (totals are null while the viewer may not see them). */
export const sessionMetricsSchema = z.object({
  items_in_snapshot: z.number(),
  items_counted: z.number(),
  lines: z.number(),
  racks_total: z.number(),
  racks_done: z.number(),
  racks_claimed: z.number(),
  total_variance: z.number().nullable(),
  variance_value_at_cost: z.number().nullable(),
  variance_value_at_price: z.number().nullable(),
  /** Beside the snapshot variance, its figures at count; null where the totals are. Optional: older servers send none. */
  at_count: sessionAtCountSchema.nullable().optional(),
  counters: z.array(
    z.object({
      user_id: z.string(),
      username: z.string(),
      lines: z.number(),
      items: z.number(),
      racks: z.number(),
      items_per_minute: z.number(),
    }),
  ),
});
export type SessionMetrics = z.infer<typeof sessionMetricsSchema>;

/** `GET /sessions/:id`: the session and its figures. */
export const sessionDetailSchema = countSessionSchema.extend({ metrics: sessionMetricsSchema });
export type SessionDetail = z.infer<typeof sessionDetailSchema>;

/** `GET /sessions/:id/book-quantities`: the snapshot's book quantity of every item. */
export const bookQuantitiesSchema = z.object({
  session_id: z.string(),
  items: z.array(z.object({ item_code: z.string(), book_qty: z.number() })),
});
export type BookQuantities = z.infer<typeof bookQuantitiesSchema>;

export const SESSION_SORTS = [
  'created_at',
  '-created_at',
  'name',
  '-name',
  'status',
  '-status',
] as const;

export const listSessionsQuerySchema = paginationQuerySchema.extend({
  status: sessionStatusSchema.optional(),
  warehouse: z.string().max(64).optional(),
  /** Sessions this user counted in. */
  staff: z.string().max(64).optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
  q: z.string().trim().max(120).optional(),
  sort: z.enum(SESSION_SORTS).default('-created_at'),
});
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

export const bulkIdsSchema = z.strictObject({
  ids: z.array(z.string().min(1).max(64)).min(1, 'at least one id').max(500),
});

/** One id's outcome in a bulk action. */
export const bulkResultSchema = z.object({
  id: z.string(),
  ok: z.boolean(),
  code: z.string().nullable(),
  message: z.string(),
  status: sessionStatusSchema.nullable(),
});
export type BulkResult = z.infer<typeof bulkResultSchema>;

/** `POST /sessions/bulk/:action`: one result per id, in the order sent. */
export const bulkResultsSchema = z.object({ results: z.array(bulkResultSchema) });

export const CLAIM_STATUSES = ['active', 'paused', 'completed', 'released', 'lost'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** Answer of a rack claim (api.md), and of pause, resume, complete and release. */
export const claimAnswerSchema = z.object({
  claim_id: z.string(),
  rack: z.string(),
  fencing_token: z.number(),
  lock_expires_at: z.string(),
  status: z.enum(CLAIM_STATUSES),
  /**
   * A split claim (a part of the rack, beside other counters; docs/design.md §12 "Split bins").
   * The server always sends it; absent reads as a whole claim.
   */
  split: z.boolean().optional(),
});
export type ClaimAnswer = z.infer<typeof claimAnswerSchema>;

/** `POST /sessions/:id/heartbeat`: the claims still held and the racks lost since. */
export const heartbeatAnswerSchema = z.object({
  claims: z.array(claimAnswerSchema),
  lost: z.array(z.string()),
  server_time: z.string(),
});
export type HeartbeatAnswer = z.infer<typeof heartbeatAnswerSchema>;

export const REVIEW_DECISIONS = ['approve', 'reject', 'recount'] as const;
export const reviewSchema = z.strictObject({
  decision: z.enum(REVIEW_DECISIONS),
  note: z.string().trim().max(500).optional(),
});

export const LINE_STATUSES = [
  'PENDING',
  'NEEDS_REVIEW',
  'APPROVED',
  'REJECTED',
  'RECOUNT',
  /**
   * A count of a non-split bin whose figure the bin did not take (or not yet: a recount waiting
   * for settlement). It does not count, like REJECTED, and stays visible (design §12).
   */
  'CANDIDATE',
] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export const resolveConflictSchema = z.strictObject({
  action: z.enum(['accept', 'discard']),
  note: z.string().trim().max(500).optional(),
});

/**
 * `GET /sessions/:id/variances` sorts (issue #13): by |variance|, by |value at cost| or by item
 * code; `-` is descending. Ties are always broken by item code, ascending. `variance_at_count`
 * sorts by |variance at count| (issue #17, docs/design.md §13): items whose variance at count is
 * not known (pending, ambiguous, unknown) come last in both directions.
 */
export const VARIANCE_SORTS = [
  '-abs_variance',
  'abs_variance',
  '-abs_value',
  'abs_value',
  'item_code',
  '-item_code',
  '-variance_at_count',
  'variance_at_count',
] as const;
export type VarianceSort = (typeof VARIANCE_SORTS)[number];

/**
 * Where an item's variance at count stands in the session read model (design §13): `exact` and
 * `ambiguous` as computed; `unknown` when it cannot be (no ERP watermark, no counts, too many
 * lines or movements); `pending` while a change of the item waits to be computed again.
 */
export const AT_COUNT_STATUSES = ['exact', 'ambiguous', 'unknown', 'pending'] as const;
export type AtCountStatus = (typeof AT_COUNT_STATUSES)[number];

/**
 * The item's tolerance rule applied to its variance at count (design §13): `accept` within it, the
 * rule's `on_exceed` (`recount`, `approve`) beyond it; `review` for an ambiguous item within the
 * rule at both ends of its range — never accepted unseen.
 */
export const AT_COUNT_ACTIONS = ['accept', 'recount', 'approve', 'review'] as const;
export type AtCountAction = (typeof AT_COUNT_ACTIONS)[number];

const queryFlag = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .transform((v) => v === 'true');

/**
 * Query of the paged per-item variances. Pages by `page` or, cheaper and stable while counts
 * arrive, by `after` (the previous page's `next_after`); not both. Unknown parameters are refused.
 */
export const variancesQuerySchema = z
  .strictObject({
    page: z.coerce.number().int().min(1).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(100),
    sort: z.enum(VARIANCE_SORTS).default('-abs_variance'),
    after: z.string().min(1).max(400).optional(),
    /** Only items whose variance is (true) or is not (false) zero. */
    has_variance: queryFlag.optional(),
    /** Only items with (true) or without (false) a counting line waiting for review. */
    needs_review: queryFlag.optional(),
    category: z.string().trim().min(1).max(128).optional(),
    /** Only items with a counting line in this rack. */
    rack: z.string().trim().min(1).max(64).optional(),
    /** Only items whose variance at count is in this state (design §13). */
    at_count_status: z.enum(AT_COUNT_STATUSES).optional(),
    /** Only items with a root-cause hint of this kind (design §13). */
    hint: z.enum(HINT_KINDS).optional(),
    /** Only items within (true) or beyond (false) their rule at count; never undecided ones. */
    at_count_within: queryFlag.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.after !== undefined && query.page !== 1) {
      ctx.addIssue({ code: 'custom', path: ['after'], message: 'give either page or after' });
    }
  });
export type VariancesQuery = z.infer<typeof variancesQuerySchema>;

/** One group of `GET /sessions/analytics` (by staff or by warehouse). */
export const analyticsGroupSchema = z.object({
  key: z.string(),
  label: z.string(),
  sessions: z.number(),
  lines: z.number(),
  items: z.number(),
  variance: z.number(),
  variance_value_at_cost: z.number(),
  variance_value_at_price: z.number(),
  /** 100 × (Σ|book| − Σ|discrepancy|) / Σ|book|; null when nothing with a book quantity was counted. */
  accuracy: z.number().nullable(),
  /** Lines per active counting minute. */
  items_per_minute: z.number(),
});
export type AnalyticsGroup = z.infer<typeof analyticsGroupSchema>;

/** `GET /sessions/analytics`: the groups, with the grouping and period asked for. */
export const analyticsSchema = z.object({
  group_by: z.enum(['warehouse', 'staff']),
  /** The period's bounds as asked (ISO instants), null when open. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  groups: z.array(analyticsGroupSchema),
});
export type Analytics = z.infer<typeof analyticsSchema>;

/** The grouping and period of `GET /sessions/analytics`. */
export const analyticsQuerySchema = z.object({
  group_by: z.enum(['warehouse', 'staff']).default('warehouse'),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

/** One item of a session's variances: its lines that count, summed (design §4). */
export const sessionItemVarianceSchema = z.object({
  item_code: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  book_qty: z.number(),
  counted_qty: z.number(),
  damaged_qty: z.number(),
  non_returnable_damaged_qty: z.number(),
  /** counted − written off − book. */
  variance: z.number(),
  value_at_cost: z.number(),
  value_at_price: z.number(),
  lines: z.number(),
  racks: z.array(z.string()),
  /** Counting lines of this item waiting for a supervisor's review. */
  needs_review: z.number(),
  /**
   * The variance against the book at the moment the item was counted (issue #17, design §13),
   * beside the snapshot's `variance`: expected at count, counted − written off − expected, and
   * its range (an ambiguous item has a range and no figure); all null unless exact or ambiguous.
   */
  at_count_status: z.enum(AT_COUNT_STATUSES),
  expected_qty: z.number().nullable(),
  variance_at_count: z.number().nullable(),
  variance_at_count_low: z.number().nullable(),
  variance_at_count_high: z.number().nullable(),
  /** A count later than the movement feed is known complete: a movement may still arrive. */
  at_count_provisional: z.boolean(),
  /** The kinds of root-cause hint the item has (design §13), in HINT_KINDS order. */
  hints: z.array(z.enum(HINT_KINDS)),
  /**
   * The item's tolerance rule on its variance at count (an ambiguous item on the worse end of its
   * range); null while unknown or pending. The lines' own decisions stay the snapshot's.
   */
  at_count_within: z.boolean().nullable(),
  at_count_action: z.enum(AT_COUNT_ACTIONS).nullable(),
});
export type SessionItemVariance = z.infer<typeof sessionItemVarianceSchema>;

/** A page of variances; `next_after` continues after the last row, null on the last page. */
export const variancesPageSchema = z.object({
  items: z.array(sessionItemVarianceSchema),
  page: z.number(),
  page_size: z.number(),
  total: z.number(),
  next_after: z.string().nullable(),
});
export type VariancesPage = z.infer<typeof variancesPageSchema>;
