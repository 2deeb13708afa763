import { describe, expect, it } from 'vitest';
import {
  accuracyPercent,
  itemAccuracy,
  computeVariance,
  normalizeSerial,
  roundMoney,
  strictVarianceCheck,
  uomAllowsDecimal,
  validateQuantities,
  validateSerials,
  varianceValue,
} from './quantity';

describe('variance (design §4 worked examples)', () => {
  it('good 5 + returnable 2 vs book 10 → −3', () => {
    const line = { counted_qty: 7, damaged_qty: 2, non_returnable_damaged_qty: 0 };
    expect(validateQuantities(line, { decimalQty: false })).toEqual([]);
    expect(computeVariance(line, 10)).toBe(-3);
  });
  it('good 90 + returnable 5 vs book 100 → −5', () => {
    const line = { counted_qty: 95, damaged_qty: 5, non_returnable_damaged_qty: 0 };
    expect(validateQuantities(line, { decimalQty: false })).toEqual([]);
    expect(computeVariance(line, 100)).toBe(-5);
  });
  it('12 found of which 2 written off vs book 10 → 0', () => {
    const line = { counted_qty: 12, damaged_qty: 0, non_returnable_damaged_qty: 2 };
    expect(validateQuantities(line, { decimalQty: false })).toEqual([]);
    expect(computeVariance(line, 10)).toBe(0);
  });
  it('decimal quantities do not leak float noise', () => {
    expect(computeVariance({ counted_qty: 0.3, non_returnable_damaged_qty: 0.1 }, 0.2)).toBe(0);
  });
});

describe('quantity validation failures', () => {
  const ok = { counted_qty: 5, damaged_qty: 1, non_returnable_damaged_qty: 1 };
  const codesOf = (q: Record<string, unknown>, decimalQty = false, prefix = '') =>
    validateQuantities(q, { decimalQty }, prefix).map((p) => [p.path, p.code]);

  it('missing or non-numeric values', () => {
    expect(codesOf({ ...ok, counted_qty: undefined })).toEqual([
      ['counted_qty', 'QTY_NOT_A_NUMBER'],
    ]);
    expect(codesOf({ ...ok, damaged_qty: '1' })).toEqual([['damaged_qty', 'QTY_NOT_A_NUMBER']]);
    expect(codesOf({ ...ok, non_returnable_damaged_qty: Number.NaN })).toEqual([
      ['non_returnable_damaged_qty', 'QTY_NOT_A_NUMBER'],
    ]);
    expect(codesOf({ ...ok, counted_qty: Infinity })).toEqual([
      ['counted_qty', 'QTY_NOT_A_NUMBER'],
    ]);
  });
  it('negative values', () => {
    expect(codesOf({ ...ok, damaged_qty: -1 })).toEqual([['damaged_qty', 'QTY_NEGATIVE']]);
  });
  it('absurdly large values', () => {
    expect(codesOf({ ...ok, counted_qty: 2e9 })).toEqual([['counted_qty', 'QTY_TOO_LARGE']]);
  });
  it('fractions for a whole-unit item', () => {
    expect(codesOf({ ...ok, counted_qty: 5.5 })).toEqual([['counted_qty', 'QTY_NOT_INTEGER']]);
  });
  it('too many decimals for a decimal unit, three are fine', () => {
    expect(codesOf({ ...ok, counted_qty: 5.1234 }, true)).toEqual([
      ['counted_qty', 'QTY_TOO_PRECISE'],
    ]);
    expect(codesOf({ ...ok, counted_qty: 5.125 }, true)).toEqual([]);
  });
  it('damage exceeding the count', () => {
    expect(codesOf({ counted_qty: 3, damaged_qty: 2, non_returnable_damaged_qty: 2 })).toEqual([
      ['damaged_qty', 'DAMAGE_EXCEEDS_COUNT'],
    ]);
    expect(codesOf({ counted_qty: 4, damaged_qty: 2, non_returnable_damaged_qty: 2 })).toEqual([]);
  });
  it('reports every field at fault at once, under a path prefix', () => {
    expect(
      codesOf(
        { counted_qty: -1, damaged_qty: 'x', non_returnable_damaged_qty: 0.5 },
        false,
        'records.3',
      ),
    ).toEqual([
      ['records.3.counted_qty', 'QTY_NEGATIVE'],
      ['records.3.damaged_qty', 'QTY_NOT_A_NUMBER'],
      ['records.3.non_returnable_damaged_qty', 'QTY_NOT_INTEGER'],
    ]);
  });
});

describe('serials', () => {
  it('normalises by trimming and upper-casing', () => {
    expect(normalizeSerial('  sn-01a ')).toBe('SN-01A');
  });
  it('serialized items need exactly one serial per unit', () => {
    expect(validateSerials(['a', 'b'], { serialized: true, countedQty: 2 })).toEqual([]);
    expect(validateSerials(['a'], { serialized: true, countedQty: 2 }).map((p) => p.code)).toEqual([
      'SERIAL_COUNT_MISMATCH',
    ]);
    expect(validateSerials([], { serialized: false, countedQty: 5 })).toEqual([]);
  });
  it('refuses blanks and repeats within a line (after normalising)', () => {
    const problems = validateSerials(
      ['sn1', ' SN1 ', ''],
      { serialized: false, countedQty: 3 },
      'records.0',
    );
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['records.0.serials.1', 'SERIAL_REPEATED'],
      ['records.0.serials.2', 'SERIAL_BLANK'],
    ]);
  });
});

describe('strict mode', () => {
  it('passes zero variance and non-strict sessions', () => {
    expect(strictVarianceCheck('strict', 0, {})).toBeNull();
    expect(strictVarianceCheck('standard', -3, {})).toBeNull();
    expect(strictVarianceCheck('blind', 4, {})).toBeNull();
  });
  it('needs confirmation, then a reason', () => {
    expect(strictVarianceCheck('strict', -3, {})).toBe('VARIANCE_UNCONFIRMED');
    expect(strictVarianceCheck('strict', -3, { variance_confirmed: true })).toBe(
      'VARIANCE_REASON_REQUIRED',
    );
    expect(
      strictVarianceCheck('strict', -3, { variance_confirmed: true, variance_reason: '  ' }),
    ).toBe('VARIANCE_REASON_REQUIRED');
    expect(
      strictVarianceCheck('strict', -3, {
        variance_confirmed: true,
        variance_reason: 'broken box',
      }),
    ).toBeNull();
  });
});

describe('money and units', () => {
  it('values a variance at cost and price to the cent', () => {
    expect(varianceValue(-3, { cost: 1.335, price: 2.5 })).toEqual({
      at_cost: -4.01,
      at_price: -7.5,
    });
    expect(roundMoney(0.1 + 0.2)).toBe(0.3);
  });
  it('knows which units allow decimals', () => {
    expect(uomAllowsDecimal('kg')).toBe(true);
    expect(uomAllowsDecimal('PCS')).toBe(false);
  });
});

describe('accuracy (design §4: max(0, 1 − |variance| / book))', () => {
  it('is the share of the book that was right, never below 0', () => {
    expect(itemAccuracy(10, -2)).toBeCloseTo(0.8);
    expect(itemAccuracy(10, 25)).toBe(0);
    expect(itemAccuracy(10, -10)).toBe(0);
  });
  it('is 100 % when book and count are both 0, and 0 when stock turns up against no book', () => {
    expect(itemAccuracy(0, 0)).toBe(1);
    expect(itemAccuracy(0, 3)).toBe(0);
  });
  it('as a percentage over sums: two decimals, floored at 0, null without a book', () => {
    expect(accuracyPercent(120, 3)).toBe(97.5);
    expect(accuracyPercent(110, 2)).toBe(98.18);
    expect(accuracyPercent(10, 25)).toBe(0);
    expect(accuracyPercent(0, 0)).toBeNull();
  });
});
