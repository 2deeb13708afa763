import { z } from 'zod';
import { sessionModeSchema } from './sessions';
import { MOVED_LINE_CHOICES } from './movements/expected';

/** The package's format tag; a reader refuses a package of another format. */
export const PACKAGE_FORMAT = 'stockverify.adjustments/1';

/** `GET /sessions/:id/adjustments`: the package as JSON (enveloped) or an XLSX file. */
export const adjustmentsQuerySchema = z.object({
  format: z.enum(['json', 'xlsx']).default('json'),
});

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
   * The adjustment to post: counted − non-returnable damaged − book (design §4); for an item with a
   * decision for moved items, target − live book (`moved_adjustment`, design §13).
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
   * Decision for a moved item (issue #17, design §13): `keep_counted` or `keep_difference`; null
   * when the supervisor took none — then the row is the snapshot variance as before.
   */
  moved_mode: z.enum(MOVED_LINE_CHOICES).nullable().optional(),
  /** Snapshot book + every stored movement after the session's watermark; null without a decision. */
  live_book_qty: z.number().nullable().optional(),
  /** The last movement in the live book; null without a decision or without movements. */
  live_book_watermark: z.string().nullable().optional(),
  /** keep_counted: counted; keep_difference: live book + variance at count. */
  target_qty: z.number().nullable().optional(),
  /** target − live book (`movedLineAdjustment`): what `variance` posts for a decided item. */
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
