import { z } from 'zod';
import { paginationQuerySchema } from './envelope';
import { pageSchemaOf } from './pages';
import { AT_COUNT_ACTIONS, AT_COUNT_STATUSES, LINE_STATUSES } from './sessions';
import { lineToleranceSchema } from './tolerance/line';

const lineStatusSchema = z.enum(LINE_STATUSES);

/** The line a recount corrects, as `GET /sessions/:id/lines` shows it beside the recount. */
export const supersededLineSchema = z.object({
  id: z.string(),
  op_id: z.string(),
  counted_qty: z.number(),
  damaged_qty: z.number(),
  non_returnable_damaged_qty: z.number(),
  variance: z.number(),
  status: lineStatusSchema,
  counted_by_name: z.string(),
  counted_at: z.string(),
  variance_reason: z.string().nullable(),
  remark: z.string().nullable(),
});
export type SupersededLine = z.infer<typeof supersededLineSchema>;

/**
 * The item's figures at count beside a line of `GET /sessions/:id/lines` (issue #17,
 * docs/design.md §13 "Review at count"): the session read model's columns of the line's item —
 * the item level, as its rule at count — for supervisors only. Null when the session has no ERP
 * watermark or the item no model row.
 */
export const lineItemAtCountSchema = z.object({
  status: z.enum(AT_COUNT_STATUSES),
  /** counted − written off − expected at count, item level; null unless exact. */
  variance_at_count: z.number().nullable(),
  /** Its range (a flagged item has a range and no figure); null unless exact or ambiguous. */
  variance_at_count_low: z.number().nullable(),
  variance_at_count_high: z.number().nullable(),
  /** A count later than the movement feed is known complete: a movement may still arrive. */
  provisional: z.boolean(),
  /** The item's rule on its variance at count; null while unknown or pending. */
  within: z.boolean().nullable(),
  action: z.enum(AT_COUNT_ACTIONS).nullable(),
});
export type LineItemAtCount = z.infer<typeof lineItemAtCountSchema>;

/**
 * How a line's item stands at count, the lines page's `at_count` filter (design §13): `explained`
 * — its variance at count is exact and within its rule (the movements explain the snapshot
 * variance that flagged the line); `unexplained` — exact and beyond it; `unresolved` — anything
 * else: pending, ambiguous (even within at both ends: its range is shown, the choice is the
 * supervisor's), unknown, or no figures at all.
 */
export const LINE_AT_COUNT_FILTERS = ['explained', 'unexplained', 'unresolved'] as const;
export type LineAtCountFilter = (typeof LINE_AT_COUNT_FILTERS)[number];

/** Which `at_count` filter a line's item falls in (the stores' queries say the same). */
export function lineAtCountClass(
  at: Pick<LineItemAtCount, 'status' | 'within'> | null | undefined,
): LineAtCountFilter {
  if (!at || at.status !== 'exact' || at.within === null) return 'unresolved';
  return at.within ? 'explained' : 'unexplained';
}

/** One counting line of `GET /sessions/:id/lines` (the console's lines panel and line drawer). */
export const countLineSchema = z.object({
  id: z.string(),
  op_id: z.string(),
  rack: z.string(),
  item_code: z.string(),
  item_name: z.string().nullable(),
  barcode: z.string().nullable(),
  counted_qty: z.number(),
  damaged_qty: z.number(),
  non_returnable_damaged_qty: z.number(),
  serials: z.array(z.string()),
  batch_no: z.string().nullable(),
  mfg_date: z.string().nullable(),
  expiry_date: z.string().nullable(),
  condition: z.string(),
  variance_reason: z.string().nullable(),
  variance_confirmed: z.boolean(),
  remark: z.string().nullable(),
  photo_ids: z.array(z.string()),
  supersedes: z.string().nullable(),
  superseded_by: z.string().nullable(),
  book_qty: z.number(),
  variance: z.number(),
  value_at_cost: z.number(),
  value_at_price: z.number(),
  status: lineStatusSchema,
  review_reasons: z.array(z.string()),
  reviewed_by: z.string().nullable(),
  reviewed_at: z.string().nullable(),
  review_note: z.string().nullable(),
  counted_by: z.string(),
  counted_by_name: z.string(),
  device_id: z.string().nullable(),
  claim_id: z.string().nullable(),
  fencing_token: z.number().nullable(),
  counted_at: z.string(),
  received_at: z.string(),
  /**
   * The tolerance rule that decided the line and what it decided (design §12); absent or null on
   * lines from before rule sets.
   */
  tolerance: lineToleranceSchema.nullable().optional(),
  /** The line this recount corrects, when it corrects one. */
  supersedes_line: supersededLineSchema.nullable(),
  /**
   * Its item's figures at count (design §13), beside the snapshot `variance`; absent from servers
   * before it.
   */
  item_at_count: lineItemAtCountSchema.nullable().optional(),
});
export type CountLine = z.infer<typeof countLineSchema>;

/** `GET /sessions/:id/lines`. */
export const countLinePageSchema = pageSchemaOf(countLineSchema);

export const CONFLICT_STATUSES = ['OPEN', 'ACCEPTED', 'DISCARDED'] as const;

/** A record the server could not take as sent, waiting for a supervisor (`GET /conflicts`). */
export const conflictSchema = z.object({
  id: z.string(),
  op_id: z.string(),
  session_id: z.string().nullable(),
  rack: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  /** The record as the phone sent it. */
  record: z.record(z.string(), z.unknown()),
  user_id: z.string(),
  username: z.string(),
  device_id: z.string().nullable(),
  created_at: z.string(),
  status: z.enum(CONFLICT_STATUSES),
  resolved_by: z.string().nullable(),
  resolved_at: z.string().nullable(),
  note: z.string().nullable(),
  line_id: z.string().nullable(),
});
export type Conflict = z.infer<typeof conflictSchema>;

/** `GET /conflicts`. */
export const conflictPageSchema = pageSchemaOf(conflictSchema);

export const UNKNOWN_ITEM_STATUSES = ['OPEN', 'MAPPED', 'NOT_OURS'] as const;

/** A counted barcode the item master does not know (`GET /unknown-items`). */
export const unknownItemSchema = z.object({
  id: z.string(),
  op_id: z.string(),
  session_id: z.string(),
  rack: z.string(),
  barcode: z.string(),
  description: z.string(),
  counted_qty: z.number(),
  photo_ids: z.array(z.string()),
  remark: z.string().nullable(),
  counted_by: z.string(),
  counted_by_name: z.string(),
  counted_at: z.string(),
  status: z.enum(UNKNOWN_ITEM_STATUSES),
  mapped_item_code: z.string().nullable(),
  resolved_by: z.string().nullable(),
  resolved_at: z.string().nullable(),
});
export type UnknownItem = z.infer<typeof unknownItemSchema>;

/** `GET /unknown-items`. */
export const unknownItemPageSchema = pageSchemaOf(unknownItemSchema);

/** The filters of `GET /sessions/:id/lines` (up to 500 a page, 100 by default). */
export const linesQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
  status: lineStatusSchema.optional(),
  rack: z.string().max(64).optional(),
  has_variance: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  include_superseded: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** Only lines whose item stands so at count (`lineAtCountClass`, design §13). */
  at_count: z.enum(LINE_AT_COUNT_FILTERS).optional(),
});
export type LinesQuery = z.infer<typeof linesQuerySchema>;

/**
 * `PATCH /lines/:id/review`: the line as stored after the decision (the lines page's fields
 * without the item name, the corrected line and the item at count, plus its session).
 */
export const reviewedLineSchema = countLineSchema
  .omit({ item_name: true, supersedes_line: true, item_at_count: true })
  .extend({ session_id: z.string() });
export type ReviewedLine = z.infer<typeof reviewedLineSchema>;

const queueQuerySchema = paginationQuerySchema.extend({ session: z.string().max(64).optional() });

/** The filters of `GET /conflicts`. */
export const conflictListQuerySchema = queueQuerySchema.extend({
  status: z.enum(CONFLICT_STATUSES).optional(),
});

/** The filters of `GET /unknown-items`. */
export const unknownItemListQuerySchema = queueQuerySchema.extend({
  status: z.enum(UNKNOWN_ITEM_STATUSES).optional(),
});

/** `POST /unknown-items/:id/resolve`: map it to an item of the master, or mark it not ours. */
export const resolveUnknownItemSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('map'), item_code: z.string().trim().min(1).max(64) }),
  z.strictObject({ action: z.literal('not_ours') }),
]);
export type ResolveUnknownItemInput = z.infer<typeof resolveUnknownItemSchema>;

/** One sighting of a serial: the line that counted it. */
export const serialSightingSchema = z.object({
  serial: z.string(),
  item_code: z.string(),
  session_id: z.string(),
  rack: z.string(),
  line_id: z.string(),
  op_id: z.string(),
  counted_by: z.string(),
  counted_by_name: z.string(),
  condition: z.string(),
  counted_at: z.string(),
});

/** `GET /serials/:serial`: the normalised serial and where it was counted, oldest first. */
export const serialHistorySchema = z.object({
  serial: z.string(),
  sightings: z.array(serialSightingSchema),
});
export type SerialHistory = z.infer<typeof serialHistorySchema>;
