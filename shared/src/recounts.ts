import { z } from 'zod';

/**
 * A line a supervisor sent back for recount, as the phone sees it (issue #14): which item in which
 * rack, and the supervisor's note. No quantity: a recount is a fresh count, blind whatever the
 * session's mode, so the earlier figure cannot anchor it.
 */
export const lineRecountSchema = z.object({
  line_id: z.string(),
  /** The op_id a recount supersedes (`supersedes` of the new count). */
  op_id: z.string(),
  session_id: z.string(),
  rack: z.string(),
  item_code: z.string(),
  item_name: z.string().nullable(),
  counted_by: z.string(),
  counted_by_name: z.string(),
  requested_at: z.string().nullable(),
  note: z.string().nullable(),
});
export type LineRecount = z.infer<typeof lineRecountSchema>;

/** `GET /sessions/:id/recounts`: staff get theirs, supervisors every open one. */
export const lineRecountsSchema = z.object({ items: z.array(lineRecountSchema) });
export type LineRecounts = z.infer<typeof lineRecountsSchema>;

/**
 * A line already counted in a rack, for a counter opening that rack on another phone. Quantities
 * are null while blind applies to the viewer (design §4).
 */
export const rackLineSchema = z.object({
  op_id: z.string(),
  item_code: z.string(),
  item_name: z.string().nullable(),
  counted_qty: z.number().nullable(),
  counted_by_name: z.string(),
  counted_at: z.string(),
  status: z.string(),
  mine: z.boolean(),
});
export type RackLine = z.infer<typeof rackLineSchema>;

/** `GET /sessions/:id/racks/:rack/lines`. */
export const rackLinesSchema = z.object({ items: z.array(rackLineSchema), total: z.number() });
export type RackLines = z.infer<typeof rackLinesSchema>;
