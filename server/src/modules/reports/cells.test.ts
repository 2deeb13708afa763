import { describe, expect, it } from 'vitest';
import type { ReportColumn } from '@stockverify/shared';
import { cellValue, csvField, csvHeader, csvRecord } from './cells';

const text: ReportColumn = { key: 't', header: 'Text', kind: 'text', width: 10 };
const qty: ReportColumn = { key: 'q', header: 'Qty', kind: 'qty', width: 10 };
const date: ReportColumn = { key: 'd', header: 'When', kind: 'date', width: 10 };

describe('report cells', () => {
  it.each(['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])(
    'neutralises a text cell starting like a formula: %j',
    (raw) => {
      expect(cellValue(text, raw)).toBe(`'${raw}`);
    },
  );

  it('leaves other text, numbers (negative ones too) and empty cells alone', () => {
    expect(cellValue(text, 'Bolt =M8')).toBe('Bolt =M8');
    expect(cellValue(qty, -3)).toBe(-3);
    expect(cellValue(qty, '-3')).toBe(-3);
    expect(cellValue(qty, null)).toBeNull();
    expect(cellValue(text, '')).toBeNull();
    expect(cellValue(date, '2026-11-01T08:30:00.000Z')).toEqual(
      new Date('2026-11-01T08:30:00.000Z'),
    );
  });

  it('quotes CSV fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(null)).toBe('');
  });

  it('writes a record with CRLF, neutralised text and numbers as numbers', () => {
    const columns = [text, qty, date];
    expect(csvHeader(columns)).toBe('Text,Qty,When\r\n');
    expect(csvRecord(columns, { t: '=HYPERLINK("x")', q: -2, d: '2026-11-01T08:30:00.000Z' })).toBe(
      `"'=HYPERLINK(""x"")",-2,2026-11-01T08:30:00.000Z\r\n`,
    );
    expect(csvRecord(columns, { t: null, q: 0, d: null })).toBe(',0,\r\n');
  });
});
