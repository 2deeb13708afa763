/**
 * Answer schemas of the movements domain (docs/design.md §13), for the routes and clients that
 * will show expected-at-count variances and their hints: the shapes `expectedAtCount`,
 * `movedLineAdjustment` and `rootCauseHints` return, so a contract test can parse what a route
 * answers. Quantities are integer thousandths.
 */
import { z } from 'zod';
import { CLOCK_STATUSES } from './clock';
import { MOVED_LINE_CHOICES, type ExpectedAtCount, type MovedLineAdjustment } from './expected';
import type { RootCauseHint } from './hints';

const milli = z.number().int();
const instant = z.string();

export const movementEvidenceSchema = z.strictObject({
  watermark: z.string(),
  doc_type: z.string(),
  doc_no: z.string(),
  posted_at: instant,
  rack: z.string().nullable(),
  quantity_milli: milli,
});

export const ambiguousMovementSchema = movementEvidenceSchema.extend({
  reason: z.enum(['within_uncertainty', 'between_counts', 'unplaced', 'in_snapshot_window']),
  line_ids: z.array(z.string()),
});

export const expectedAtCountSchema = z.strictObject({
  item_code: z.string(),
  warehouse: z.string(),
  rack: z.string().nullable(),
  status: z.enum(['exact', 'ambiguous']),
  provisional: z.boolean(),
  book_milli: milli,
  counted_milli: milli,
  snapshot_variance_milli: milli,
  expected_milli: milli.nullable(),
  expected_low_milli: milli,
  expected_high_milli: milli,
  variance_at_count_milli: milli.nullable(),
  variance_at_count_low_milli: milli,
  variance_at_count_high_milli: milli,
  applied: z.array(movementEvidenceSchema),
  after_count: z.array(movementEvidenceSchema),
  ambiguous: z.array(ambiguousMovementSchema),
  open_clocks: z.array(z.strictObject({ line_id: z.string(), status: z.enum(CLOCK_STATUSES) })),
});

export const movedLineAdjustmentSchema = z.strictObject({
  choice: z.enum(MOVED_LINE_CHOICES),
  target_milli: milli,
  delta_milli: milli,
});

const sightingSchema = z.strictObject({
  serial: z.string(),
  item_code: z.string(),
  session_id: z.string(),
  rack: z.string(),
  seen_at: instant,
  line_id: z.string().nullable().optional(),
});

export const rootCauseHintSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('movement_near_count'),
    evidence: z.strictObject({
      window_ms: z.number().int().min(0),
      movements: z.array(movementEvidenceSchema.extend({ distance_ms: z.number().int().min(0) })),
    }),
  }),
  z.strictObject({
    kind: z.literal('pack_multiple'),
    evidence: z.strictObject({
      reading: z.enum(['whole_packs', 'pack_counted_as_unit', 'unit_counted_as_pack']),
      pack_size_milli: milli,
      packs: z.number().int(),
      variance_milli: milli,
    }),
  }),
  z.strictObject({
    kind: z.literal('mirror_adjacent_rack'),
    evidence: z.strictObject({
      rack: z.string(),
      variance_milli: milli,
      neighbour_rack: z.string(),
      neighbour_variance_milli: milli,
    }),
  }),
  z.strictObject({
    kind: z.literal('serial_elsewhere'),
    evidence: z.strictObject({
      serial: z.string(),
      reading: z.enum(['counted_here_seen_elsewhere', 'missing_here_seen_elsewhere']),
      sightings: z.array(sightingSchema),
      limits: z
        .strictObject({
          serials: z.number().int(),
          sightings_per_serial: z.number().int(),
          truncated: z.boolean(),
        })
        .optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal('earlier_sessions'),
    evidence: z.strictObject({
      sessions: z.array(
        z.strictObject({ session_id: z.string(), closed_at: instant, variance_milli: milli }),
      ),
      same_direction: z.number().int().min(0),
      limits: z
        .strictObject({ sessions: z.number().int(), scanned_sessions: z.number().int() })
        .optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal('uom_factor'),
    evidence: z.strictObject({
      factor: z.number(),
      book_milli: milli,
      counted_milli: milli,
      variance_milli: milli,
    }),
  }),
]);

/** The schemas and the functions' types say the same (a drift fails to compile). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _same: [
  Same<z.infer<typeof expectedAtCountSchema>, ExpectedAtCount>,
  Same<z.infer<typeof movedLineAdjustmentSchema>, MovedLineAdjustment>,
  Same<z.infer<typeof rootCauseHintSchema>, RootCauseHint>,
] = [true, true, true];
void _same;
