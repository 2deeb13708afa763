/**
 * Movement store contract (issue #17): movements kept once by watermark (entry numbers and
 * rowversions in ledger order), the pull state moving forward only, queries by warehouse, item,
 * rack, time range and watermark, and a session keeping its ERP watermark. SQLite always; MongoDB
 * when MONGODB_URI points at a server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErpMovement } from '@stockverify/shared';
import { at, makeSession } from '../support/counting-records';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';
import type { Store } from '../../src/ports/store';

const adapters = storeAdapters('movements');

function movement(n: number, overrides: Partial<ErpMovement> = {}): ErpMovement {
  return {
    item_code: n % 2 ? 'IT1' : 'IT2',
    warehouse: n % 3 === 0 ? 'WH2' : 'WH1',
    rack: n % 5 === 0 ? null : 'A-01',
    quantity: n % 4 === 0 ? 12.125 : -n,
    posted_at: at(n),
    doc_type: 'SHIPMENT',
    doc_no: `SO-${n}`,
    watermark: String(n),
    ...overrides,
  };
}

describe.each(adapters)('movement store contract: $name', (adapter) => {
  let f: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    f = await adapter.open();
    store = f.store;
  });
  afterEach(async () => {
    await f.dispose();
  });

  it('starts with no movements and no pull', async () => {
    expect(await store.movements.state()).toEqual({
      watermark: null,
      last_pull_at: null,
      newest_posted_at: null,
      count: 0,
    });
    expect(await store.movements.since(null, 10)).toEqual([]);
  });

  it('stores each movement once and moves the pull state on with the page', async () => {
    const page = [1, 2, 3, 4, 5].map((n) => movement(n));
    expect(await store.movements.record(page, { watermark: '5', pulled_at: at(20) })).toEqual({
      inserted: 5,
      duplicates: 0,
    });
    // The same page again (a pull that crashed before its state was kept) adds nothing.
    expect(
      await store.movements.record([...page.slice(3), movement(6)], {
        watermark: '6',
        pulled_at: at(21),
      }),
    ).toEqual({ inserted: 1, duplicates: 2 });
    expect(await store.movements.state()).toEqual({
      watermark: '6',
      last_pull_at: at(21),
      newest_posted_at: at(6),
      count: 6,
    });
    expect(await store.movements.since(null, 100)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => movement(n)),
    );
    // The watermark never moves back; an empty pull only notes its time.
    await store.movements.record([], { watermark: '2', pulled_at: at(22) });
    await store.movements.touch(at(23));
    expect(await store.movements.state()).toMatchObject({ watermark: '6', last_pull_at: at(23) });
  });

  it('orders by ledger value, not by text: 10 after 9, rowversions by their bytes', async () => {
    await store.movements.record([movement(10), movement(9), movement(100)], {
      watermark: '100',
      pulled_at: at(30),
    });
    expect((await store.movements.since(null, 10)).map((m) => m.watermark)).toEqual([
      '9',
      '10',
      '100',
    ]);
    expect((await store.movements.since('9', 1)).map((m) => m.watermark)).toEqual(['10']);
    expect(await store.movements.state()).toMatchObject({ watermark: '100', count: 3 });
  });

  it('keeps rowversion watermarks apart by value and in order', async () => {
    const rv = (hex: string, n: number) => movement(n, { watermark: hex });
    await store.movements.record([rv('0x00000000000000ff', 1), rv('0x0000000000000100', 2)], {
      watermark: '0x0000000000000100',
      pulled_at: at(1),
    });
    expect((await store.movements.since('0x00000000000000ff', 10)).map((m) => m.doc_no)).toEqual([
      'SO-2',
    ]);
  });

  it('finds movements by warehouse, item, rack, time range and watermark range', async () => {
    const all = Array.from({ length: 30 }, (_, i) => movement(i + 1));
    await store.movements.record(all, { watermark: '30', pulled_at: at(40) });
    const wh1 = all.filter((m) => m.warehouse === 'WH1');
    expect(await store.movements.list({ warehouse: 'WH1', limit: 100 })).toEqual(wh1);
    expect(await store.movements.list({ warehouse: 'WH1', item_code: 'IT1', limit: 100 })).toEqual(
      wh1.filter((m) => m.item_code === 'IT1'),
    );
    expect(await store.movements.list({ warehouse: 'WH1', rack: null, limit: 100 })).toEqual(
      wh1.filter((m) => m.rack === null),
    );
    expect(
      await store.movements.list({
        warehouse: 'WH1',
        item_code: 'IT2',
        posted_from: at(4),
        posted_to: at(14),
        limit: 100,
      }),
    ).toEqual(
      wh1.filter((m) => m.item_code === 'IT2' && m.posted_at >= at(4) && m.posted_at < at(14)),
    );
    expect(
      await store.movements.list({ warehouse: 'WH1', after: '7', up_to: '16', limit: 3 }),
    ).toEqual(wh1.filter((m) => Number(m.watermark) > 7 && Number(m.watermark) <= 16).slice(0, 3));
    await expect(store.movements.list({ warehouse: 'WH1', limit: 0 })).rejects.toThrow(RangeError);
  });

  it('keeps a session’s ERP watermark; sessions without one read back null', async () => {
    await store.sessions.create(makeSession('s-wm', { erp_watermark: '0x00000000000007d1' }), []);
    await store.sessions.create(makeSession('s-none'), []);
    expect((await store.sessions.get('s-wm'))?.erp_watermark).toBe('0x00000000000007d1');
    expect((await store.sessions.get('s-none'))?.erp_watermark).toBeNull();
    const listed = await store.sessions.list({ page: 1, page_size: 10, sort: 'created_at' });
    expect(listed.items.find((s) => s.id === 's-wm')?.erp_watermark).toBe('0x00000000000007d1');
  });

  it('keeps the watermark read after the snapshot’s stock (erp_watermark_high); null without', async () => {
    await store.sessions.create(
      makeSession('s-hi', { erp_watermark: '1000', erp_watermark_high: '1003' }),
      [],
    );
    await store.sessions.create(makeSession('s-lo', { erp_watermark: '1000' }), []);
    expect(await store.sessions.get('s-hi')).toMatchObject({
      erp_watermark: '1000',
      erp_watermark_high: '1003',
    });
    expect((await store.sessions.get('s-lo'))?.erp_watermark_high).toBeNull();
    const listed = await store.sessions.list({ page: 1, page_size: 10, sort: 'created_at' });
    expect(listed.items.find((s) => s.id === 's-hi')?.erp_watermark_high).toBe('1003');
  });
});
