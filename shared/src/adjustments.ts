import { z } from 'zod';
import { sessionModeSchema } from './sessions';
import { MOVED_LINE_CHOICES } from './movements/expected';

/** The package's format tag; a reader refuses a package of another format. */
export const PACKAGE_FORMAT = 'stockverify.adjustments/1';

/** `GET /sessions/:id/adjustments`: the package as JSON (enveloped) or an XLSX file. */
export const adjustmentsQuerySchema = z.object({
  format: z.enum(['json', 'xlsx']).default('json'),
});

/** What a package row's `variance` posts (design §13): see `adjustmentRowSchema.basis`. */
export const ADJUSTMENT_BASES = [
  'snapshot',
  'at_count',
  'keep_counted',
  'keep_difference',
] as const;
export type AdjustmentBasis = (typeof ADJUSTMENT_BASES)[number];
/** A package row's expected at count (design §13): see `adjustmentRowSchema.at_count_status`. */
export const PACKAGE_AT_COUNT_STATUSES = ['not_moved', 'exact', 'ambiguous', 'unknown'] as const;

/**
 * Reconcile refused (409 `MOVED_ITEMS_UNDECIDED`, design §13): items that moved after the
 * snapshot, whose expected at count is ambiguous, and that have no decision keeping their count
 * (`decision` is the one stored that does not settle it: keep_difference, or null). Up to 50 and
 * the total, beside the error's code.
 */
export const movedItemsUndecidedSchema = z.object({
  moved_items: z.array(
    z.object({
      item_code: z.string(),
      at_count_status: z.literal('ambiguous'),
      /** The first ambiguous movement's reason (`within_uncertainty`, `between_counts`, `unplaced`). */
      reason: z.string(),
      decision: z.enum(MOVED_LINE_CHOICES).nullable(),
    }),
  ),
  moved_items_total: z.number(),
});
export type MovedItemsUndecided = z.infer<typeof movedItemsUndecidedSchema>;

/** One approved adjustment: one item of the session with a non-zero variance. */
export const adjustmentRowSchema = z.object({
  line_no: z.number(),
  session_id: z.string(),
  warehouse: z.string(),
  item_code: z.string(),
  item_name: z.string(),
  book_qty: z.number(),
  counted_qty: z.number(),
  damaged_qty: z.number(),
  non_returnable_damaged_qty: z.number(),
  /**
   * The adjustment to post (`basis` says which): counted − non-returnable damaged − book (design
   * §4); for a moved item, target − live book (`moved_adjustment`, design §13).
   */
  variance: z.number(),
  unit_cost: z.number(),
  value_at_cost: z.number(),
  value_at_price: z.number(),
  /** Distinct variance reasons the counters gave, `; `-separated; null when none was given. */
  reason: z.string().nullable(),
  /** Who approved: the reviewer(s) of explicitly approved lines, else who reconciled. */
  approver: z.string(),
  approved_at: z.string(),
  /**
   * What `variance` posts (issue #17, design §13 "The wiring": the adjustment package):
   * `snapshot` — counted − book at the snapshot (an item that never moved, or whose variance at
   * count is not exact: unknown, or ambiguous with no decision); `at_count` — an item that moved
   * after the snapshot, exact: its variance at count, posted against today's book (keep the
   * difference's arithmetic: target = live book + variance at count); `keep_counted` /
   * `keep_difference` — the supervisor's decision for the moved item (`moved_mode`).
   */
  basis: z.enum(ADJUSTMENT_BASES).optional(),
  /** Counted − non-returnable damaged − book at the snapshot, whatever `variance` posts. */
  snapshot_variance: z.number().optional(),
  /** Counted − expected at count; null unless `at_count_status` is `exact` or `not_moved`. */
  variance_at_count: z.number().nullable().optional(),
  /**
   * The item's expected at count when the package was built: `not_moved` (no movement after the
   * session's watermark: the variance at count is the snapshot's), `exact`, `ambiguous` (a
   * movement cannot be ordered against its count), `unknown` (no watermark, no counts, too many).
   */
  at_count_status: z.enum(PACKAGE_AT_COUNT_STATUSES).optional(),
  /**
   * Decision for a moved item (issue #17, design §13): `keep_counted` or `keep_difference`; null
   * when the supervisor took none — then the row is the snapshot variance as before.
   */
  moved_mode: z.enum(MOVED_LINE_CHOICES).nullable().optional(),
  /** Snapshot book + every stored movement after the session's watermark; null on the snapshot basis. */
  live_book_qty: z.number().nullable().optional(),
  /** The last movement in the live book; null without a decision or without movements. */
  live_book_watermark: z.string().nullable().optional(),
  /** keep_counted: counted; keep_difference and at_count: live book + variance at count. */
  target_qty: z.number().nullable().optional(),
  /** target − live book (`movedLineAdjustment`): what `variance` posts off the snapshot basis. */
  moved_adjustment: z.number().nullable().optional(),
  /**
   * The decision could not be applied when the package was built (MOVED_DECISION_AMBIGUOUS,
   * MOVED_DECISION_UNKNOWN, MOVED_DECISION_NOT_MOVED: movements arrived or lines changed since):
   * the row is the snapshot variance, as without a decision.
   */
  moved_refused: z.string().nullable().optional(),
  /**
   * The item's bins (one per rack, issue #16 item 6): the quantity each settled on, the rule that
   * decided it and every count of it (phase, counter, quantity; `taken` when its figure is the
   * bin's). Rack order, counts by phase then arrival.
   */
  bins: z
    .array(
      z.object({
        rack: z.string(),
        state: z.string(),
        quantity: z.number().nullable(),
        rule_id: z.string(),
        rule_version: z.number(),
        counts: z.array(
          z.object({
            phase: z.number(),
            counter: z.string(),
            quantity: z.number(),
            taken: z.boolean(),
          }),
        ),
      }),
    )
    .optional(),
});
export type AdjustmentRow = z.infer<typeof adjustmentRowSchema>;

/** The adjustment package of a reconciled session, `GET /sessions/:id/adjustments`. */
export const adjustmentPackageSchema = z.object({
  format: z.literal(PACKAGE_FORMAT),
  session: z.object({
    id: z.string(),
    name: z.string(),
    warehouse: z.string(),
    mode: sessionModeSchema,
    reconciled_at: z.string(),
    reconciled_by: z.string(),
  }),
  rows: z.array(adjustmentRowSchema),
  totals: z.object({
    items: z.number(),
    variance: z.number(),
    value_at_cost: z.number(),
    value_at_price: z.number(),
  }),
  /** SHA-256 (hex) of the canonical JSON of `rows`: the same adjustments, the same hash. */
  content_hash: z.string(),
  generated_at: z.string(),
});
export type AdjustmentPackage = z.infer<typeof adjustmentPackageSchema>;

/** What the staging-table writer did with a package. */
export const writebackResultSchema = z.object({
  table: z.string(),
  /** Rows inserted by this call (0 when the package was already there). */
  inserted: z.number(),
  /** True when rows with this session id and content hash were already in the table. */
  already_written: z.boolean(),
});
export type WritebackResult = z.infer<typeof writebackResultSchema>;

/** `POST /sessions/:id/adjustments/writeback`: the write-back result and what it wrote. */
export const writebackAnswerSchema = writebackResultSchema.extend({
  content_hash: z.string(),
  rows: z.number(),
});
export type WritebackAnswer = z.infer<typeof writebackAnswerSchema>;
