import { strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ReportColumn } from '../reports';
import { cellOf, excelDate, filterSummary, NUMBER_FORMATS } from './cells';
import { createCsvWriter, csvField } from './csv-writer';

const text: ReportColumn = { key: 't', header: 'Text', kind: 'text', width: 10 };
const qty: ReportColumn = { key: 'q', header: 'Qty', kind: 'qty', width: 10 };
const date: ReportColumn = { key: 'd', header: 'When', kind: 'date', width: 10 };

describe('report cells', () => {
  it.each(['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])(
    'neutralises a text cell starting like a formula: %j',
    (raw) => {
      expect(cellOf(text, raw)).toEqual({ type: 'text', value: `'${raw}` });
    },
  );

  it('leaves other text, numbers (negative ones too) and empty cells alone', () => {
    expect(cellOf(text, 'Bolt =M8')).toEqual({ type: 'text', value: 'Bolt =M8' });
    expect(cellOf(qty, -3)).toEqual({ type: 'number', value: -3 });
    expect(cellOf(qty, '-3')).toEqual({ type: 'number', value: -3 });
    expect(cellOf(qty, null)).toBeNull();
    expect(cellOf(text, '')).toBeNull();
    expect(cellOf(date, '2026-11-01T08:30:00.000Z')).toEqual({
      type: 'date',
      value: excelDate('2026-11-01T08:30:00.000Z'),
      iso: '2026-11-01T08:30:00.000Z',
    });
  });

  it('keeps a value that is not what its column says as neutralised text', () => {
    expect(cellOf(qty, '-n/a')).toEqual({ type: 'text', value: "'-n/a" });
    expect(cellOf(date, '=not a date')).toEqual({ type: 'text', value: "'=not a date" });
  });

  it('has one number format per kind: percent with two decimals, dates to the second', () => {
    expect(NUMBER_FORMATS.percent).toBe('0.00"%"');
    expect(NUMBER_FORMATS.date).toBe('yyyy-mm-dd hh:mm:ss');
    expect(NUMBER_FORMATS.text).toBeNull();
  });

  it('summarises filters in the request order, leaving out unset ones', () => {
    expect(
      filterSummary({ warehouse: 'WH1', floor: undefined, from: '2026-11-01T00:00:00Z' }),
    ).toEqual([
      ['Filter warehouse', 'WH1'],
      ['Filter from', '2026-11-01T00:00:00Z'],
    ]);
    expect(filterSummary(undefined)).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain', text)).toBe('plain');
    expect(csvField('a,b', text)).toBe('"a,b"');
    expect(csvField('say "hi"', text)).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines', text)).toBe('"two\r\nlines"');
    expect(csvField(-0.5, qty)).toBe('-0.5');
    expect(csvField(null, qty)).toBe('');
  });

  it('writes a BOM, a header and records with CRLF, neutralised text and numbers as numbers', () => {
    const chunks: Uint8Array[] = [];
    const writer = createCsvWriter({ columns: [text, qty, date], onData: (c) => chunks.push(c) });
    writer.addRow({ t: '=HYPERLINK("x")', q: -2, d: '2026-11-01T08:30:00.000Z' });
    writer.addRow({ t: null, q: 0, d: null });
    expect(writer.finish().rows).toBe(2);
    const bytes = Uint8Array.from(chunks.flatMap((c) => [...c]));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(strFromU8(bytes.subarray(3))).toBe(
      'Text,Qty,When\r\n' + `"'=HYPERLINK(""x"")",-2,2026-11-01T08:30:00.000Z\r\n` + ',0,\r\n',
    );
  });
});
