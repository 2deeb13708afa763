/**
 * The ERP movement schema and watermarks (shared/src/movements/movement.ts, issue #17). Kept beside
 * the other shared tests: shared/src/movements/ is the expected-at-count domain's folder.
 */
import { describe, expect, it } from 'vitest';
import {
  canonicalWatermark,
  compareWatermarks,
  erpMovementSchema,
  isWatermark,
  watermarkSchema,
  watermarkSortKey,
} from './index';

const valid = {
  item_code: 'IT1',
  warehouse: 'WH-MAIN',
  rack: 'A-01',
  quantity: -5,
  posted_at: '2026-12-06T10:15:00+01:00',
  doc_type: 'SHIPMENT',
  doc_no: 'SO-1',
  watermark: '120345',
};

describe('watermarks', () => {
  it('accepts decimal entry numbers and 0x rowversions, nothing else', () => {
    for (const ok of [
      '0',
      '7',
      '120345',
      '9'.repeat(38),
      '0x0',
      '0x00000000000007D1',
      `0x${'f'.repeat(32)}`,
    ])
      expect(isWatermark(ok)).toBe(true);
    for (const bad of [
      '',
      '-1',
      '01',
      '1.5',
      '1e3',
      ' 7',
      'x10',
      '0x',
      '0xg1',
      '9'.repeat(39),
      `0x${'f'.repeat(33)}`,
      '0X12 ',
    ])
      expect(isWatermark(bad)).toBe(false);
  });

  it('compares by value: numbers as numbers, rowversions by their bytes, either form alike', () => {
    expect(compareWatermarks('9', '10')).toBeLessThan(0);
    expect(compareWatermarks('100', '99')).toBeGreaterThan(0);
    expect(compareWatermarks('0x00000000000007d1', '0x7D1')).toBe(0);
    expect(compareWatermarks('0x00ff', '0x0100')).toBeLessThan(0);
    expect(compareWatermarks('0x10', '15')).toBeGreaterThan(0); // 16 > 15
    expect(compareWatermarks('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(() => compareWatermarks('abc', '1')).toThrow(TypeError);
  });

  it('sort keys order as strings exactly as compareWatermarks orders the watermarks', () => {
    const marks = [
      '0',
      '1',
      '9',
      '10',
      '99',
      '100',
      '0x0a',
      '0x00ff',
      '0x0100',
      '18446744073709551615',
      `0x${'f'.repeat(32)}`,
    ];
    for (const a of marks) {
      for (const b of marks) {
        const byKey =
          watermarkSortKey(a) < watermarkSortKey(b)
            ? -1
            : watermarkSortKey(a) > watermarkSortKey(b)
              ? 1
              : 0;
        expect(byKey).toBe(Math.sign(compareWatermarks(a, b)));
      }
    }
    expect(watermarkSortKey('7')).toHaveLength(32);
  });

  it('spells each value one way per form: decimals as they are, hex lower-case padded to 8 bytes', () => {
    expect(canonicalWatermark('120345')).toBe('120345');
    expect(canonicalWatermark('0x7D1')).toBe('0x00000000000007d1');
    expect(canonicalWatermark(`0x1${'0'.repeat(16)}`)).toBe(`0x1${'0'.repeat(16)}`);
    expect(watermarkSchema.parse('0X07D1')).toBe('0x00000000000007d1');
    expect(watermarkSchema.safeParse('-3').success).toBe(false);
  });
});

describe('erpMovementSchema', () => {
  it('takes a movement, normalising the instant to UTC and the watermark', () => {
    expect(erpMovementSchema.parse({ ...valid, watermark: '0x7d1' })).toEqual({
      ...valid,
      posted_at: '2026-12-06T09:15:00.000Z',
      watermark: '0x00000000000007d1',
    });
    expect(erpMovementSchema.parse({ ...valid, rack: null, quantity: 0.125 }).quantity).toBe(0.125);
  });

  it('bounds quantities like counts: at most 10⁹ either way, thousandths at most', () => {
    expect(erpMovementSchema.parse({ ...valid, quantity: -1_000_000_000 }).quantity).toBe(-1e9);
    expect(erpMovementSchema.parse({ ...valid, quantity: 0.1 + 0.2 }).quantity).toBe(0.3);
    for (const quantity of [1_000_000_001, -1_000_000_001, 0.0005, Number.NaN, Infinity]) {
      const result = erpMovementSchema.safeParse({ ...valid, quantity });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['quantity']);
    }
  });

  it('names the field at fault', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ item_code: '' }, 'item_code'],
      [{ warehouse: ' ' }, 'warehouse'],
      [{ rack: '' }, 'rack'],
      [{ posted_at: '2026-12-06' }, 'posted_at'],
      [{ posted_at: '2026-12-06T10:15:00' }, 'posted_at'],
      [{ doc_type: '' }, 'doc_type'],
      [{ doc_no: 'x'.repeat(129) }, 'doc_no'],
      [{ watermark: '1.5' }, 'watermark'],
    ];
    for (const [patch, field] of cases) {
      const result = erpMovementSchema.safeParse({ ...valid, ...patch });
      expect(result.error?.issues.map((i) => i.path[0])).toEqual([field]);
    }
  });
});
