import { z } from 'zod';
import { rackSchema, warehouseSchema } from './items';

/**
 * What the rack map shows for one rack of a session, from its newest claim: none yet, held, paused,
 * done, released after completion (reopened for recount) or released before it (free again).
 */
export const RACK_STATES = [
  'not_started',
  'claimed',
  'paused',
  'completed',
  'recount',
  'available',
] as const;
export const rackStateSchema = z.enum(RACK_STATES);
export type RackState = z.infer<typeof rackStateSchema>;

/** Who holds a rack's claim, on the rack map. */
export const rackClaimantSchema = z.object({
  user_id: z.string(),
  username: z.string(),
  last_heartbeat_at: z.string(),
});

/** One rack of a session's rack map (the supervisor's map and the staff app's rack list). */
export const rackViewSchema = rackSchema.extend({
  state: rackStateSchema,
  claimant: rackClaimantSchema.nullable(),
  /**
   * Held split: several counters count parts of it, their counts add up (docs/design.md §12
   * "Split claims"). Absent reads as false.
   */
  split: z.boolean().optional(),
  /** Everyone holding it now, newest first: one for a whole claim, each part's counter when split. */
  holders: z.array(rackClaimantSchema).optional(),
  /** Lines that count (not corrected, not rejected) on this rack. */
  lines: z.number(),
  /** Whether an item counted on this rack has a variance; null when the viewer may not see it. */
  has_variances: z.boolean().nullable(),
});
export type RackView = z.infer<typeof rackViewSchema>;

/** `GET /warehouses/:id/racks?session=…`. */
export const rackMapSchema = z.object({ session_id: z.string(), items: z.array(rackViewSchema) });
export type RackMap = z.infer<typeof rackMapSchema>;

/** `GET /warehouses/:id/racks` without `session`: the warehouse's racks, no claim state. */
export const rackListSchema = z.object({ items: z.array(rackSchema) });
export type RackList = z.infer<typeof rackListSchema>;

/** One warehouse of `GET /warehouses`: its floors and how many racks, not the racks. */
export const warehouseSummarySchema = warehouseSchema
  .omit({ racks: true })
  .extend({ rack_count: z.number() });
export type WarehouseSummary = z.infer<typeof warehouseSummarySchema>;

/** `GET /warehouses`. */
export const warehousesSchema = z.object({ items: z.array(warehouseSummarySchema) });

/**
 * The body of the claim, heartbeat, pause, resume, complete and release calls: the phone's device
 * id, optional (`{}` or nothing is fine).
 */
export const deviceBodySchema = z.strictObject({
  device_id: z.string().trim().min(1).max(128).optional(),
});
export type DeviceBody = z.infer<typeof deviceBodySchema>;

/**
 * The body of `POST /sessions/:id/racks/:rack/claim`: the device id, and `split: true` to count a
 * part of the rack beside other counters (docs/design.md §12 "Split bins"): several split claims
 * hold one rack at once and their counts of an item add up. A split claim and a whole one exclude
 * each other (409 `RACK_HELD_WHOLE` / `RACK_HELD_SPLIT`). Absent: a whole claim.
 */
export const claimBodySchema = deviceBodySchema.extend({
  split: z.boolean().optional(),
});
export type ClaimBody = z.infer<typeof claimBodySchema>;

/** `GET /warehouses/:id/racks`: with `session`, each rack's claim state in that session. */
export const racksQuerySchema = z.object({ session: z.string().min(1).max(64).optional() });
