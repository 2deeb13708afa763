/**
 * Quantity and variance rules (design §4), one coherent rule for every path: online counts,
 * sync batches and reports all call these functions.
 */
import type { ErrorDetail } from './envelope';

export interface CountedQuantities {
  /** All units physically found, in any condition. */
  counted_qty: number;
  /** Of those, damaged but returnable. */
  damaged_qty: number;
  /** Of those, damaged and written off. */
  non_returnable_damaged_qty: number;
}

/** Largest quantity a single line may carry; beyond it a number is a typo, not a count. */
export const MAX_QTY = 1_000_000_000;
/** Fractional quantities keep at most this many decimals (grams of a kilo, millilitres of a litre). */
export const QTY_DECIMALS = 3;

const QTY_FIELDS = ['counted_qty', 'damaged_qty', 'non_returnable_damaged_qty'] as const;

/** Rounds to the quantity precision so float noise (0.1 + 0.2) never shows up as a variance. */
export function roundQty(value: number): number {
  const f = 10 ** QTY_DECIMALS;
  // `+ 0` turns −0 into 0: a balanced count shows as 0, never as "-0".
  return Math.round(value * f) / f + 0;
}

function hasAtMostDecimals(value: number, decimals: number): boolean {
  const f = 10 ** decimals;
  return Math.abs(Math.round(value * f) - value * f) < 1e-6;
}

/**
 * Checks one line's quantities. Returns every problem found (empty when valid), each with the
 * field path at fault, so a phone can show all of them at once.
 */
export function validateQuantities(
  q: Partial<Record<(typeof QTY_FIELDS)[number], unknown>>,
  opts: { decimalQty: boolean },
  pathPrefix = '',
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const at = (field: string) => (pathPrefix ? `${pathPrefix}.${field}` : field);
  for (const field of QTY_FIELDS) {
    const value = q[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ path: at(field), message: 'must be a number', code: 'QTY_NOT_A_NUMBER' });
    } else if (value < 0) {
      problems.push({ path: at(field), message: 'must not be negative', code: 'QTY_NEGATIVE' });
    } else if (value > MAX_QTY) {
      problems.push({
        path: at(field),
        message: `must be at most ${MAX_QTY}`,
        code: 'QTY_TOO_LARGE',
      });
    } else if (!opts.decimalQty && !Number.isInteger(value)) {
      problems.push({
        path: at(field),
        message: 'must be a whole number for this unit of measure',
        code: 'QTY_NOT_INTEGER',
      });
    } else if (opts.decimalQty && !hasAtMostDecimals(value, QTY_DECIMALS)) {
      problems.push({
        path: at(field),
        message: `at most ${QTY_DECIMALS} decimals`,
        code: 'QTY_TOO_PRECISE',
      });
    }
  }
  if (problems.length === 0) {
    const { counted_qty, damaged_qty, non_returnable_damaged_qty } = q as CountedQuantities;
    if (roundQty(damaged_qty + non_returnable_damaged_qty) > roundQty(counted_qty)) {
      problems.push({
        path: at('damaged_qty'),
        message:
          'damaged_qty + non_returnable_damaged_qty must not exceed counted_qty (damaged units are part of the count)',
        code: 'DAMAGE_EXCEEDS_COUNT',
      });
    }
  }
  return problems;
}

/**
 * variance = counted − written-off − book, i.e. (good + returnable damage) − system quantity.
 * Examples (design §4): 7 counted (2 returnable damaged) vs book 10 → −3; 95 (5 returnable)
 * vs 100 → −5; 12 counted of which 2 written off vs 10 → 0.
 */
export function computeVariance(
  q: Pick<CountedQuantities, 'counted_qty' | 'non_returnable_damaged_qty'>,
  bookQtySnapshot: number,
): number {
  return roundQty(q.counted_qty - q.non_returnable_damaged_qty - bookQtySnapshot);
}

/** Money in a currency's minor unit precision (cents); all totals add rounded values. */
export function roundMoney(value: number): number {
  // Round the decimal the user sees (shortest repr), half away from zero: 4.005 → 4.01, not the
  // 4.00 that binary floating point (4.00499…) would give.
  const sign = value < 0 ? -1 : 1;
  const cents = Math.round(Number(`${Math.abs(value)}e2`));
  return (sign * cents) / 100 || 0;
}

/** Variance value at cost and at price, each rounded to the cent. */
export function varianceValue(variance: number, item: { cost: number; price: number }) {
  return { at_cost: roundMoney(variance * item.cost), at_price: roundMoney(variance * item.price) };
}

/** Trims and upper-cases serials, the one canonical form compared everywhere (design §4). */
export function normalizeSerial(serial: string): string {
  return serial.trim().toUpperCase();
}

/**
 * Serial rules for one line: no blanks, no repeats within the line, and for serialized items
 * exactly one serial per counted unit.
 */
export function validateSerials(
  serials: readonly string[],
  opts: { serialized: boolean; countedQty: number },
  pathPrefix = '',
): ErrorDetail[] {
  const at = (i?: number) =>
    [pathPrefix, 'serials', i === undefined ? '' : String(i)].filter(Boolean).join('.');
  const problems: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  serials.forEach((raw, i) => {
    const s = normalizeSerial(raw);
    if (s === '') {
      problems.push({ path: at(i), message: 'a serial must not be blank', code: 'SERIAL_BLANK' });
    } else if (seen.has(s)) {
      problems.push({
        path: at(i),
        message: `serial ${s} is listed twice (also at ${seen.get(s)})`,
        code: 'SERIAL_REPEATED',
      });
    } else {
      seen.set(s, i);
    }
  });
  if (opts.serialized && serials.length !== opts.countedQty) {
    problems.push({
      path: at(),
      message: `a serialized item needs one serial per unit: ${opts.countedQty} counted, ${serials.length} serials`,
      code: 'SERIAL_COUNT_MISMATCH',
    });
  }
  return problems;
}

export type SessionMode = 'standard' | 'blind' | 'strict';

/**
 * Strict-mode gate: a non-zero variance must be confirmed by the counter and carry a reason.
 * Returns the conflict code to answer with, or null when the line may be stored.
 */
export function strictVarianceCheck(
  mode: SessionMode,
  variance: number,
  line: { variance_confirmed?: boolean | null; variance_reason?: string | null },
): 'VARIANCE_UNCONFIRMED' | 'VARIANCE_REASON_REQUIRED' | null {
  if (mode !== 'strict' || variance === 0) return null;
  if (!line.variance_confirmed) return 'VARIANCE_UNCONFIRMED';
  if (!line.variance_reason || line.variance_reason.trim() === '')
    return 'VARIANCE_REASON_REQUIRED';
  return null;
}

const DECIMAL_UOMS = new Set([
  'KG',
  'G',
  'GM',
  'L',
  'LTR',
  'ML',
  'M',
  'MTR',
  'CM',
  'MM',
  'SQM',
  'CBM',
]);

/** Whether a unit of measure allows fractional counts. ERP adapters use it to set `decimal_qty`. */
export function uomAllowsDecimal(uom: string): boolean {
  return DECIMAL_UOMS.has(uom.trim().toUpperCase());
}

/**
 * Accuracy of an item (design §4), a fraction 0–1: `max(0, 1 − |variance| / book)`, so a variance
 * larger than the book is 0, never negative; 1 when book and variance are both 0 (nothing there,
 * nothing found), 0 when stock turns up against a book of 0.
 */
export function itemAccuracy(book: number, variance: number): number {
  const b = Math.abs(book);
  const v = Math.abs(variance);
  if (b === 0) return v === 0 ? 1 : 0;
  return Math.max(0, 1 - v / b);
}

/**
 * Accuracy over many items or lines as a percentage with two decimals: the item rule applied to
 * Σ|book| and Σ|variance|. KPIs, analytics and reports all answer through this one function;
 * null when there is no book quantity to measure against.
 */
export function accuracyPercent(absBook: number, absVariance: number): number | null {
  if (!(absBook > 0)) return null;
  return Math.round(itemAccuracy(absBook, absVariance) * 10_000) / 100;
}
