import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BarcodeLookup, ErpStatus, ImportResult, Item, SearchHit } from '@stockverify/shared';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import type { ErpSource } from '../../src/ports/erp';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

const DRILL_SET = makeItem('ITM-1001', 'Bosch Drill Bit Set 10pc', {
  barcodes: [
    { code: '4006381333931', kind: 'primary', pack_qty: 1 },
    { code: 'MAN-1001', kind: 'manual', pack_qty: 1 },
    { code: '14006381333938', kind: 'pack', pack_qty: 12 },
  ],
});

const RANKING: Item[] = [
  makeItem('ITM-1', 'Spare Part Kit', {
    barcodes: [{ code: 'DRILL', kind: 'primary', pack_qty: 1 }],
  }),
  makeItem('DRILL', 'Workbench'),
  makeItem('DRILL-STAND', 'Floor Stand'),
  makeItem('ITM-5', 'Drill Press 13mm'),
  makeItem('ITM-6', 'Makita Hammer Drill'),
  makeItem('ITM-7', 'Philips LED Bulb 9W'),
];

let t: TestApp;
let token: string;
beforeEach(async () => {
  t = await startTestApp();
  await t.seedItems([DRILL_SET, ...RANKING]);
  token = (await t.userWithRole('staff')).token;
});
afterEach(async () => {
  await t.close();
});

const lookup = (code: string, tok = token) =>
  t.request<BarcodeLookup>('GET', `/api/items/barcode/${encodeURIComponent(code)}`, { token: tok });

describe('barcode lookup', () => {
  it('finds an item by primary, manual and pack barcode with the pack quantity', async () => {
    const primary = await lookup('4006381333931');
    expect(primary.status).toBe(200);
    expect(primary.body.data).toMatchObject({ barcode_kind: 'primary', pack_qty: 1, gs1: null });
    expect(primary.body.data.item.item_code).toBe('ITM-1001');
    expect(primary.body.data.item.stock).toEqual([{ warehouse: 'WH-MAIN', rack: 'A-01', qty: 10 }]);

    const manual = await lookup('MAN-1001');
    expect(manual.body.data).toMatchObject({ barcode_kind: 'manual', pack_qty: 1 });
    const pack = await lookup('14006381333938');
    expect(pack.body.data).toMatchObject({ barcode_kind: 'pack', pack_qty: 12 });
    expect(pack.body.data.item.item_code).toBe('ITM-1001');
  });

  it('serves a repeated lookup from the cache', async () => {
    expect((await lookup('4006381333931')).body.data.source).toBe('store');
    expect((await lookup('4006381333931')).body.data.source).toBe('cache');
  });

  it('parses GS1 element strings, raw with GS separators and in brackets', async () => {
    const raw = await lookup(']C1010400638133393117271231' + '10LOT42\x1d' + '21SN-77');
    expect(raw.status).toBe(200);
    expect(raw.body.data.item.item_code).toBe('ITM-1001');
    expect(raw.body.data.gs1).toEqual({
      gtin: '04006381333931',
      expiry: '2027-12-31',
      batch: 'LOT42',
      serial: 'SN-77',
    });

    const bracketed = await lookup('(01)04006381333931(10)B7(30)24');
    expect(bracketed.body.data.gs1).toEqual({ gtin: '04006381333931', batch: 'B7', count: 24 });
    expect(bracketed.body.data.item.item_code).toBe('ITM-1001');
  });

  it('404s an unknown code with fuzzy suggestions', async () => {
    const res = await lookup('Bosch Drll Bit');
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('ITEM_NOT_FOUND');
    const suggestions = res.body.error?.suggestions as Item[];
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(5);
    expect(suggestions[0]?.item_code).toBe('ITM-1001');
  });

  it('suggests the item a mistyped or misread barcode was meant to be (issue #14)', async () => {
    // DRILL_SET's EAN-13 is 4006381333931.
    const cases: Array<[string, string]> = [
      ['4006381333932', 'wrong check digit'],
      ['4006381339931', 'one digit off'],
      ['4006381333913', 'two digits swapped'],
      ['400638133393', 'one digit dropped'],
      ['40063813339311', 'one digit doubled'],
      ['4006381393935', 'one body digit off, check digit made to fit'],
      ['MAN-1002', 'manual code one character off'],
    ];
    for (const [code, what] of cases) {
      const res = await lookup(code);
      expect(res.status, what).toBe(404);
      expect(res.body.error?.code, what).toBe('ITEM_NOT_FOUND');
      const suggestions = res.body.error?.suggestions as Item[];
      expect(suggestions.length, what).toBeLessThanOrEqual(5);
      expect(suggestions[0]?.item_code, what).toBe('ITM-1001');
    }
  });

  it('rejects a code that is not printable text with a 400 naming the field', async () => {
    const res = await lookup('abc\u0001def');
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.[0]?.path).toBe('params.code');
  });

  it('needs a signed-in user', async () => {
    expect((await t.request('GET', '/api/items/barcode/4006381333931')).status).toBe(401);
  });

  it('gets one item by code and 404s a missing one', async () => {
    expect((await t.request<Item>('GET', '/api/items/ITM-1001', { token })).body.data.name).toBe(
      'Bosch Drill Bit Set 10pc',
    );
    expect((await t.request('GET', '/api/items/NOPE', { token })).body.error?.code).toBe(
      'ITEM_NOT_FOUND',
    );
  });
});

describe('search ranking', () => {
  it('exact barcode > exact code > code prefix > name prefix > fuzzy', async () => {
    const res = await t.request<{ items: SearchHit[] }>(
      'GET',
      '/api/items/search?q=DRILL&limit=10',
      { token },
    );
    expect(res.status).toBe(200);
    const order = res.body.data.items.map((h) => [h.item.item_code, h.match]);
    expect(order.slice(0, 5)).toEqual([
      ['ITM-1', 'exact_barcode'],
      ['DRILL', 'exact_code'],
      ['DRILL-STAND', 'prefix'],
      ['ITM-5', 'prefix'],
      expect.arrayContaining([expect.stringMatching(/ITM-6|ITM-1001/), 'fuzzy']),
    ]);
    const codes = res.body.data.items.map((h) => h.item.item_code);
    expect(codes).toContain('ITM-6');
    expect(codes).toContain('ITM-1001');
    expect(codes).not.toContain('ITM-7');
  });

  it('finds a misspelled name by fuzzy match', async () => {
    const res = await t.request<{ items: SearchHit[] }>('GET', '/api/items/search?q=hamer%20dril', {
      token,
    });
    expect(res.body.data.items[0]).toMatchObject({ match: 'fuzzy', item: { item_code: 'ITM-6' } });
  });

  it('validates q and limit', async () => {
    const res = await t.request('GET', '/api/items/search?q=&limit=1000', { token });
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.map((d) => d.path).sort()).toEqual(['query.limit', 'query.q']);
  });
});

describe('item export for offline use', () => {
  it('streams NDJSON for a warehouse and pages as JSON with a cursor', async () => {
    await t.seedItems([
      makeItem('NORTH-1', 'North Only Item', {
        stock: [{ warehouse: 'WH-NORTH', rack: null, qty: 3 }],
      }),
    ]);
    const res = await fetch(`${t.baseUrl}/api/items/export?warehouse=WH-MAIN`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Item);
    expect(lines.map((i) => i.item_code).sort()).toEqual(
      [DRILL_SET, ...RANKING].map((i) => i.item_code).sort(),
    );

    const first = await t.request<{ items: Item[]; next_cursor: string | null }>(
      'GET',
      '/api/items/export?format=json&limit=4',
      { token },
    );
    expect(first.body.data.items).toHaveLength(4);
    const rest = await t.request<{ items: Item[]; next_cursor: string | null }>(
      'GET',
      `/api/items/export?format=json&limit=100&cursor=${first.body.data.next_cursor}`,
      { token },
    );
    expect(rest.body.data.next_cursor).toBeNull();
    expect(first.body.data.items.length + rest.body.data.items.length).toBe(8);
  });
});

/** An ERP source that can be switched off, standing in for SQL Server going down. */
function switchableErp(inner: ErpSource) {
  const state = { down: false };
  const guard = () => {
    if (state.down) throw new Error('connect ECONNREFUSED 10.0.0.5:1433');
  };
  const source: ErpSource = {
    kind: inner.kind,
    async *fetchItems(options) {
      guard();
      yield* inner.fetchItems(options);
    },
    async fetchWarehouses() {
      guard();
      return inner.fetchWarehouses();
    },
    async findByBarcode(code) {
      guard();
      return inner.findByBarcode(code);
    },
    async ping() {
      guard();
    },
    close: () => inner.close(),
  };
  return { source, state };
}

describe('ERP mirror', () => {
  it('syncs the demo master; when the ERP goes down mirrored items are still found and status shows the error', async () => {
    await t.close();
    const demo = createDemoErpSource({ itemCount: 300 });
    const erp = switchableErp(demo);
    t = await startTestApp({ erp: erp.source });
    const admin = await t.userWithRole('admin');
    const sync = await t.request<{ items_received: number }>('POST', '/api/erp/sync', {
      token: admin.token,
      body: {},
    });
    expect(sync.status).toBe(200);
    expect(sync.body.data.items_received).toBe(300);

    const some: Item[] = [];
    for await (const batch of demo.fetchItems({ batchSize: 300 })) some.push(...batch);
    const known = some[17]!.barcodes[0]!.code;

    erp.state.down = true;
    const found = await lookup(known, admin.token);
    expect(found.status).toBe(200);
    expect(found.body.data.item.item_code).toBe(some[17]!.item_code);

    const missing = await lookup('0000000000000', admin.token);
    expect(missing.status).toBe(404);

    const status = await t.request<ErpStatus>('GET', '/api/erp/status', { token: admin.token });
    expect(status.body.data).toMatchObject({ source: 'demo', item_count: 300, reachable: false });
    expect(status.body.data.last_error).toContain('ECONNREFUSED');
    expect(status.body.data.last_success_at).not.toBeNull();

    const failedSync = await t.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    expect(failedSync.status).toBe(503);
    expect(failedSync.headers.get('retry-after')).toBeTruthy();
  });

  it('falls back to the ERP for an item not mirrored yet, then mirrors it', async () => {
    const admin = await t.userWithRole('admin');
    const all: Item[] = [];
    for await (const batch of t.erp.fetchItems()) all.push(...batch);
    const item = all[5]!;
    expect(await t.store.items.get(item.item_code)).toBeNull();
    const res = await lookup(item.barcodes[0]!.code, admin.token);
    expect(res.body.data.source).toBe('erp');
    expect(await t.store.items.get(item.item_code)).not.toBeNull();
  });
});

describe('item master import', () => {
  const rows: Array<Array<string | number>> = [
    [
      'item_code',
      'name',
      'category',
      'uom',
      'price',
      'cost',
      'barcode',
      'pack_barcode',
      'pack_qty',
      'warehouse',
      'rack',
      'stock_qty',
    ],
    [
      'IMP-1',
      'Stanley Tape Measure 5m',
      'Tools',
      'PCS',
      12.5,
      8,
      '5012345678900',
      '15012345678907',
      10,
      'WH-MAIN',
      'B-02',
      40,
    ],
    ['IMP-2', '', 'Tools', 'PCS', 3, 2, '5012345678917', '', '', 'WH-MAIN', 'B-02', 5],
    [
      'IMP-3',
      'Garden Hose 20m',
      'Garden',
      'PCS',
      -4,
      2,
      '5012345678924',
      '',
      '',
      'WH-MAIN',
      'B-03',
      7,
    ],
    [
      'IMP-4',
      'Rope, Nylon 10m',
      'Hardware',
      'M',
      1.25,
      0.8,
      '5012345678931',
      '',
      '',
      'WH-NORTH',
      'C-01',
      12.5,
    ],
  ];
  const csvCell = (v: string | number) =>
    typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);
  const csv = rows.map((r) => r.map(csvCell).join(',')).join('\r\n');

  it('imports a CSV: good rows kept, bad rows reported with row and field, nothing else touched', async () => {
    const admin = await t.userWithRole('admin');
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'items.csv');
    const res = await t.request<ImportResult>('POST', '/api/erp/import', {
      token: admin.token,
      rawBody: form,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ format: 'csv', rows: 4, accepted: 2, rejected: 2 });
    expect(res.body.data.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'name'],
      [4, 'price'],
    ]);
    const pack = await lookup('15012345678907', admin.token);
    expect(pack.body.data).toMatchObject({
      barcode_kind: 'pack',
      pack_qty: 10,
      item: { item_code: 'IMP-1' },
    });
    expect((await lookup('5012345678931', admin.token)).body.data.item.stock).toEqual([
      { warehouse: 'WH-NORTH', rack: 'C-01', qty: 12.5 },
    ]);
    expect(await t.store.items.get('IMP-2')).toBeNull();
    expect(await t.store.items.get('IMP-3')).toBeNull();
    const audit = await t.store.audit.list({ page: 1, page_size: 5, action: 'erp.import' });
    expect(audit.items[0]?.summary).toMatchObject({ accepted: 2, rejected: 2 });
  });

  it('imports an XLSX the same way', async () => {
    const admin = await t.userWithRole('admin');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Items');
    for (const row of rows) ws.addRow(row.map((v) => (v === '' ? null : v)));
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    const form = new FormData();
    form.append('file', new Blob([buffer]), 'items.xlsx');
    const res = await t.request<ImportResult>('POST', '/api/erp/import', {
      token: admin.token,
      rawBody: form,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ format: 'xlsx', accepted: 2, rejected: 2 });
    expect(res.body.data.errors.map((e) => e.row)).toEqual([3, 4]);
    expect((await lookup('5012345678900', admin.token)).body.data.item.name).toBe(
      'Stanley Tape Measure 5m',
    );
  });

  it('refuses a missing file, an unreadable file, and a non-admin, changing nothing', async () => {
    const admin = await t.userWithRole('admin');
    const supervisor = await t.userWithRole('supervisor');
    const before = await t.store.items.count();
    const none = await t.request('POST', '/api/erp/import', {
      token: admin.token,
      rawBody: new FormData(),
    });
    expect(none.status).toBe(400);
    expect(none.body.error?.details?.[0]?.path).toBe('file');
    const form = new FormData();
    form.append('file', new Blob(['just,some\nrandom,text']), 'junk.csv');
    const junk = await t.request('POST', '/api/erp/import', { token: admin.token, rawBody: form });
    expect(junk.status).toBe(400);
    expect(junk.body.error?.message).toBeTruthy();
    const form2 = new FormData();
    form2.append('file', new Blob([csv]), 'items.csv');
    expect(
      (await t.request('POST', '/api/erp/import', { token: supervisor.token, rawBody: form2 }))
        .status,
    ).toBe(403);
    expect(await t.store.items.count()).toBe(before);
  });
});
