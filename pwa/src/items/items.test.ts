import { describe, expect, it } from 'vitest';
import type { BarcodeLookup, ItemView } from '@stockverify/shared';
import { freshItemDb } from '../../test/support/fake-db';
import { classifyScan } from '../scan/classify';
import type { ScanInput } from '../scan/classify';
import { refreshCatalog, storeBookQuantities } from './item-cache';
import type { ExportFetcher } from './item-cache';
import { bookQuantity, lookupItem } from './lookup';

/** A scan the test knows is an item code. */
function scan(raw: string): Extract<ScanInput, { kind: 'item' }> {
  const input = classifyScan(raw);
  if (input.kind !== 'item') throw new Error(`${raw} read as a rack label`);
  return input;
}

function item(code: string, barcodes: Array<[string, 'primary' | 'manual' | 'pack', number]>) {
  return {
    item_code: code,
    name: `Item ${code}`,
    category: 'Tools',
    brand: null,
    supplier: null,
    uom: 'pcs',
    decimal_qty: false,
    price: 10,
    cost: 6,
    serialized: false,
    batch_tracked: false,
    barcodes: barcodes.map(([c, kind, pack_qty]) => ({ code: c, kind, pack_qty })),
    active: true,
    updated_at: '2026-11-29T00:00:00.000Z',
    stock: [{ warehouse: 'WH-MAIN', rack: null, qty: 12 }],
  } as ItemView;
}

/** An export endpoint that streams NDJSON in chunks that split lines across reads. */
function exportServer(pages: Record<string, ItemView[]>) {
  const calls: Array<{ since: string | null }> = [];
  const fetcher: ExportFetcher = async ({ since }) => {
    calls.push({ since });
    const items = pages[since ?? 'full'] ?? [];
    const text = items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 997) controller.enqueue(bytes.slice(i, i + 997));
        controller.close();
      },
    });
    const generatedAt = since === null ? 'T1' : 'T2';
    return new Response(body, { headers: { 'X-Generated-At': generatedAt } });
  };
  return { fetcher, calls };
}

describe('offline item cache', () => {
  it('downloads in full, then only changes since the last generated_at', async () => {
    const db = freshItemDb();
    const many = Array.from({ length: 4500 }, (_, i) => item(`I${i}`, [[`200${i}`, 'primary', 1]]));
    const server = exportServer({ full: many, T1: [item('I1', [['NEW-1', 'primary', 1]])] });
    const progress: number[] = [];
    const first = await refreshCatalog(db, server.fetcher, 'WH-MAIN', {
      onProgress: (n) => progress.push(n),
    });
    expect(first).toMatchObject({ written: 4500, incremental: false, generatedAt: 'T1' });
    expect(progress).toEqual([2000, 4000, 4500]);
    const second = await refreshCatalog(db, server.fetcher, 'WH-MAIN');
    expect(second).toMatchObject({ written: 1, incremental: true });
    expect(server.calls).toEqual([{ since: null }, { since: 'T1' }]);
    expect(await db.catalogs.get('WH-MAIN')).toMatchObject({ since: 'T2', item_count: 4500 });
    const found = await lookupItem(db, scan('NEW-1'), null);
    expect(found).toMatchObject({ kind: 'found', item: { item_code: 'I1' } });
    // Live ERP stock never reaches the phone's cache.
    expect((await db.items.get('I2'))?.item).not.toHaveProperty('stock');
  });

  it('refuses an export that failed, keeping what was cached', async () => {
    const db = freshItemDb();
    await expect(
      refreshCatalog(db, async () => new Response('nope', { status: 503 }), 'WH-MAIN'),
    ).rejects.toThrow(/HTTP 503/);
    expect(await db.catalogs.count()).toBe(0);
  });
});

describe('lookupItem', () => {
  async function seeded() {
    const db = freshItemDb();
    const server = exportServer({
      full: [
        item('HAM-1', [
          ['4006381333931', 'primary', 1],
          ['14006381333938', 'pack', 12],
          ['HAM1', 'manual', 1],
        ]),
      ],
    });
    await refreshCatalog(db, server.fetcher, 'WH-MAIN');
    return db;
  }

  it('finds primary, pack and manual barcodes and the item code offline', async () => {
    const db = await seeded();
    expect(await lookupItem(db, scan('4006381333931'), null)).toMatchObject({
      kind: 'found',
      barcodeKind: 'primary',
      packQty: 1,
      source: 'offline',
    });
    expect(await lookupItem(db, scan('14006381333938'), null)).toMatchObject({
      barcodeKind: 'pack',
      packQty: 12,
    });
    expect(await lookupItem(db, scan('HAM1'), null)).toMatchObject({ barcodeKind: 'manual' });
    expect(await lookupItem(db, scan('HAM-1'), null)).toMatchObject({
      barcodeKind: 'item_code',
    });
  });

  it('finds a GS1 string by its GTIN and keeps batch and expiry', async () => {
    const db = await seeded();
    const result = await lookupItem(db, scan('0104006381333931\u001d10B7\u001d17280131'), null);
    expect(result).toMatchObject({
      kind: 'found',
      item: { item_code: 'HAM-1' },
      matched: '4006381333931',
      gs1: { batch: 'B7', expiry: '2028-01-31' },
    });
  });

  it('asks the server for codes the cache lacks, and calls unknown what neither knows', async () => {
    const db = await seeded();
    const answer = {
      item: item('SAW-2', [['5012345678900', 'primary', 1]]),
      matched_barcode: '5012345678900',
      barcode_kind: 'primary',
      pack_qty: 1,
      gs1: null,
      source: 'store',
    } satisfies BarcodeLookup;
    const remote = async (code: string) => (code === '5012345678900' ? answer : null);
    expect(await lookupItem(db, scan('5012345678900'), remote)).toMatchObject({
      kind: 'found',
      source: 'server',
      item: { item_code: 'SAW-2' },
    });
    expect(await lookupItem(db, scan('999'), remote)).toEqual({
      kind: 'unknown',
      code: '999',
      gs1: null,
      checkedServer: true,
    });
    const offline = async () => {
      throw new Error('offline');
    };
    expect(await lookupItem(db, scan('999'), offline)).toMatchObject({
      kind: 'unknown',
      checkedServer: false,
    });
  });

  it('keeps book quantities per session', async () => {
    const db = freshItemDb();
    await storeBookQuantities(db, 'S1', [{ item_code: 'HAM-1', book_qty: 10 }]);
    await storeBookQuantities(db, 'S2', [{ item_code: 'HAM-1', book_qty: 3 }]);
    await storeBookQuantities(db, 'S1', [{ item_code: 'SAW-2', book_qty: 1 }]);
    expect(await bookQuantity(db, 'S1', 'HAM-1')).toBeNull();
    expect(await bookQuantity(db, 'S1', 'SAW-2')).toBe(1);
    expect(await bookQuantity(db, 'S2', 'HAM-1')).toBe(3);
  });
});
