/**
 * The records a phone syncs (API.md "Sync record shapes"): one schema for the online
 * count-lines endpoint and the sync batch, so both share one code path.
 */
import { z } from 'zod';
import { barcodeValueSchema, itemCodeSchema } from './items';

const isoDate = z.iso.date().nullable().optional();
const opId = z.uuid({ message: 'op_id must be a UUID made on the device' });
const text = (max: number) => z.string().trim().max(max).nullable().optional();
/** Quantities arrive as numbers; their rules (DESIGN §4) are checked with the item's unit. */
const qty = z.number({ message: 'must be a number' });
/** A photo id as POST /photos returns it: letters, digits, `-`, `_`; never a path (issue #7 probes). */
const photoId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

export const CONDITIONS = ['good', 'damaged', 'expired', 'mixed'] as const;

export const countRecordSchema = z.strictObject({
  op_id: opId,
  type: z.literal('count'),
  session_id: z.string().min(1).max(64),
  rack: z.string().min(1).max(64),
  item_code: itemCodeSchema,
  barcode: barcodeValueSchema.nullable().optional(),
  counted_qty: qty,
  damaged_qty: qty.default(0),
  non_returnable_damaged_qty: qty.default(0),
  serials: z.array(z.string().max(128)).max(10_000).default([]),
  batch_no: text(64),
  mfg_date: isoDate,
  expiry_date: isoDate,
  condition: z.enum(CONDITIONS).default('good'),
  variance_reason: text(500),
  variance_confirmed: z.boolean().default(false),
  remark: text(1000),
  photo_ids: z.array(photoId).max(20).default([]),
  supersedes: opId.nullable().optional(),
  fencing_token: z.number().int().positive(),
  counted_at: z.iso.datetime({ offset: true }),
});
export type CountRecord = z.infer<typeof countRecordSchema>;

export const unknownItemRecordSchema = z.strictObject({
  op_id: opId,
  type: z.literal('unknown_item'),
  session_id: z.string().min(1).max(64),
  rack: z.string().min(1).max(64),
  barcode: barcodeValueSchema,
  description: z.string().trim().min(1, 'describe what was found').max(500),
  counted_qty: qty,
  photo_ids: z.array(photoId).max(20).default([]),
  remark: text(1000),
  counted_at: z.iso.datetime({ offset: true }),
});
export type UnknownItemRecord = z.infer<typeof unknownItemRecordSchema>;

export const rackCompleteRecordSchema = z.strictObject({
  op_id: opId,
  type: z.literal('rack_complete'),
  session_id: z.string().min(1).max(64),
  rack: z.string().min(1).max(64),
  fencing_token: z.number().int().positive(),
});
export type RackCompleteRecord = z.infer<typeof rackCompleteRecordSchema>;

export const correctionRecordSchema = z.strictObject({
  op_id: opId,
  type: z.literal('correction'),
  item_code: itemCodeSchema,
  field: z.enum(['name', 'category', 'brand', 'uom', 'barcode', 'manual_barcode', 'price']),
  proposed_value: z.string().trim().min(1).max(256),
  reason: z.string().trim().min(1, 'say why').max(500),
});
export type CorrectionRecord = z.infer<typeof correctionRecordSchema>;

export const syncRecordSchema = z.discriminatedUnion('type', [
  countRecordSchema,
  unknownItemRecordSchema,
  rackCompleteRecordSchema,
  correctionRecordSchema,
]);
export type SyncRecord = z.infer<typeof syncRecordSchema>;

export const MAX_BATCH_RECORDS = 500;

/**
 * The batch envelope. Records are checked one by one (a bad record is an ERROR result, never a
 * reason to refuse the others), so here they are only required to be objects with an op_id.
 */
export const syncBatchSchema = z.strictObject({
  device_id: z.string().trim().min(1, 'required').max(128),
  records: z
    .array(z.looseObject({ op_id: z.string().min(1).max(64) }))
    .min(1, 'at least one record')
    .max(MAX_BATCH_RECORDS, `at most ${MAX_BATCH_RECORDS} records per batch`),
});

export const RESULT_STATUSES = ['OK', 'CONFLICT', 'ERROR'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** The answer for one record (API.md). `variance` is omitted for staff in blind sessions. */
export interface RecordResult {
  op_id: string;
  status: ResultStatus;
  code: string | null;
  message: string;
  details: Array<{ path: string; message: string; code?: string }>;
  line_id: string | null;
  variance?: number | null;
}
