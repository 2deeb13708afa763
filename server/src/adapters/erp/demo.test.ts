import { describe, expect, it } from 'vitest';
import {
  gs1CheckDigitValid,
  itemSchema,
  uomAllowsDecimal,
  warehouseSchema,
  type Item,
} from '@stockverify/shared';
import {
  DEFAULT_DEMO_ITEM_COUNT,
  DEMO_EPOCH,
  DEMO_WAREHOUSES,
  createDemoErpSource,
  generateDemoItems,
  gs1CheckDigit,
} from './demo';

// One default dataset shared by the read-only checks below (generation is the slow part).
const items = createDemoErpSource().items();
const share = (test: (item: Item) => boolean) => items.filter(test).length / items.length;

describe('demo dataset', () => {
  it('has the default 6,000 items, all valid against the shared schema', () => {
    expect(DEFAULT_DEMO_ITEM_COUNT).toBeGreaterThanOrEqual(5000);
    expect(items).toHaveLength(DEFAULT_DEMO_ITEM_COUNT);
    for (const item of items) itemSchema.parse(item);
    expect(new Set(items.map((i) => i.item_code)).size).toBe(items.length);
  });

  it('is deterministic: same seed, same items; another seed, other items', () => {
    const a = generateDemoItems({ itemCount: 1500, seed: 42 });
    const b = generateDemoItems({ itemCount: 1500, seed: 42 });
    const c = generateDemoItems({ itemCount: 1500, seed: 43 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    // Default options are seed 1 with the fixed epoch: the shared dataset is reproducible too.
    expect(generateDemoItems({ itemCount: 50 })).toEqual(items.slice(0, 50));
  });

  it('dates updated_at from the fixed epoch, or from now() when given', () => {
    const times = items.map((i) => Date.parse(i.updated_at));
    expect(Math.max(...times)).toBeLessThanOrEqual(DEMO_EPOCH.getTime());
    expect(Math.min(...times)).toBeGreaterThan(DEMO_EPOCH.getTime() - 181 * 86_400_000);
    const later = new Date('2030-06-01T00:00:00Z');
    const shifted = generateDemoItems({ itemCount: 10, now: () => later });
    const base = generateDemoItems({ itemCount: 10 });
    const delta = later.getTime() - DEMO_EPOCH.getTime();
    shifted.forEach((item, i) => {
      expect(Date.parse(item.updated_at) - Date.parse(base[i]!.updated_at)).toBe(delta);
    });
  });

  it('uses every barcode once across items and rack labels', () => {
    const codes = items.flatMap((i) => i.barcodes.map((b) => b.code));
    const labels = DEMO_WAREHOUSES.flatMap((w) => w.racks.map((r) => r.location_barcode!));
    expect(new Set([...codes, ...labels]).size).toBe(codes.length + labels.length);
  });

  it('gives numeric barcodes correct GS1 check digits (EAN-13 and ITF-14)', () => {
    const numeric = items.flatMap((i) => i.barcodes).filter((b) => /^\d+$/.test(b.code));
    expect(numeric.length).toBeGreaterThan(items.length * 0.8);
    // One assertion over the list: a failure names the bad codes instead of stopping at one.
    const bad = numeric.filter(
      (b) => ![13, 14].includes(b.code.length) || !gs1CheckDigitValid(b.code),
    );
    expect(bad).toEqual([]);
    expect(gs1CheckDigit('400638133393')).toBe('1');
  });

  it('mixes barcode kinds, packs, serials, batches and decimal units realistically', () => {
    const primaries = items.map((i) => i.barcodes.filter((b) => b.kind === 'primary'));
    expect(primaries.every((p) => p.length === 1)).toBe(true);
    const ean = share((i) => /^\d{13}$/.test(i.barcodes[0]!.code));
    expect(ean).toBeGreaterThan(0.85);
    expect(ean).toBeLessThan(0.97); // the rest are Code128-style alphanumeric codes
    const packs = share((i) => i.barcodes.some((b) => b.kind === 'pack'));
    expect(packs).toBeGreaterThan(0.06);
    expect(packs).toBeLessThan(0.14);
    const packQtys = new Set(
      items.flatMap((i) => i.barcodes.filter((b) => b.kind === 'pack').map((b) => b.pack_qty)),
    );
    for (const qty of [6, 12, 24]) expect(packQtys.has(qty)).toBe(true);
    expect(share((i) => i.barcodes.some((b) => b.kind === 'manual'))).toBeGreaterThan(0.05);
    const serialized = share((i) => i.serialized);
    expect(serialized).toBeGreaterThan(0.015);
    expect(serialized).toBeLessThan(0.06);
    expect(share((i) => i.batch_tracked)).toBeGreaterThan(0.05);
    expect(share((i) => i.decimal_qty)).toBeGreaterThan(0.05);
    expect(share((i) => !i.active)).toBeLessThan(0.03);
  });

  it('keeps units, prices and quantities consistent', () => {
    const inconsistent = items.filter(
      (item) =>
        item.decimal_qty !== uomAllowsDecimal(item.uom) ||
        !(item.price > item.cost) ||
        !(item.cost > 0) ||
        item.stock.length === 0 ||
        item.stock.some((s) => s.qty < 0 || (!item.decimal_qty && !Number.isInteger(s.qty))),
    );
    expect(inconsistent).toEqual([]);
    const uoms = new Set(items.map((i) => i.uom));
    for (const uom of ['PCS', 'BOX', 'KG', 'L', 'M']) expect(uoms.has(uom)).toBe(true);
    expect(share((i) => i.uom === 'PCS' || i.uom === 'BOX')).toBeGreaterThan(0.75);
  });

  it('builds names from brand, product, variant and size, mostly distinct', () => {
    const first = items[0]!;
    expect(first.name.startsWith(`${first.brand} `)).toBe(true);
    expect(new Set(items.map((i) => i.name)).size).toBe(items.length);
    expect(
      items.some((i) =>
        /^Philips LED Bulb (Warm White|Cool Daylight|Neutral White) \d+W/.test(i.name),
      ),
    ).toBe(true);
  });

  it('stocks items only on racks that exist in the demo warehouses', async () => {
    const source = createDemoErpSource({ itemCount: 100 });
    const warehouses = await source.fetchWarehouses();
    expect(warehouses.map((w) => warehouseSchema.parse(w).id)).toEqual(['WH-MAIN', 'WH-NORTH']);
    const main = warehouses[0]!;
    expect(main.name).toBe('Main Warehouse');
    expect(main.floors.map((f) => f.code)).toEqual(['GF', 'F1', 'F2']);
    expect(main.racks[0]).toEqual({
      code: 'A-01',
      floor: 'GF',
      location_barcode: 'LOC-WH-MAIN-A-01',
    });
    const racks = new Map(warehouses.map((w) => [w.id, new Set(w.racks.map((r) => r.code))]));
    const misplaced = items
      .flatMap((item) => item.stock)
      .filter((s) => !racks.get(s.warehouse)?.has(s.rack ?? ''));
    expect(misplaced).toEqual([]);
    // Callers get their own copy: changing it does not change the source.
    warehouses[0]!.racks.length = 0;
    expect((await source.fetchWarehouses())[0]!.racks).toHaveLength(120);
  });

  it('builds bigger demo warehouses with racksPerAisle, stocking items across all their racks', async () => {
    // 167 racks per aisle: WH-MAIN's 6 aisles hold 1,002 racks (a 1,000-rack stocktake, issue #13).
    const source = createDemoErpSource({ itemCount: 20_000, racksPerAisle: 167 });
    const [main, north] = await source.fetchWarehouses();
    expect(main!.racks).toHaveLength(1002);
    expect(north!.racks).toHaveLength(501);
    expect(main!.racks[0]).toEqual({
      code: 'A-001',
      floor: 'GF',
      location_barcode: 'LOC-WH-MAIN-A-001',
    });
    expect(main!.racks.at(-1)!.code).toBe('F-167');
    const codes = new Set(main!.racks.map((r) => r.code));
    const stocked = new Set<string>();
    for (const item of source.items())
      for (const s of item.stock) {
        if (s.warehouse !== 'WH-MAIN') continue;
        expect(codes.has(s.rack!)).toBe(true);
        stocked.add(s.rack!);
      }
    expect(stocked.size).toBeGreaterThan(990);
    // The default layout and dataset are unchanged.
    expect(createDemoErpSource({ itemCount: 50, racksPerAisle: 20 }).items()).toEqual(
      items.slice(0, 50),
    );
    expect(() => createDemoErpSource({ racksPerAisle: 0 })).toThrow(RangeError);
    expect(() => createDemoErpSource({ racksPerAisle: 1000 })).toThrow(RangeError);
  });

  it('rejects impossible item counts', () => {
    expect(() => generateDemoItems({ itemCount: -1 })).toThrow(RangeError);
    expect(() => generateDemoItems({ itemCount: 2.5 })).toThrow(RangeError);
    expect(() => generateDemoItems({ itemCount: 2_000_000 })).toThrow(RangeError);
  });

  it('generates 100,000 items whose first items equal the smaller dataset', () => {
    const started = performance.now();
    const large = generateDemoItems({ itemCount: 100_000 });
    const ms = performance.now() - started;
    console.log(`demo ErpSource: generated ${large.length} items in ${ms.toFixed(0)} ms`);
    expect(large).toHaveLength(100_000);
    expect(large.slice(0, items.length)).toEqual(items);
    const codes = new Set<string>();
    let count = 0;
    for (const item of large) {
      for (const b of item.barcodes) {
        codes.add(b.code);
        count++;
      }
    }
    expect(codes.size).toBe(count);
  });
});

describe('demo ErpSource', () => {
  const source = createDemoErpSource();

  it('streams items in batches and filters on updated_at', async () => {
    const batches: Item[][] = [];
    for await (const batch of source.fetchItems({ batchSize: 2500 })) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([2500, 2500, 1000]);
    const since = new Date(DEMO_EPOCH.getTime() - 30 * 86_400_000);
    const recent: Item[] = [];
    for await (const batch of source.fetchItems({ since })) recent.push(...batch);
    const expected = items.filter((i) => Date.parse(i.updated_at) > since.getTime());
    expect(recent.map((i) => i.item_code)).toEqual(expected.map((i) => i.item_code));
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(items.length);
  });

  it('offers a known code of every kind, each found by findByBarcode', async () => {
    const samples = source.samples();
    expect(samples.ean13.code).toMatch(/^\d{13}$/);
    expect(samples.code128.code).toMatch(/^[A-Z]{3}-[A-Z0-9]{1,3}-\d{6}$/);
    expect(samples.manual.code).toMatch(/^M\d{7}$/);
    expect([6, 12, 24, 48, 96]).toContain(samples.pack.pack_qty);
    for (const sample of [
      samples.ean13,
      samples.code128,
      samples.manual,
      samples.pack,
      samples.serialized,
      samples.batchTracked,
      samples.decimal,
    ]) {
      const item = await source.findByBarcode(sample.code);
      expect(item?.item_code).toBe(sample.item_code);
    }
    expect((await source.findByBarcode(samples.serialized.code))?.serialized).toBe(true);
    expect((await source.findByBarcode(samples.batchTracked.code))?.batch_tracked).toBe(true);
    expect((await source.findByBarcode(samples.decimal.code))?.decimal_qty).toBe(true);
    const packItem = await source.findByBarcode(samples.pack.code);
    expect(packItem?.barcodes).toContainEqual({
      code: samples.pack.code,
      kind: 'pack',
      pack_qty: samples.pack.pack_qty,
    });
  });

  it('answers null for an unknown code and pings', async () => {
    expect(await source.findByBarcode('0000000000000')).toBeNull();
    expect(await source.findByBarcode('LOC-WH-MAIN-A-01')).toBeNull();
    await expect(source.ping()).resolves.toBeUndefined();
    await expect(source.close()).resolves.toBeUndefined();
  });
});
