import { z } from 'zod';

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
