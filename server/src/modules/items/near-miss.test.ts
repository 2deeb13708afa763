import { describe, expect, it } from 'vitest';
import { gs1CheckDigit, isValidGtin, MAX_NEAR_MISSES, nearMissBarcodes } from './near-miss';

const codes = (code: string) => nearMissBarcodes(code).map((c) => c.code);

describe('GS1 check digits', () => {
  it('computes and checks EAN-8, UPC-A, EAN-13 and ITF-14', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('96385074')).toBe(true); // EAN-8
    expect(isValidGtin('036000291452')).toBe(true); // UPC-A
    expect(isValidGtin('14006381333938')).toBe(true); // ITF-14
    expect(isValidGtin('4006381333')).toBe(false); // not a GTIN length
    expect(isValidGtin('40063813339A1')).toBe(false);
  });
});

describe('nearMissBarcodes', () => {
  it('repairs a wrong check digit first', () => {
    expect(nearMissBarcodes('4006381333932')[0]).toEqual({
      code: '4006381333931',
      kind: 'check_digit',
    });
  });

  it('finds the code one digit, one swap, one drop or one extra digit away', () => {
    for (const typo of ['4006381339931', '4006381333913', '400638133393', '40063813339311']) {
      expect(codes(typo), typo).toContain('4006381333931');
    }
  });

  it('finds the issue #14 example: one body digit off with a check digit that fits', () => {
    expect(isValidGtin('7616270734403')).toBe(true);
    expect(codes('7616270734403')).toContain('7616270739408');
  });

  it('keeps only valid GTINs for GTIN-length digit codes, never the code itself, no repeats', () => {
    const out = codes('4006381333932');
    expect(out).not.toContain('4006381333932');
    expect(new Set(out).size).toBe(out.length);
    expect(out.filter((c) => c.length === 13).every(isValidGtin)).toBe(true);
    expect(out.length).toBeLessThan(200);
  });

  it('varies letters too for other codes, and stays bounded', () => {
    expect(codes('MAN-1002')).toContain('MAN-1001');
    expect(codes('MAM-1001')).toContain('MAN-1001');
    expect(nearMissBarcodes('ABCDEFGHIJKLMNOPQRST').length).toBeLessThanOrEqual(MAX_NEAR_MISSES);
    expect(nearMissBarcodes('')).toEqual([]);
    expect(nearMissBarcodes('AB1')).toEqual([]);
  });
});
