/**
 * One stock movement read from the ERP's ledger (issue #17, docs/design.md §3): a receipt (+) or a
 * pick/issue (−) of one item in one warehouse (and rack, where the ERP knows racks), posted at an
 * instant, with the ledger's monotonic watermark so a reader can ask for "everything after".
 */
import { z } from 'zod';
import { isoInstantSchema } from '../envelope';
import { itemCodeSchema } from '../items';
import { MAX_QTY, QTY_DECIMALS, roundQty } from '../quantity';

/**
 * A watermark is either an entry number (a decimal integer string, `"120345"`, at most 38 digits)
 * or a SQL Server `rowversion` written as hex with a `0x` prefix (`"0x00000000000007D1"`, at most
 * 32 hex digits). Both name an unsigned integer of at most 128 bits; watermarks compare by that
 * value ({@link compareWatermarks}), so `"0x10"` is 16 and comes after `"15"`. The prefix keeps the
 * two forms apart: `"10"` is ten, never sixteen.
 */
const DECIMAL_WATERMARK = /^(0|[1-9][0-9]{0,37})$/;
const HEX_WATERMARK = /^0[xX][0-9a-fA-F]{1,32}$/;

/** Digits of the sortable key: 128 bits in hex. */
const KEY_DIGITS = 32;

export function isWatermark(value: string): boolean {
  return DECIMAL_WATERMARK.test(value) || HEX_WATERMARK.test(value);
}

function watermarkValue(value: string): bigint {
  if (!isWatermark(value)) {
    throw new TypeError(
      `not a watermark: ${JSON.stringify(value.slice(0, 80))} (a decimal entry number or 0x-prefixed hex rowversion)`,
    );
  }
  return BigInt(value);
}

/**
 * Orders two watermarks by the integer they name: negative when `a` comes before `b`, 0 when they
 * name the same entry (`"0x07d1"` and `"0x00000000000007D1"`), positive after. Throws a TypeError
 * on a string that is not a watermark.
 */
export function compareWatermarks(a: string, b: string): number {
  const va = watermarkValue(a);
  const vb = watermarkValue(b);
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/**
 * A fixed-width key (32 lowercase hex digits) that sorts as strings in the order of
 * {@link compareWatermarks}, for stores that compare text (SQLite, MongoDB indexes).
 */
export function watermarkSortKey(value: string): string {
  return watermarkValue(value).toString(16).padStart(KEY_DIGITS, '0');
}

/**
 * One canonical spelling per value and form, so a store can keep a movement once by its
 * watermark: decimals as they are (no leading zeros allowed), hex lowercased and padded to the 16
 * digits of an 8-byte rowversion (more digits kept when the value needs them).
 */
export function canonicalWatermark(value: string): string {
  const v = watermarkValue(value);
  if (DECIMAL_WATERMARK.test(value)) return v.toString(10);
  return `0x${v.toString(16).padStart(16, '0')}`;
}

export const watermarkSchema = z
  .string()
  .refine(isWatermark, {
    message:
      'must be a decimal entry number (at most 38 digits) or a 0x-prefixed hex rowversion (at most 32 hex digits)',
  })
  .transform(canonicalWatermark);

function hasAtMostDecimals(value: number): boolean {
  const f = 10 ** QTY_DECIMALS;
  return Math.abs(Math.round(value * f) - value * f) < 1e-6;
}

/** Signed: + receipt, − pick or issue; bounded like a counted quantity, thousandths allowed. */
export const movementQuantitySchema = z
  .number()
  .finite()
  .min(-MAX_QTY, `must be at least -${MAX_QTY}`)
  .max(MAX_QTY, `must be at most ${MAX_QTY}`)
  .refine(hasAtMostDecimals, { message: `at most ${QTY_DECIMALS} decimals` })
  .transform(roundQty);

export const erpMovementSchema = z.object({
  item_code: itemCodeSchema,
  warehouse: z.string().trim().min(1, 'required').max(64),
  /** The rack where the ERP knows it; null for a warehouse-level ledger. */
  rack: z.string().trim().min(1, 'empty; use null when the ERP has no rack').max(64).nullable(),
  quantity: movementQuantitySchema,
  posted_at: isoInstantSchema,
  /** The ERP's document kind (e.g. "SHIPMENT", "RECEIPT", "TRANSFER"). */
  doc_type: z.string().trim().min(1, 'required').max(64),
  doc_no: z.string().trim().min(1, 'required').max(128),
  watermark: watermarkSchema,
});
export type ErpMovement = z.infer<typeof erpMovementSchema>;
