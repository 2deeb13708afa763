/**
 * `GET /sessions/:id/items/:code/expected` (issue #17, docs/design.md §13): an item's count in a
 * session against the book at the moment it was counted, beside the snapshot variance; the
 * movements applied and after the count, the flag when a movement cannot be ordered against a
 * count, and root-cause hints with their evidence. Supervisors only (blind sessions: staff never).
 * Quantities are integer thousandths.
 */
import { z } from 'zod';
import { CLOCK_STATUSES } from './movements/clock';
import { expectedAtCountSchema, rootCauseHintSchema } from './movements/api';

/** One count line of the item that counts, with the server-time interval it happened in. */
export const expectedLineSchema = z.strictObject({
  line_id: z.string(),
  rack: z.string(),
  device_id: z.string().nullable(),
  /** The phone's clock. */
  counted_at: z.string(),
  /** The server's clock when the line arrived. */
  received_at: z.string(),
  /** Counted less written-off damage (the quantity variance is taken on). */
  quantity_milli: z.number().int(),
  /** Server time of the count (design §13, device clocks); `earliest` null = open. */
  earliest: z.string().nullable(),
  latest: z.string(),
  clock_status: z.enum(CLOCK_STATUSES),
});
export type ExpectedLine = z.infer<typeof expectedLineSchema>;

export const EXPECTED_UNKNOWN_REASONS = [
  /** The session recorded no ERP watermark (no ledger, or the book is newer than any known). */
  'no_watermark',
  /** No line of the item counts yet. */
  'no_counts',
  /** More movements or lines than one answer reads (`truncated`): unknown rather than cut. */
  'too_many',
] as const;

export const itemExpectedAnswerSchema = z.strictObject({
  session_id: z.string(),
  item_code: z.string(),
  warehouse: z.string(),
  /** The ERP watermark the session's snapshot includes; null = unknown. */
  erp_watermark: z.string().nullable(),
  /** False when expected at count cannot be computed: see `unknown_reason`. */
  known: z.boolean(),
  unknown_reason: z.enum(EXPECTED_UNKNOWN_REASONS).nullable(),
  book_milli: z.number().int(),
  counted_milli: z.number().int(),
  /** counted − snapshot book: always there. */
  snapshot_variance_milli: z.number().int(),
  /** The expected at count (status exact or ambiguous, movements as evidence); null when unknown. */
  expected: expectedAtCountSchema.nullable(),
  lines: z.array(expectedLineSchema),
  /** Leads, not verdicts, each with its evidence (against the expected at count where exact). */
  hints: z.array(rootCauseHintSchema),
  /** More movements or lines than one answer reads: the answer is left unknown rather than cut. */
  truncated: z.boolean(),
});
export type ItemExpectedAnswer = z.infer<typeof itemExpectedAnswerSchema>;
