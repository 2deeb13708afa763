import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemSchema, warehouseSchema, type Item } from '@stockverify/shared';
import {
  ItemMasterFormatError,
  createFileErpSource,
  itemMasterFormatOf,
  parseItemMaster,
} from './file';

const NOW = new Date('2025-03-01T10:00:00.000Z');
const now = () => NOW;
const HEADER =
  'item_code,name,category,brand,uom,price,cost,barcode,manual_barcode,pack_barcode,pack_qty,serialized,batch_tracked,warehouse,floor,rack,location_barcode,stock_qty';

function csv(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

function byCode(items: Item[], code: string): Item {
  const item = items.find((i) => i.item_code === code);
  if (!item) throw new Error(`no item ${code}`);
  return item;
}

describe('parseItemMaster (CSV)', () => {
  it('maps every column into valid items and derives warehouses', async () => {
    const result = await parseItemMaster(
      csv(
        HEADER,
        'IT1,"Philips LED Bulb 9W, Warm White",Lighting,Philips,pcs,3.20,2.10,8710103123453,M1,18710103123450|28710103123457,12|48,no,no,WH-MAIN,GF,A-01,LOC-A-01,120',
        'IT2,Polycab Copper Wire Red,Electrical,Polycab,M,0.35,0.22,8901234567012,,,,N,Y,WH-MAIN,F1,C-07,,1250.5',
      ),
      'csv',
      { now },
    );
    expect(result.errors).toEqual([]);
    expect(result.rows).toBe(2);
    expect(result.rejected).toBe(0);
    for (const item of result.items) itemSchema.parse(item);
    const bulb = byCode(result.items, 'IT1');
    expect(bulb).toMatchObject({
      name: 'Philips LED Bulb 9W, Warm White',
      uom: 'PCS',
      decimal_qty: false,
      price: 3.2,
      cost: 2.1,
      serialized: false,
      active: true,
      updated_at: NOW.toISOString(),
      stock: [{ warehouse: 'WH-MAIN', rack: 'A-01', qty: 120 }],
    });
    expect(bulb.barcodes).toEqual([
      { code: '8710103123453', kind: 'primary', pack_qty: 1 },
      { code: 'M1', kind: 'manual', pack_qty: 1 },
      { code: '18710103123450', kind: 'pack', pack_qty: 12 },
      { code: '28710103123457', kind: 'pack', pack_qty: 48 },
    ]);
    const wire = byCode(result.items, 'IT2');
    expect(wire).toMatchObject({ decimal_qty: true, batch_tracked: true, category: 'Electrical' });
    expect(wire.stock).toEqual([{ warehouse: 'WH-MAIN', rack: 'C-07', qty: 1250.5 }]);
    expect(result.warehouses.map((w) => warehouseSchema.parse(w))).toEqual([
      {
        id: 'WH-MAIN',
        name: 'WH-MAIN',
        floors: [
          { code: 'GF', name: 'Ground floor' },
          { code: 'F1', name: 'F1' },
        ],
        racks: [
          { code: 'A-01', floor: 'GF', location_barcode: 'LOC-A-01' },
          { code: 'C-07', floor: 'F1', location_barcode: null },
        ],
      },
    ]);
  });

  it('keeps good rows and reports each bad one with its row number and field', async () => {
    const result = await parseItemMaster(
      csv(
        'item_code,name,uom,price,cost,barcode,pack_barcode,pack_qty,serialized,warehouse,rack,stock_qty',
        'G1,Good one,PCS,10,5,1111,,,no,WH,A-01,3', // row 2 good
        ',No code,PCS,10,5,,,,no,WH,A-01,1', // row 3: item_code missing
        'B2,,PCS,10,5,,,,no,WH,A-01,1', // row 4: name missing
        'B3,Bad price,PCS,abc,5,,,,no,WH,A-01,1', // row 5: price not a number
        'B4,Negative price,PCS,-1,5,,,,no,WH,A-01,1', // row 6: price negative
        'B5,Bad bool,PCS,10,5,,,,maybe,WH,A-01,1', // row 7: serialized not a boolean
        'B6,Half a piece,PCS,10,5,,,,no,WH,A-01,2.5', // row 8: decimal qty, integer uom
        'B7,Bad pack,PCS,10,5,,2222,0,no,WH,A-01,1', // row 9: pack_qty not positive
        'B8,Taken barcode,PCS,10,5,1111,,,no,WH,A-01,1', // row 10: barcode of G1
        'B9,Two problems,PCS,-3,5,,,,perhaps,WH,A-01,1', // row 11: price and serialized
        'G2,Good two,KG,4,2,3333,,,no,WH,A-02,2.5', // row 12 good: decimal uom
      ),
      'csv',
      { now },
    );
    expect(result.items.map((i) => i.item_code)).toEqual(['G1', 'G2']);
    expect(result.rows).toBe(11);
    expect(result.rejected).toBe(9);
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 3, field: 'item_code' },
      { row: 4, field: 'name' },
      { row: 5, field: 'price' },
      { row: 6, field: 'price' },
      { row: 7, field: 'serialized' },
      { row: 8, field: 'stock_qty' },
      { row: 9, field: 'pack_qty' },
      { row: 10, field: 'barcode' },
      { row: 11, field: 'price' },
      { row: 11, field: 'serialized' },
    ]);
    expect(result.errors.find((e) => e.row === 10)?.message).toMatch(
      /already belongs to item G1 \(row 2\)/,
    );
    expect(result.errors.find((e) => e.row === 8)?.message).toMatch(/whole number for uom PCS/);
  });

  it('merges rows of one item into stock lines, inheriting blank attributes', async () => {
    const result = await parseItemMaster(
      csv(
        'item_code,name,brand,price,barcode,pack_barcode,pack_qty,warehouse,rack,stock_qty',
        'IT1,LED Bulb,Philips,3.2,5000,,,WH-MAIN,A-01,10',
        'IT1,LED Bulb,,,,15000,6,WH-NORTH,B-01,4', // adds a stock line and a pack barcode
        'IT1,LED Bulb,,,,,,WH-MAIN,A-01,10', // the same stock line again: a repeat, not 20
        'IT2,Bad first row,Acme,-1,,,,WH-MAIN,A-02,1', // row 5: rejected, so IT2 does not exist yet
        'IT2,Good second row,Acme,2,,,,WH-MAIN,A-02,1', // row 6: this row founds IT2
      ),
      'csv',
      { now },
    );
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 5, field: 'price' },
    ]);
    expect(result.items.map((i) => [i.item_code, i.name])).toEqual([
      ['IT1', 'LED Bulb'],
      ['IT2', 'Good second row'],
    ]);
    const item = result.items[0]!;
    expect(item).toMatchObject({ brand: 'Philips', price: 3.2 });
    expect(item.stock).toEqual([
      { warehouse: 'WH-MAIN', rack: 'A-01', qty: 10 },
      { warehouse: 'WH-NORTH', rack: 'B-01', qty: 4 },
    ]);
    expect(item.barcodes.map((b) => [b.code, b.kind, b.pack_qty])).toEqual([
      ['5000', 'primary', 1],
      ['15000', 'pack', 6],
    ]);
    expect(result.warehouses.map((w) => w.id)).toEqual(['WH-MAIN', 'WH-NORTH']);
  });

  it('rejects a later row whose attributes disagree with the first, keeping the item', async () => {
    const result = await parseItemMaster(
      csv(
        'item_code,name,price,uom,warehouse,rack,stock_qty',
        'IT1,LED Bulb,3.2,PCS,WH,A-01,10',
        'IT1,LED Bulb,4.5,PCS,WH,A-02,5', // row 3: price conflict
        'IT1,LED Lamp,3.2,PCS,WH,A-03,5', // row 4: name conflict
        'IT1,LED Bulb,3.2,pcs,WH,A-01,11', // row 5: same rack, different quantity
        'IT1,LED Bulb,3.2,PCS,WH,A-04,7', // row 6: fine
      ),
      'csv',
      { now },
    );
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 3, field: 'price' },
      { row: 4, field: 'name' },
      { row: 5, field: 'stock_qty' },
    ]);
    expect(result.errors[0]!.message).toBe('4.5 disagrees with row 2 of item IT1 (3.2)');
    expect(result.items[0]!.stock).toEqual([
      { warehouse: 'WH', rack: 'A-01', qty: 10 },
      { warehouse: 'WH', rack: 'A-04', qty: 7 },
    ]);
  });

  it('checks pack barcode lists, rack consistency and location labels', async () => {
    const result = await parseItemMaster(
      csv(
        'item_code,name,pack_barcode,pack_qty,warehouse,floor,rack,location_barcode',
        'A,Item A,P1|P2,6,WH,GF,R-1,L1', // row 2: two packs, one qty
        'B,Item B,P3,,WH,GF,R-1,L1', // row 3: pack without qty
        'C,Item C,,12,WH,GF,R-1,L1', // row 4: qty without pack
        'E,Item E,,,WH,GF,R-1,L1', // row 5: good, places rack R-1 on GF
        'D,Item D,P4|P5,6|24,WH,F1,R-1,L1', // row 6: rack moves floor
        'F,Item F,,,WH,GF,R-2,L1', // row 7: label of another rack
        'G,Item G,L1,6,WH,GF,R-3,', // row 8: a rack label as item barcode
        'H,Item H,,,,,R-9,', // row 9: rack without warehouse
      ),
      'csv',
      { now },
    );
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 2, field: 'pack_qty' },
      { row: 3, field: 'pack_qty' },
      { row: 4, field: 'pack_qty' },
      { row: 6, field: 'floor' },
      { row: 7, field: 'location_barcode' },
      { row: 8, field: 'pack_barcode' },
      { row: 9, field: 'warehouse' },
    ]);
    expect(result.items.map((i) => i.item_code)).toEqual(['E']);
    expect(result.warehouses[0]!.racks).toEqual([
      { code: 'R-1', floor: 'GF', location_barcode: 'L1' },
    ]);
  });

  it('counts rows as a spreadsheet shows them: quoted line breaks and blank lines', async () => {
    const result = await parseItemMaster(
      Buffer.from(
        [
          'item_code,name,price',
          'A,"Bulb\nwith a two-line name",1', // row 2 spans two text lines
          '',
          'B,Bad,-1', // row 4
        ].join('\r\n'),
      ),
      'csv',
      { now },
    );
    expect(result.items[0]!.name).toBe('Bulb\nwith a two-line name');
    expect(result.errors).toEqual([
      { row: 4, field: 'price', message: 'must not be negative, got -1' },
    ]);
    expect(result.rows).toBe(2);
  });

  it('reads a BOM, semicolons, CRLF and decimal commas, and header aliases', async () => {
    const text =
      '\ufeffItem Code;Description;UOM;MRP;EAN;Serialized;WH;Bin;Qty\r\n' +
      'K1;"Wall Putty; white";kg;12,50;8901234567029;Y;WH-MAIN;A-01;"2,5"\r\n';
    const result = await parseItemMaster(Buffer.from(text, 'utf8'), 'csv', { now });
    expect(result.errors).toEqual([]);
    expect(result.items[0]).toMatchObject({
      item_code: 'K1',
      name: 'Wall Putty; white',
      uom: 'KG',
      price: 12.5,
      serialized: true,
      barcodes: [{ code: '8901234567029', kind: 'primary', pack_qty: 1 }],
      stock: [{ warehouse: 'WH-MAIN', rack: 'A-01', qty: 2.5 }],
    });
  });

  it('reports unknown columns once on the header row and ignores them', async () => {
    const result = await parseItemMaster(
      csv('item_code,name,barcod,colour', 'A,Item A,123,red', 'B,Item B,456,blue'),
      'csv',
      { now },
    );
    expect(result.items).toHaveLength(2);
    expect(result.items[0]!.barcodes).toEqual([]);
    expect(result.ignoredColumns).toEqual(['barcod', 'colour']);
    expect(result.errors).toEqual([
      { row: 1, field: 'barcod', message: 'unknown column, ignored' },
      { row: 1, field: 'colour', message: 'unknown column, ignored' },
    ]);
    expect(result.rejected).toBe(0);
  });

  it('throws a clear error for missing required columns, naming them', async () => {
    await expect(parseItemMaster(csv('sku_code,title,price', 'A,B,1'), 'csv')).rejects.toThrow(
      /missing required column\(s\): item_code, name/,
    );
    await expect(parseItemMaster(csv('item_code,price', 'A,1'), 'csv')).rejects.toBeInstanceOf(
      ItemMasterFormatError,
    );
  });

  it('throws for two columns meaning one field, an unclosed quote, or an empty file', async () => {
    await expect(parseItemMaster(csv('item_code,name,barcode,EAN'), 'csv')).rejects.toThrow(
      /"barcode" and "EAN" both mean barcode/,
    );
    await expect(parseItemMaster(csv('item_code,name', 'A,"open'), 'csv')).rejects.toThrow(
      ItemMasterFormatError,
    );
    await expect(parseItemMaster(Buffer.from('\n\n'), 'csv')).rejects.toThrow(/empty/);
  });
});

describe('parseItemMaster (XLSX)', () => {
  async function workbook(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Items');
    for (const row of rows) sheet.addRow(row);
    wb.addWorksheet('Ignored').addRow(['item_code', 'name']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('reads the first sheet: numbers, booleans, rich text, formulas and hyperlinks', async () => {
    const buffer = await workbook([
      [
        'Item Code',
        'Name',
        'UOM',
        'Price',
        'Cost',
        'Barcode',
        'Serialized',
        'Warehouse',
        'Rack',
        'Stock Qty',
      ],
      [
        1001,
        { richText: [{ text: 'Bosch ' }, { font: { bold: true }, text: 'Drill Bit Set' }] },
        'PCS',
        { formula: 'E2*2', result: 17 },
        8.5,
        4006381333931,
        true,
        'WH-MAIN',
        { text: 'A-01', hyperlink: 'https://example.com/racks/A-01' },
        40,
      ],
      ['1002', 'Bad price', 'PCS', -4, 1, '5000000000001', false, 'WH-MAIN', 'A-02', 1],
      ['1003', 'Fractional', 'PCS', 4, 1, '5000000000002', 'no', 'WH-MAIN', 'A-02', 1.5],
    ]);
    const result = await parseItemMaster(buffer, 'xlsx', { now });
    expect(result.items).toHaveLength(1);
    const item = itemSchema.parse(result.items[0]);
    expect(item).toMatchObject({
      item_code: '1001',
      name: 'Bosch Drill Bit Set',
      price: 17,
      cost: 8.5,
      serialized: true,
      barcodes: [{ code: '4006381333931', kind: 'primary', pack_qty: 1 }],
      stock: [{ warehouse: 'WH-MAIN', rack: 'A-01', qty: 40 }],
    });
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 3, field: 'price' },
      { row: 4, field: 'stock_qty' },
    ]);
  });

  it('uses sheet row numbers when the header is not on row 1', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Items');
    sheet.getRow(3).values = ['item_code', 'name', 'price'];
    sheet.getRow(4).values = ['A', 'Fine', 1];
    sheet.getRow(6).values = ['B', 'Bad', 'x'];
    const result = await parseItemMaster(Buffer.from(await wb.xlsx.writeBuffer()), 'xlsx');
    expect(result.items.map((i) => i.item_code)).toEqual(['A']);
    expect(result.errors).toEqual([
      { row: 6, field: 'price', message: 'must be a number, got "x"' },
    ]);
  });

  it('throws ItemMasterFormatError for bytes that are not a workbook', async () => {
    await expect(parseItemMaster(Buffer.from('not a zip'), 'xlsx')).rejects.toBeInstanceOf(
      ItemMasterFormatError,
    );
  });
});

describe('createFileErpSource', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sv-erp-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file, looks barcodes up and picks up a replaced file', async () => {
    const path = join(dir, 'items.csv');
    await writeFile(path, csv('item_code,name,barcode,warehouse,rack', 'A,First,111,WH,R-1'));
    const source = createFileErpSource({ path });
    await source.ping();
    const first: Item[] = [];
    for await (const batch of source.fetchItems()) first.push(...batch);
    expect(first.map((i) => i.name)).toEqual(['First']);
    expect((await source.findByBarcode('111'))?.item_code).toBe('A');
    expect(await source.fetchWarehouses()).toEqual([
      {
        id: 'WH',
        name: 'WH',
        floors: [{ code: 'GF', name: 'Ground floor' }],
        racks: [{ code: 'R-1', floor: 'GF', location_barcode: null }],
      },
    ]);

    await writeFile(path, csv('item_code,name,barcode', 'A,Renamed,111', 'B,Second,222'));
    const second: Item[] = [];
    for await (const batch of source.fetchItems({ batchSize: 1 })) {
      expect(batch).toHaveLength(1);
      second.push(...batch);
    }
    expect(second.map((i) => i.name)).toEqual(['Renamed', 'Second']);
    expect((await source.findByBarcode('222'))?.item_code).toBe('B');
    await source.close();
  });

  it('stamps items with the file time, so since returns all or nothing', async () => {
    const path = join(dir, 'items.csv');
    await writeFile(path, csv('item_code,name', 'A,First'));
    const mtime = new Date('2025-02-01T00:00:00.000Z');
    await utimes(path, mtime, mtime);
    const source = createFileErpSource({ path });
    const collect = async (since: Date) => {
      const out: Item[] = [];
      for await (const batch of source.fetchItems({ since })) out.push(...batch);
      return out;
    };
    expect((await collect(new Date('2025-01-31T00:00:00Z')))[0]?.updated_at).toBe(
      mtime.toISOString(),
    );
    expect(await collect(mtime)).toEqual([]);
  });

  it('reads an XLSX file by its extension', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('x').addRows([
      ['item_code', 'name', 'barcode'],
      ['X1', 'From Excel', '999'],
    ]);
    const path = join(dir, 'master.XLSX');
    await writeFile(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const source = createFileErpSource({ path });
    expect((await source.findByBarcode('999'))?.name).toBe('From Excel');
  });

  it('refuses an unknown extension and fails ping when the file is gone', async () => {
    expect(itemMasterFormatOf('a/b.csv')).toBe('csv');
    expect(() => createFileErpSource({ path: join(dir, 'items.json') })).toThrow(
      /\.csv, \.txt or \.xlsx/,
    );
    const source = createFileErpSource({ path: join(dir, 'missing.csv') });
    await expect(source.ping()).rejects.toThrow(/ENOENT/);
    await expect(source.fetchItems()[Symbol.asyncIterator]().next()).rejects.toThrow(/ENOENT/);
  });
});
