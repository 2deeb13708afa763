/**
 * ErpSource contract (style "Server"): every adapter that can run here must
 * behave alike. demo and file always run; mssql joins when MSSQL_URL points at a SQL Server
 * holding the StockVerifyItems view (MSSQL_COLUMN_MAP / MSSQL_ITEM_QUERY / MSSQL_WAREHOUSE_QUERY
 * as in production config).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema, warehouseSchema, type Item, type ItemBarcode } from '@stockverify/shared';
import type { ErpSource } from '../../src/ports/erp';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createFileErpSource } from '../../src/adapters/erp/file';
import { createMssqlErpSource, parseMssqlColumnMap } from '../../src/adapters/erp/mssql';

interface AdapterCase {
  name: string;
  create: () => Promise<{ source: ErpSource; cleanup?: () => Promise<void> }>;
}

const SAMPLE_CSV = [
  'item_code,name,category,brand,uom,price,cost,barcode,manual_barcode,pack_barcode,pack_qty,serialized,warehouse,floor,rack,location_barcode,stock_qty',
  'IT1001,Philips LED Bulb 9W Warm White,Lighting,Philips,PCS,3.20,2.10,8710103123453,,18710103123450|28710103123457,12|48,no,WH-MAIN,GF,A-01,LOC-WH-MAIN-A-01,120',
  'IT1001,Philips LED Bulb 9W Warm White,,,,,,,,,,,WH-NORTH,GF,B-04,LOC-WH-NORTH-B-04,35',
  'IT1002,"Bosch Drill Bit Set 10pc, HSS",Tool Accessories,Bosch,PCS,8.50,5.90,4006381333931,M1002,14006381333938,6,no,WH-MAIN,GF,A-02,LOC-WH-MAIN-A-02,40',
  'IT1003,Polycab Copper Wire Red 1.5 sqmm,Electrical,Polycab,M,0.35,0.22,8901234567012,,,,no,WH-MAIN,F1,C-07,LOC-WH-MAIN-C-07,1250.5',
  'IT1004,"Bosch Impact Drill 13mm ""Pro""",Power Tools,Bosch,PCS,89.00,61.00,BSH-IDR-0001,,,,yes,WH-MAIN,F1,C-01,LOC-WH-MAIN-C-01,4',
  ...Array.from({ length: 16 }, (_, i) => {
    const n = 2000 + i;
    return `IT${n},Stanley Claw Hammer ${450 + i}g,Hand Tools,Stanley,PCS,9.00,6.00,SV-${n},,,,no,WH-NORTH,GF,B-${String(i + 1).padStart(2, '0')},,${i}`;
  }),
].join('\r\n');

const adapters: AdapterCase[] = [
  {
    name: 'demo',
    create: async () => ({ source: createDemoErpSource({ itemCount: 600 }) }),
  },
  {
    name: 'file',
    create: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sv-erp-contract-'));
      const path = join(dir, 'items.csv');
      await writeFile(path, SAMPLE_CSV);
      return {
        source: createFileErpSource({ path }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
];

const mssqlUrl = process.env.MSSQL_URL;
if (mssqlUrl) {
  adapters.push({
    name: 'mssql',
    create: async () => ({
      source: createMssqlErpSource({
        url: mssqlUrl,
        view: process.env.MSSQL_VIEW,
        itemQuery: process.env.MSSQL_ITEM_QUERY,
        stockQuery: process.env.MSSQL_QTY_QUERY,
        barcodeQuery: process.env.MSSQL_BARCODE_QUERY,
        warehouseQuery: process.env.MSSQL_WAREHOUSE_QUERY,
        columns: process.env.MSSQL_COLUMN_MAP
          ? parseMssqlColumnMap(process.env.MSSQL_COLUMN_MAP)
          : undefined,
      }),
    }),
  });
}

async function collect(source: ErpSource, options?: Parameters<ErpSource['fetchItems']>[0]) {
  const batches: Item[][] = [];
  for await (const batch of source.fetchItems(options)) batches.push(batch);
  return batches;
}

describe.each(adapters)('ErpSource contract: $name', ({ create }) => {
  let source: ErpSource;
  let cleanup: (() => Promise<void>) | undefined;
  let all: Item[];

  beforeAll(async () => {
    ({ source, cleanup } = await create());
    all = (await collect(source)).flat();
  });

  afterAll(async () => {
    await source?.close();
    await cleanup?.();
  });

  it('yields items that satisfy the shared item schema, each code once', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const item of all) itemSchema.parse(item);
    expect(new Set(all.map((i) => i.item_code)).size).toBe(all.length);
  });

  it('respects batchSize: full batches, then the rest', async () => {
    const batches = await collect(source, { batchSize: 7 });
    expect(batches.length).toBe(Math.ceil(all.length / 7));
    batches.slice(0, -1).forEach((b) => expect(b).toHaveLength(7));
    expect(batches.at(-1)!.length).toBeGreaterThan(0);
    expect(batches.flat().map((i) => i.item_code)).toEqual(all.map((i) => i.item_code));
  });

  it('rejects a batch size that could never make progress', async () => {
    await expect(collect(source, { batchSize: 0 })).rejects.toThrow(RangeError);
  });

  it('filters on since: everything after the distant past, nothing after the far future', async () => {
    expect(
      (await collect(source, { since: new Date('1990-01-01T00:00:00Z') })).flat(),
    ).toHaveLength(all.length);
    expect((await collect(source, { since: new Date('2999-01-01T00:00:00Z') })).flat()).toEqual([]);
  });

  it('lists valid warehouses holding every rack the items are stocked on', async () => {
    const warehouses = await source.fetchWarehouses();
    expect(warehouses.length).toBeGreaterThan(0);
    for (const w of warehouses) warehouseSchema.parse(w);
    const racks = new Map(warehouses.map((w) => [w.id, new Set(w.racks.map((r) => r.code))]));
    const missing = all
      .flatMap((item) => item.stock)
      .filter(
        (s) => !racks.has(s.warehouse) || (s.rack !== null && !racks.get(s.warehouse)!.has(s.rack)),
      );
    expect(missing).toEqual([]);
  });

  it('finds items by a known primary and a known pack barcode', async () => {
    const withKind = (kind: ItemBarcode['kind']) => {
      for (const item of all) {
        const barcode = item.barcodes.find((b) => b.kind === kind);
        if (barcode) return { item, barcode };
      }
      throw new Error(`no ${kind} barcode in this source's data`);
    };
    for (const kind of ['primary', 'pack'] as const) {
      const known = withKind(kind);
      const found = await source.findByBarcode(known.barcode.code);
      expect(found?.item_code).toBe(known.item.item_code);
      expect(found?.barcodes).toContainEqual(known.barcode);
    }
  });

  it('answers null for a barcode nobody has', async () => {
    expect(await source.findByBarcode('SV-CONTRACT-NO-SUCH-CODE-0001')).toBeNull();
  });

  it('pings', async () => {
    await expect(source.ping()).resolves.toBeUndefined();
  });
});

// The quantities pass (ERP schedule) where a source reads stock alone: today only SQL Server, so
// this joins when MSSQL_URL is set.
const stockReaders = adapters.filter((a) => a.name === 'mssql');
if (stockReaders.length > 0) {
  describe.each(stockReaders)('ErpSource fetchStock contract: $name', ({ create }) => {
    it('gives every item the same stock rows as its full read, and nothing after the far future', async () => {
      const { source, cleanup } = await create();
      try {
        const items = (await collect(source)).flat();
        const stock = new Map<string, unknown[]>();
        for await (const batch of source.fetchStock!()) {
          for (const update of batch) stock.set(update.item_code, update.stock);
        }
        const key = (r: { warehouse: string; rack: string | null; qty: number }) =>
          `${r.warehouse}/${r.rack ?? ''}/${r.qty}`;
        for (const item of items) {
          expect(
            (stock.get(item.item_code) as typeof item.stock | undefined)?.map(key).sort(),
          ).toEqual(item.stock.map(key).sort());
        }
        const none = [];
        for await (const batch of source.fetchStock!({ since: new Date('2999-01-01T00:00:00Z') }))
          none.push(...batch);
        expect(none).toEqual([]);
      } finally {
        await source.close();
        await cleanup?.();
      }
    });
  });
}
