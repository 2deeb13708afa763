/**
 * Movements from a CSV/XLSX file (issue #17): columns, row/column errors, watermarks, and the file
 * source's pages through the import worker.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMovements } from './file-movements';
import { createFileErpSource } from './file';

const HEADER = 'Entry No,Item No,Warehouse,Bin,Quantity,Posting Date,Document Type,Document No';
const csv = (...rows: string[]) => Buffer.from([HEADER, ...rows].join('\n'));

describe('parseMovements', () => {
  it('reads ledger columns by their usual names, in watermark order', async () => {
    const parsed = await parseMovements(
      csv(
        '12,IT2,WH-MAIN,,10.5,2026-12-06T09:02:00Z,RECEIPT,PO-7',
        '11,IT1,WH-MAIN,A-01,-5,2026-12-06T10:01:00+01:00,SHIPMENT,SO-1',
      ),
      'csv',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toBe(2);
    expect(parsed.movements).toEqual([
      {
        item_code: 'IT1',
        warehouse: 'WH-MAIN',
        rack: 'A-01',
        quantity: -5,
        posted_at: '2026-12-06T09:01:00.000Z',
        doc_type: 'SHIPMENT',
        doc_no: 'SO-1',
        watermark: '11',
      },
      {
        item_code: 'IT2',
        warehouse: 'WH-MAIN',
        rack: null,
        quantity: 10.5,
        posted_at: '2026-12-06T09:02:00.000Z',
        doc_type: 'RECEIPT',
        doc_no: 'PO-7',
        watermark: '12',
      },
    ]);
  });

  it('names the row and column of every problem, and repeated watermarks', async () => {
    const parsed = await parseMovements(
      csv(
        '1,IT1,WH-MAIN,A-01,-5,2026-12-06T09:01:00Z,SHIPMENT,SO-1',
        'x,,WH-MAIN,A-01,many,2026-12-06,SHIPMENT,SO-2',
        '1,IT3,WH-MAIN,A-01,0.0005,2026-12-06T09:03:00Z,SHIPMENT,SO-3',
      ),
      'csv',
    );
    expect(parsed.errors).toEqual([
      { row: 3, field: 'item_code', message: 'required' },
      { row: 3, field: 'quantity', message: expect.stringContaining('"many"') },
      { row: 3, field: 'posted_at', message: expect.stringContaining('2026-12-06') },
      { row: 3, field: 'watermark', message: expect.stringContaining('"x"') },
      { row: 4, field: 'quantity', message: expect.stringContaining('at most 3 decimals') },
    ]);
    const repeated = await parseMovements(
      csv(
        '1,IT1,WH-MAIN,A-01,-5,2026-12-06T09:01:00Z,SHIPMENT,SO-1',
        '1,IT3,WH-MAIN,A-01,2,2026-12-06T09:03:00Z,RECEIPT,PO-3',
      ),
      'csv',
    );
    expect(repeated.errors).toEqual([
      { row: 3, field: 'watermark', message: '1 is also the watermark of row 2' },
    ]);
  });

  it('refuses a file without the required columns, naming them', async () => {
    await expect(parseMovements(Buffer.from('item_code,quantity\nIT1,3'), 'csv')).rejects.toThrow(
      /missing required movement column\(s\): warehouse, posted_at, doc_type, doc_no/,
    );
  });

  it('uses the row number as the watermark without a watermark column; decimal comma with ;', async () => {
    const parsed = await parseMovements(
      Buffer.from(
        'item;warehouse;qty;date;type;reference\nIT1;WH-MAIN;-1,5;2026-12-06T09:01:00Z;SHIPMENT;SO-1\n\nIT2;WH-MAIN;2;2026-12-06T09:02:00Z;RECEIPT;PO-1',
      ),
      'csv',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.movements.map((m) => [m.watermark, m.quantity])).toEqual([
      ['2', -1.5],
      ['4', 2],
    ]);
  });

  it('reads XLSX, dates as instants and rowversion-like hex watermarks', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Ledger');
    sheet.addRow([
      'watermark',
      'item_code',
      'warehouse',
      'rack',
      'quantity',
      'posted_at',
      'doc_type',
      'doc_no',
    ]);
    sheet.addRow([
      '0x00000000000007D1',
      'IT1',
      'WH-MAIN',
      'A-01',
      -2,
      new Date('2026-12-06T09:01:00Z'),
      'SHIPMENT',
      'SO-1',
    ]);
    const parsed = await parseMovements(Buffer.from(await wb.xlsx.writeBuffer()), 'xlsx');
    expect(parsed.errors).toEqual([]);
    expect(parsed.movements[0]).toMatchObject({
      watermark: '0x00000000000007d1',
      posted_at: '2026-12-06T09:01:00.000Z',
      quantity: -2,
    });
  });
});

describe('file source movements', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sv-movements-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function source(movements: Buffer) {
    const items = join(dir, 'items.csv');
    await writeFile(items, 'item_code,name\nIT1,One\n');
    const path = join(dir, 'movements.csv');
    await writeFile(path, movements);
    return createFileErpSource({ path: items, movementsPath: path });
  }

  it('has no movements without a movements file', () => {
    const plain = createFileErpSource({ path: join(dir, 'items.csv') });
    expect(plain.fetchMovements).toBeUndefined();
  });

  it('pages the file through the import worker; a bad row refuses the file by row and column', async () => {
    const rows = Array.from(
      { length: 7 },
      (_, i) =>
        `${i + 1},IT1,${i % 2 ? 'WH-NORTH' : 'WH-MAIN'},A-01,-1,2026-12-06T09:0${i}:00Z,SHIPMENT,SO-${i}`,
    );
    const good = await source(csv(...rows));
    expect(await good.currentWatermark!()).toBe('7');
    const first = await good.fetchMovements!(null, { limit: 3 });
    expect(first.movements.map((m) => m.watermark)).toEqual(['1', '2', '3']);
    const second = await good.fetchMovements!(first.watermark, { limit: 3, warehouse: 'WH-MAIN' });
    expect(second.movements.map((m) => m.watermark)).toEqual(['5', '7']);
    expect(second.watermark).toBe('7');
    expect(await good.fetchMovements!('7', { limit: 3 })).toEqual({
      movements: [],
      watermark: '7',
    });

    const bad = await source(
      csv(rows[0]!, '2,IT1,WH-MAIN,A-01,abc,2026-12-06T09:00:00Z,SHIPMENT,SO-2'),
    );
    await expect(bad.fetchMovements!(null, { limit: 3 })).rejects.toThrow(
      /cannot be read: row 3 column quantity/,
    );
  });
});
