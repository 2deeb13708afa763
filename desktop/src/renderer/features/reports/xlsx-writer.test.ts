import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  columnLetter,
  createXlsxWriter,
  excelDate,
  xmlText,
  type ReportColumn,
} from '@stockverify/shared/spreadsheet';

const COLUMNS: ReportColumn[] = [
  { key: 'item_code', header: 'Item', kind: 'text', width: 16 },
  { key: 'book_qty', header: 'Book', kind: 'qty', width: 12 },
  { key: 'counted_qty', header: 'Counted', kind: 'qty', width: 12 },
  { key: 'variance', header: 'Variance', kind: 'qty', width: 12 },
  { key: 'value_at_cost', header: 'Value', kind: 'money', width: 12 },
  { key: 'lines', header: 'Lines', kind: 'int', width: 8 },
  { key: 'counted_at', header: 'Counted at', kind: 'date', width: 20 },
];

function write(rows: Record<string, unknown>[], maxRowsPerSheet?: number) {
  const chunks: Uint8Array[] = [];
  let finals = 0;
  const writer = createXlsxWriter({
    title: 'Variance report',
    sheetName: 'Variances',
    columns: COLUMNS,
    summary: [['Session', 'S-1']],
    maxRowsPerSheet,
    now: new Date('2026-11-29T10:00:00Z'),
    onData(chunk, final) {
      chunks.push(chunk);
      if (final) finals++;
    },
  });
  for (const row of rows) writer.addRow(row);
  const result = writer.finish();
  expect(finals).toBe(1);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { result, bytes };
}

async function read(bytes: Uint8Array) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes.buffer as ArrayBuffer);
  return workbook;
}

const row = (i: number, variance: number) => ({
  item_code: `ITM-${i} <&> "q"`,
  book_qty: 10,
  counted_qty: 10 + variance,
  variance,
  value_at_cost: variance * 2.5,
  lines: 1,
  counted_at: '2026-11-29T08:30:00Z',
});

describe('createXlsxWriter', () => {
  it('writes a workbook Excel readers open: header, values, formats, colours, filter, frozen pane', async () => {
    const { bytes, result } = write([row(1, -3), row(2, 0), row(3, 1.5)]);
    expect(result).toEqual({
      rows: 3,
      sheets: 1,
      totals: { book_qty: 30, counted_qty: 28.5, variance: -1.5, value_at_cost: -3.75, lines: 3 },
    });
    const workbook = await read(bytes);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Variances', 'Summary']);
    const sheet = workbook.getWorksheet('Variances')!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'Item',
      'Book',
      'Counted',
      'Variance',
      'Value',
      'Lines',
      'Counted at',
    ]);
    expect(sheet.getCell('A2').value).toBe('ITM-1 <&> "q"');
    expect(sheet.getCell('D2').value).toBe(-3);
    expect(sheet.getCell('E4').value).toBe(3.75);
    expect(sheet.getCell('G2').value).toEqual(new Date('2026-11-29T08:30:00Z'));
    expect(sheet.getCell('B2').numFmt).toBe('#,##0.###');
    expect(sheet.getCell('E2').numFmt).toBe('#,##0.00');
    expect(sheet.getCell('G2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    // Variance colours: red below zero, green above, none at zero.
    expect(sheet.getCell('D2').fill).toMatchObject({ fgColor: { argb: 'FFFDE2E1' } });
    expect(sheet.getCell('D4').fill).toMatchObject({ fgColor: { argb: 'FFE2F5E5' } });
    expect(sheet.getCell('D3').fill).not.toHaveProperty('fgColor');
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:G4');
    const summary = workbook.getWorksheet('Summary')!;
    const summaryRows = new Map<string, unknown>();
    summary.eachRow((r) => summaryRows.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(summaryRows.get('Report')).toBe('Variance report');
    expect(summaryRows.get('Session')).toBe('S-1');
    expect(summaryRows.get('Rows')).toBe(3);
    expect(summaryRows.get('Total Variance')).toBe(-1.5);
    expect(summaryRows.get('Total Value')).toBe(-3.75);
  });

  it('splits rows over sheets at the row limit, each with its header and filter', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => row(i, i));
    const { bytes, result } = write(rows, 3);
    expect(result.sheets).toBe(3);
    const workbook = await read(bytes);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Variances',
      'Variances (2)',
      'Variances (3)',
      'Summary',
    ]);
    const counts = workbook.worksheets.slice(0, 3).map((w) => w.actualRowCount - 1);
    expect(counts).toEqual([3, 3, 1]);
    expect(workbook.worksheets[1]!.getCell('A1').value).toBe('Item');
    expect(workbook.worksheets[1]!.getCell('A2').value).toBe('ITM-3 <&> "q"');
    expect(workbook.worksheets[2]!.autoFilter).toBe('A1:G2');
  });

  it('writes an empty report with just its header', async () => {
    const { bytes, result } = write([]);
    expect(result).toMatchObject({ rows: 0, sheets: 1 });
    const workbook = await read(bytes);
    expect(workbook.getWorksheet('Variances')!.getCell('A1').value).toBe('Item');
  });

  it('neutralises text that a spreadsheet would run as a formula', async () => {
    const { bytes } = write([{ ...row(1, 1), item_code: '=HYPERLINK("http://x")' }]);
    const sheet = (await read(bytes)).getWorksheet('Variances')!;
    expect(sheet.getCell('A2').value).toBe(`'=HYPERLINK("http://x")`);
  });

  it('keeps text that is not a number as text in a number column and drops XML-illegal characters', async () => {
    const { bytes } = write([{ ...row(1, 1), book_qty: 'n/a', item_code: 'bad\u0001char' }]);
    const sheet = (await read(bytes)).getWorksheet('Variances')!;
    expect(sheet.getCell('B2').value).toBe('n/a');
    expect(sheet.getCell('A2').value).toBe('badchar');
  });
});

describe('helpers', () => {
  it('names columns like Excel', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetter)).toEqual([
      'A',
      'Z',
      'AA',
      'AB',
      'ZZ',
      'AAA',
    ]);
  });
  it('converts instants to Excel serials and refuses junk', () => {
    expect(excelDate('1900-01-01T00:00:00Z')).toBe(2);
    expect(excelDate('2026-11-29T12:00:00Z')).toBe(46355.5);
    expect(excelDate('not a date')).toBeNull();
    expect(excelDate(42)).toBeNull();
  });
  it('escapes XML', () => {
    expect(xmlText('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});
