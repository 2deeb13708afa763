/**
 * The records a phone syncs (api.md "Racks and counting"): one schema for the online
 * count-lines endpoint and the sync batch, so both share one code path.
 */
import { z } from 'zod';
import { barcodeValueSchema, itemCodeSchema } from './items';

/** Serials one count record may carry (a pallet of serialized goods is counted in parts). */
export const MAX_RECORD_SERIALS = 1_000;
/** Serials one sync batch may carry in all; a bigger batch is refused 413 and the phone halves it. */
export const MAX_BATCH_SERIALS = 5_000;
/** Open conflicts one user may have stored in one session; past it, records are ERRORs. */
export const CONFLICT_BUDGET = 200;
/** Open unknown items one user may have reported in one session. */
export const UNKNOWN_ITEM_BUDGET = 200;

/**
 * Shape limits of any JSON body a phone sends, checked right after parsing and before anything
 * walks the value recursively (zod, hashing, logging): a 50,000-deep array parses fine but makes
 * JSON.stringify throw (issue #12). A sync batch needs 4 levels (body, records, record, serials);
 * strings and keys longer than any field allows can only smuggle data past the strict schemas.
 */
export const JSON_LIMITS = {
  maxDepth: 8,
  /** Values in all (objects, arrays, scalars): 500 records × ~30 fields + 5,000 serials fits. */
  maxNodes: 50_000,
  maxStringLength: 4_096,
  maxKeyLength: 64,
} as const;

export type JsonLimits = { [K in keyof typeof JSON_LIMITS]: number };

/** Which JSON limit a body went beyond, where, and why (see jsonBeyondLimits). */
export interface JsonExcess {
  path: string;
  message: string;
  limit: keyof JsonLimits;
}

/**
 * The first place `value` goes beyond `limits`, or null when it stays within them. Iterative (an
 * explicit stack, not recursion), so depth itself cannot overflow the call stack; stops at the
 * first excess, so a hostile body costs at most `maxNodes` steps.
 */
export function jsonBeyondLimits(
  value: unknown,
  limits: JsonLimits = JSON_LIMITS,
): JsonExcess | null {
  interface Frame {
    value: unknown;
    depth: number;
    key: string;
    parent: Frame | null;
  }
  const pathOf = (frame: Frame | null): string => {
    const parts: string[] = [];
    for (let f = frame; f && f.parent; f = f.parent) parts.push(f.key);
    return parts.reverse().join('.');
  };
  const stack: Frame[] = [{ value, depth: 0, key: '', parent: null }];
  // Values are counted as they are found (before they are pushed), so the stack never holds more
  // than maxNodes frames whatever the body looks like.
  let nodes = 1;
  const tooMany = (frame: Frame) => ({
    path: pathOf(frame),
    message: `more than ${limits.maxNodes} values in one request`,
    limit: 'maxNodes' as const,
  });
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) {
        return {
          path: pathOf(frame),
          message: `a text longer than ${limits.maxStringLength} characters`,
          limit: 'maxStringLength',
        };
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const depth = frame.depth + 1;
    if (depth > limits.maxDepth) {
      return {
        path: pathOf(frame),
        message: `nested deeper than ${limits.maxDepth} levels`,
        limit: 'maxDepth',
      };
    }
    if (Array.isArray(v)) {
      nodes += v.length;
      if (nodes > limits.maxNodes) return tooMany(frame);
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], depth, key: String(i), parent: frame });
      continue;
    }
    const keys = Object.keys(v);
    nodes += keys.length;
    if (nodes > limits.maxNodes) return tooMany(frame);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key.length > limits.maxKeyLength) {
        return {
          path: pathOf(frame),
          message: `a field name longer than ${limits.maxKeyLength} characters`,
          limit: 'maxKeyLength',
        };
      }
      stack.push({ value: (v as Record<string, unknown>)[key], depth, key, parent: frame });
    }
  }
  return null;
}

/**
 * How deep the JSON text nests, stopping as soon as it passes `maxDepth` (returns maxDepth + 1):
 * one pass over the bytes, before JSON.parse, so a 50,000-deep array costs a scan, not a parse
 * and its garbage. Brackets inside strings do not count.
 */
export function jsonTextDepth(text: Uint8Array, maxDepth: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** Serials a batch carries in all (records that are not objects or have no array count 0). */
export function batchSerialCount(records: readonly unknown[]): number {
  let total = 0;
  for (const r of records) {
    const serials = (r as { serials?: unknown } | null)?.serials;
    if (Array.isArray(serials)) total += serials.length;
  }
  return total;
}

const isoDate = z.iso.date().nullable().optional();
const opId = z.uuid({ message: 'op_id must be a UUID made on the device' });
const text = (max: number) => z.string().trim().max(max).nullable().optional();
/** Quantities arrive as numbers; their rules (design §4) are checked with the item's unit. */
const qty = z.number({ message: 'must be a number' });
/** A photo id as POST /photos returns it: letters, digits, `-`, `_`; never a path (issue #7 probes). */
const photoId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

export const CONDITIONS = ['good', 'damaged', 'expired', 'mixed'] as const;

export const countRecordSchema = z
  .strictObject({
    op_id: opId,
    type: z.literal('count'),
    session_id: z.string().min(1).max(64),
    rack: z.string().min(1).max(64),
    item_code: itemCodeSchema,
    barcode: barcodeValueSchema.nullable().optional(),
    counted_qty: qty,
    damaged_qty: qty.default(0),
    non_returnable_damaged_qty: qty.default(0),
    serials: z
      .array(z.string().max(128))
      .max(MAX_RECORD_SERIALS, `at most ${MAX_RECORD_SERIALS} serials per record`)
      .default([]),
    batch_no: text(64),
    mfg_date: isoDate,
    expiry_date: isoDate,
    condition: z.enum(CONDITIONS).default('good'),
    variance_reason: text(500),
    variance_confirmed: z.boolean().default(false),
    remark: text(1000),
    photo_ids: z.array(photoId).max(20).default([]),
    supersedes: opId.nullable().optional(),
    /** The rack claim's token; not needed when the count answers a recount task (below). */
    fencing_token: z.number().int().positive().optional(),
    /**
     * The recount task this count answers (issue #16, docs/design.md §11): the task is the
     * permission to count the bin, so no rack claim is needed; the server takes the count's phase
     * from the task (a record never sets it).
     */
    recount_task_id: z.string().trim().min(1).max(128).nullable().optional(),
    counted_at: z.iso.datetime({ offset: true }),
  })
  .superRefine((record, ctx) => {
    if (record.fencing_token === undefined && !record.recount_task_id) {
      ctx.addIssue({
        code: 'custom',
        path: ['fencing_token'],
        message: 'required: the token of your claim on the rack (or a recount_task_id)',
      });
    }
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
const clockInstant = z.iso.datetime({ offset: true });

/**
 * The round trip of the device's previous batch (docs/design.md §13, a two-way clock sample): the
 * server's `clock` of that answer and the phone's clock when it sent the request and got the answer.
 */
export const lastRoundTripSchema = z.strictObject({
  client_sent_at: clockInstant,
  server_received_at: clockInstant,
  server_sent_at: clockInstant,
  client_received_at: clockInstant,
});
export type LastRoundTrip = z.infer<typeof lastRoundTripSchema>;

export const syncBatchSchema = z.strictObject({
  device_id: z.string().trim().min(1, 'required').max(128),
  /** The phone's clock when it sent this request (optional: phones from before issue #17). */
  client_sent_at: clockInstant.optional(),
  last_round_trip: lastRoundTripSchema.optional(),
  records: z
    .array(z.looseObject({ op_id: z.string().min(1).max(64) }))
    .min(1, 'at least one record')
    .max(MAX_BATCH_RECORDS, `at most ${MAX_BATCH_RECORDS} records per batch`),
});

export const RESULT_STATUSES = ['OK', 'CONFLICT', 'ERROR'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** The answer for one record (api.md). `variance` is omitted for staff in blind sessions. */
export const recordResultSchema = z.object({
  op_id: z.string(),
  status: z.enum(RESULT_STATUSES),
  code: z.string().nullable(),
  message: z.string(),
  details: z
    .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
    .default([]),
  line_id: z.string().nullable().default(null),
  variance: z.number().nullable().optional(),
});
export type RecordResult = z.infer<typeof recordResultSchema>;

/** `POST /sync/batch`: one result per record, in the order sent. */
export const syncBatchAnswerSchema = z.object({
  results: z.array(recordResultSchema),
  /**
   * The server's clock for this request (design §13): when it arrived and when it was answered. A
   * phone sends them back as `last_round_trip` with its next batch.
   */
  clock: z.object({ server_received_at: z.string(), server_sent_at: z.string() }).optional(),
});
export type SyncBatchAnswer = z.infer<typeof syncBatchAnswerSchema>;

/** `POST /photos`: the id to put in a record's `photo_ids`. */
export const photoUploadAnswerSchema = z.object({ photo_id: z.string() });
