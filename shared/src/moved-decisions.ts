/**
 * Decisions for moved items (issue #17 item 3, docs/design.md §13): for an item that moved after it
 * was counted, the supervisor keeps the counted quantity or keeps the difference (Odoo's two),
 * per item or in bulk. `POST /sessions/:id/items/:code/moved-decision` and
 * `POST /sessions/:id/moved-decisions`. Quantities are integer thousandths.
 */
import { z } from 'zod';
import { MOVED_LINE_CHOICES } from './movements/expected';

export const MOVED_DECISIONS_MAX_ITEMS = 1000;

const reasonSchema = z.string().trim().max(500).optional();

/** `POST /sessions/:id/items/:code/moved-decision`. */
export const movedDecisionBodySchema = z.strictObject({
  mode: z.enum(MOVED_LINE_CHOICES),
  reason: reasonSchema,
});
export type MovedDecisionBody = z.infer<typeof movedDecisionBodySchema>;

/** `POST /sessions/:id/moved-decisions`: at most 1,000 items, each once. */
export const movedDecisionsBulkBodySchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        item_code: z.string().trim().min(1, 'required').max(64),
        mode: z.enum(MOVED_LINE_CHOICES),
      }),
    )
    .min(1, 'at least one item')
    .max(MOVED_DECISIONS_MAX_ITEMS, `at most ${MOVED_DECISIONS_MAX_ITEMS} items`)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((it, i) => {
        if (seen.has(it.item_code)) {
          ctx.addIssue({ code: 'custom', path: [i, 'item_code'], message: 'listed twice' });
        }
        seen.add(it.item_code);
      });
    }),
  reason: reasonSchema,
});
export type MovedDecisionsBulkBody = z.infer<typeof movedDecisionsBulkBodySchema>;

/** One item's decision as stored (the latest stands) with what it means against today's book. */
export const movedDecisionSchema = z.strictObject({
  item_code: z.string(),
  mode: z.enum(MOVED_LINE_CHOICES),
  reason: z.string().nullable(),
  decided_by: z.string(),
  decided_at: z.string(),
  /** Counted less written-off damage, all the item's lines that count. */
  counted_milli: z.number().int(),
  /** The variance against the book when counted (null never for keep_difference). */
  variance_at_count_milli: z.number().int().nullable(),
  /** Snapshot book + every stored movement after the session's watermark. */
  live_book_milli: z.number().int(),
  /** The last movement in the live book (null: none since the snapshot). */
  live_book_watermark: z.string().nullable(),
  /** keep_counted: counted; keep_difference: live book + variance at count. */
  target_milli: z.number().int(),
  /** target − live book: the adjustment to post. */
  delta_milli: z.number().int(),
});
export type MovedDecision = z.infer<typeof movedDecisionSchema>;

/** The answer of both routes: the decisions taken, in the order asked. */
export const movedDecisionsAnswerSchema = z.strictObject({
  session_id: z.string(),
  decisions: z.array(movedDecisionSchema),
});
export type MovedDecisionsAnswer = z.infer<typeof movedDecisionsAnswerSchema>;
