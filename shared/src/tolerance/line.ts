/**
 * The tolerance decision a count line carries (issue #16 item 1, docs/design.md §12): which rule of
 * the session's rule set decided, against what limits, and what it decided. Stored with the line
 * when it is built and never recomputed, so an edit of the rule table never changes a line's
 * story. For supervisors only: a staff answer never carries it (design §4, blind counting).
 */
import { z } from 'zod';
import { TOLERANCE_AXES, toleranceLimitsSchema } from './rules';

const allowanceSchema = z.object({
  units: z.number().nullable(),
  percent: z.number().nullable(),
  value: z.number().nullable(),
});

/** What decided a line: within tolerance (accepted) or exceeded, and then recount or approval. */
export const lineToleranceSchema = z.object({
  rule_id: z.string(),
  rule_version: z.number().int().min(1),
  /** The scope kind of the deciding rule (`item`, `category`, … `everything`). */
  rule_scope: z.enum(['item', 'category', 'value_band', 'abc_class', 'warehouse', 'everything']),
  /** The rule table version the session runs on; null for a session from before rule sets. */
  rule_set_version: z.number().int().min(1).nullable(),
  within: z.boolean(),
  /** The axes exceeded, in the order units, percent, value (empty when within). */
  exceeded_by: z.array(z.enum(TOLERANCE_AXES)),
  /** `accept` within tolerance; outside, the rule's action. */
  action: z.enum(['accept', 'recount', 'approve']),
  direction: z.enum(['shortage', 'overage', 'none']),
  /** The limits of the side that applied (`{}` when the count equals the book). */
  thresholds: toleranceLimitsSchema,
  /** Per axis, the most units that side allowed here (null: no limit on that axis). */
  allowance: allowanceSchema,
});
export type LineTolerance = z.infer<typeof lineToleranceSchema>;
