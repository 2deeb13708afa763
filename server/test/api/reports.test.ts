/**
 * Reports (issue #6) over a hand-computed dataset (support/reports-fixture.ts): every report type
 * in JSON, CSV (parsed back) and XLSX (read back with exceljs), filters, formula injection, RBAC,
 * sheet splitting, and agreement with the session detail and analytics endpoints.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPORT_COLUMNS,
  type ReportPage,
  type ReportType,
  type VarianceRow,
} from '@stockverify/shared';
import { makeLine } from '../support/counting-records';
import { EVIL_NAME, EVIL_REASON, S2_AT, seedReports } from '../support/reports-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let admin: string;
let supervisor: string;
let staff: string;

beforeAll(async () => {
  t = await startTestApp({ settings: { reports: { chunkSize: 2, sheetRowLimit: 3 } } });
  await seedReports(t.store);
  admin = (await t.userWithRole('admin', 'boss')).token;
  supervisor = (await t.userWithRole('supervisor', 'sup')).token;
  staff = (await t.userWithRole('staff', 'eve')).token;
});
afterAll(async () => {
  await t.close();
});

type Body = { type: ReportType; [k: string]: unknown };

async function generate<T extends ReportType>(body: Body & { type: T }, token = supervisor) {
  const res = await t.request<ReportPage<T>>('POST', '/api/reports/generate', { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function download(path: string, body: unknown, token = supervisor) {
  const res = await fetch(t.baseUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF), enough to read our files back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

async function csvOf(body: Body, token = supervisor) {
  const { res, bytes } = await download('/api/reports/export/csv', body, token);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(bytes.subarray(3).toString('utf8'));
}

async function xlsxOf(body: Body, token = supervisor) {
  const { res, bytes } = await download('/api/reports/export/xlsx', body, token);
  expect(res.status).toBe(200);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/**
 * Every data row of every data sheet (header rows dropped, after checking they are the headers);
 * the last sheet is the Summary the console's files have too.
 */
function sheetRows(workbook: ExcelJS.Workbook, type: ReportType): unknown[][] {
  const headers = REPORT_COLUMNS[type].map((c) => c.header);
  const out: unknown[][] = [];
  expect(workbook.worksheets.at(-1)?.name).toBe('Summary');
  workbook.eachSheet((sheet) => {
    if (sheet.name === 'Summary') return;
    sheet.eachRow((row, n) => {
      const values = (row.values as unknown[]).slice(1);
      if (n === 1) expect(values).toEqual(headers);
      else out.push(REPORT_COLUMNS[type].map((_, i) => values[i] ?? null));
    });
  });
  return out;
}

// Hand-computed (design §4: variance = counted − written off − book, per session and item):
// S1/P1: 7 + 2 counted, 1 written off, book 10 → −2; × 2.50 = −5.00; × 4 = −8.00
// S1/P2: 95 (L3 replaced L3a's 90), book 100 → −5; × 0.10 = −0.50; × 0.25 = −1.25
// S1/P3: 6 vs 5 → +1; × 7.35 = 7.35; × 12 = 12.00
// S1/P6: 2, outside the snapshot (book 0, no cost) → +2; 0.00
// S2/P5: 1 vs 3 → −2; × 15 = −30.00; × 30 = −60.00       (S2/P1 8 vs 8 and S3/P1 4 vs 4: 0)
const VARIANCE_ROWS = [
  ['S1', 'P1', 10, 9, 2, 1, -2, -5, -8, 2, 'A-01, B-01', 'Alice, Bob', 'broken', 'PENDING', 1],
  ['S1', 'P2', 100, 95, 5, 0, -5, -0.5, -1.25, 1, 'A-02', 'Alice', EVIL_REASON, 'NEEDS_REVIEW', 2],
  ['S1', 'P3', 5, 6, 0, 0, 1, 7.35, 12, 1, 'B-01', 'Bob', '', 'APPROVED', 0],
  ['S1', 'P6', 0, 2, 0, 0, 2, 0, 0, 1, 'A-01', 'Bob', '', 'PENDING', 0],
  ['S2', 'P5', 3, 1, 0, 0, -2, -30, -60, 1, 'C-01', 'Dave', '+lost in transit', 'PENDING', 0],
];
const pick = (r: VarianceRow) => [
  r.session_id,
  r.item_code,
  r.book_qty,
  r.counted_qty,
  r.damaged_qty,
  r.written_off_qty,
  r.variance,
  r.value_at_cost,
  r.value_at_price,
  r.lines,
  r.racks,
  r.counters,
  r.reasons,
  r.review_status,
  r.photos,
];

describe('variance report', () => {
  it('lists every non-zero variance per session and item, with totals', async () => {
    const page = await generate({ type: 'variance' });
    expect(page.items.map(pick)).toEqual(VARIANCE_ROWS);
    expect(page.total).toBe(5);
    expect(page.totals).toEqual({
      rows: 5,
      book_qty: 118,
      counted_qty: 113,
      variance: -6,
      value_at_cost: -28.15,
      value_at_price: -57.25,
      lines: 6,
      // No session has an ERP watermark: nothing is known at count (issue #17).
      variance_at_count: 0,
      value_at_count_cost: 0,
      at_count_rows: { exact: 0, ambiguous: 0, unknown: 5, pending: 0 },
    });
    expect(page.columns).toEqual(REPORT_COLUMNS.variance);
    expect(page.items[2]).toMatchObject({ name: EVIL_NAME, category: 'Chemicals' });
    // Outside the snapshot: name and category from the item master.
    expect(page.items[3]).toMatchObject({ name: 'Hammer', category: 'Tools', book_qty: 0 });
  });

  it('pages the rows with the totals of all of them', async () => {
    const second = await generate({ type: 'variance', page: 2, page_size: 2 });
    expect(second.items.map(pick)).toEqual(VARIANCE_ROWS.slice(2, 4));
    expect(second).toMatchObject({ page: 2, page_size: 2, total: 5 });
    expect(second.totals.value_at_cost).toBe(-28.15);
  });

  it('pages by cursor through the index, with the same rows as offsets', async () => {
    const seen: unknown[][] = [];
    let after: string | null | undefined;
    for (let n = 0; n < 5; n++) {
      const page = await generate({ type: 'variance', page_size: 2, ...(after ? { after } : {}) });
      seen.push(...page.items.map(pick));
      after = page.next_after;
      if (!after) break;
    }
    expect(seen).toEqual(VARIANCE_ROWS);
    expect(after).toBeNull();
    const bad = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: { type: 'variance', after: 'not-a-cursor' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.details?.[0]?.path).toBe('after');
    const otherType = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: { type: 'session_history', after: 'x' },
    });
    expect(otherType.body.error?.details?.[0]?.path).toBe('after');
  });

  it('writes the same rows to CSV, numbers as numbers and formulas neutralised', async () => {
    // Paging fields do not cut a file short.
    const rows = await csvOf({ type: 'variance', page: 2, page_size: 1, after: 'WyJTMSIsIlAzIl0' });
    const cols = REPORT_COLUMNS.variance;
    expect(rows[0]).toEqual(cols.map((c) => c.header));
    expect(rows).toHaveLength(6);
    const at = (row: string[], key: string) => row[cols.findIndex((c) => c.key === key)];
    expect(
      rows.slice(1).map((r) => [at(r, 'item_code'), at(r, 'variance'), at(r, 'value_at_cost')]),
    ).toEqual([
      ['P1', '-2', '-5'],
      ['P2', '-5', '-0.5'],
      ['P3', '1', '7.35'],
      ['P6', '2', '0'],
      ['P5', '-2', '-30'],
    ]);
    // Text cells that start like a formula get a leading quote; the comma and quotes survive.
    expect(at(rows[3]!, 'name')).toBe(`'${EVIL_NAME}`);
    expect(at(rows[2]!, 'reasons')).toBe(`'${EVIL_REASON}`);
    expect(at(rows[5]!, 'reasons')).toBe("'+lost in transit");
    expect(at(rows[1]!, 'name')).toBe('Bolt, M8');
    expect(at(rows[2]!, 'name')).toBe('Nut "M8"');
    expect(at(rows[1]!, 'last_counted_at')).toBe('2026-11-01T08:30:00.000Z');
  });

  it('writes the same rows to XLSX: frozen header, auto-filter, formats, split sheets', async () => {
    const workbook = await xlsxOf({ type: 'variance' });
    // sheetRowLimit 3 (header included): 5 rows → 2 + 2 + 1.
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'Variance',
      'Variance (2)',
      'Variance (3)',
      'Summary',
    ]);
    const rows = sheetRows(workbook, 'variance');
    const cols = REPORT_COLUMNS.variance;
    const at = (row: unknown[], key: string) => row[cols.findIndex((c) => c.key === key)];
    expect(
      rows.map((r) => [at(r, 'item_code'), at(r, 'variance'), at(r, 'value_at_price')]),
    ).toEqual([
      ['P1', -2, -8],
      ['P2', -5, -1.25],
      ['P3', 1, 12],
      ['P6', 2, 0],
      ['P5', -2, -60],
    ]);
    expect(at(rows[2]!, 'name')).toBe(`'${EVIL_NAME}`);
    expect(at(rows[1]!, 'reasons')).toBe(`'${EVIL_REASON}`);
    expect(at(rows[0]!, 'last_counted_at')).toEqual(new Date('2026-11-01T08:30:00.000Z'));
    const first = workbook.worksheets[0]!;
    expect(first.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(first.autoFilter).toBe('A1:X3');
    expect(first.getRow(1).getCell(1).font?.bold).toBe(true);
    const money = cols.findIndex((c) => c.key === 'value_at_cost') + 1;
    const date = cols.findIndex((c) => c.key === 'last_counted_at') + 1;
    expect(first.getRow(2).getCell(money).numFmt).toBe('#,##0.00');
    expect(first.getRow(2).getCell(date).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(workbook.worksheets[2]!.autoFilter).toBe('A1:X2');
    // Variances are coloured (red below zero), as in the console's own files.
    const variance = cols.findIndex((c) => c.key === 'variance') + 1;
    const fill = first.getRow(2).getCell(variance).fill as ExcelJS.FillPattern;
    expect(fill.fgColor?.argb).toBe('FFFDE2E1');
    // The Summary sheet: rows, sheets and the totals the JSON answer gives.
    const summary = new Map<unknown, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((row) => {
      summary.set(row.getCell(1).value, row.getCell(2).value);
    });
    expect(summary.get('Report')).toBe('Variance');
    expect(summary.get('Rows')).toBe(5);
    expect(summary.get('Sheets')).toBe(3);
    expect(summary.get('Total Variance')).toBe(-6);
  });
});

describe('filters mean the same in every type', () => {
  it('warehouse', async () => {
    const page = await generate({ type: 'variance', filters: { warehouse: 'WH2' } });
    expect(page.items.map(pick)).toEqual([VARIANCE_ROWS[4]]);
  });

  it('floor: only lines on its racks (F1 = B-01)', async () => {
    const page = await generate({ type: 'variance', filters: { floor: 'F1' } });
    // S1/P1 on B-01 only: 2 counted, 1 written off vs book 10 → −9; S1/P3 +1.
    expect(page.items.map((r) => [r.item_code, r.variance, r.value_at_cost, r.racks])).toEqual([
      ['P1', -9, -22.5, 'B-01'],
      ['P3', 1, 7.35, 'B-01'],
    ]);
  });

  it('session + floor, user + category, and the session date range', async () => {
    const ground = await generate({ type: 'variance', filters: { session: 'S1', floor: 'G' } });
    expect(ground.items.map((r) => [r.item_code, r.variance])).toEqual([
      ['P1', -3],
      ['P2', -5],
      ['P6', 2],
    ]);
    const bobHardware = await generate({
      type: 'variance',
      filters: { user: 'u-bob', category: 'Hardware' },
    });
    expect(bobHardware.items.map((r) => [r.item_code, r.variance, r.counters])).toEqual([
      ['P1', -9, 'Bob'],
    ]);
    const recent = await generate({
      type: 'session_history',
      filters: { from: '2026-11-05T00:00:00Z' },
    });
    expect(recent.items.map((r) => r.session_id)).toEqual(['S2']);
    const csv = await csvOf({ type: 'variance', filters: { user: 'u-bob', category: 'Hardware' } });
    expect(csv).toHaveLength(2);
  });

  it('refuses bad filters with field paths', async () => {
    const res = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: {
        type: 'stock_summary',
        filters: { from: 'yesterday', shelf: 'x' },
        page_size: 5000,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    const paths = res.body.error?.details?.map((d) => d.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['filters.from', 'filters', 'page_size']));
    const audit = await t.request('POST', '/api/reports/generate', {
      token: admin,
      body: { type: 'audit_trail', filters: { warehouse: 'WH1' } },
    });
    expect(audit.status).toBe(400);
    expect(audit.body.error?.details?.[0]?.path).toBe('filters.warehouse');
    const type = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: { type: 'stock' },
    });
    expect(type.body.error?.details?.[0]?.path).toBe('type');
    const range = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: { type: 'variance', filters: { from: S2_AT, to: S2_AT } },
    });
    expect(range.body.error?.details?.[0]?.path).toBe('filters.to');
  });

  it('refuses an unknown file format', async () => {
    const { res, bytes } = await download('/api/reports/export/pdf', { type: 'variance' });
    expect(res.status).toBe(400);
    const body = JSON.parse(bytes.toString('utf8')) as {
      error: { code: string; details: Array<{ path: string }> };
    };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details[0]?.path).toBe('params.format');
  });
});

describe('stock summary', () => {
  // WH1: S1 (P1–P4 in scope) + S3 (P1): 5 in scope, 4 counted (P4 not); book 10+100+5+20+4 = 139;
  // counted 9+95+6+2 (P6, outside the snapshot) + 4 = 116; variance −4; 1.85 at cost, 2.75 at price.
  // WH2: S2 (P1, P5): book 11, counted 9, variance −2, −30.00, −60.00.
  it('per warehouse, in JSON, CSV and XLSX', async () => {
    const body = { type: 'stock_summary' as const, group_by: 'warehouse' };
    const page = await generate(body);
    const expected = [
      ['WH1', 5, 4, 139, 116, 7, 1, -4, 1.85, 2.75, 80],
      ['WH2', 2, 2, 11, 9, 0, 0, -2, -30, -60, 100],
    ];
    const fields = [
      'warehouse',
      'items_in_scope',
      'items_counted',
      'book_qty',
      'counted_qty',
      'damaged_qty',
      'written_off_qty',
      'variance',
      'value_at_cost',
      'value_at_price',
      'coverage',
    ];
    const row = (r: object) => fields.map((f) => (r as Record<string, unknown>)[f]);
    expect(page.items.map(row)).toEqual(expected);
    expect(page.totals).toMatchObject({ rows: 2, variance: -6, value_at_cost: -28.15 });

    const cols = REPORT_COLUMNS.stock_summary;
    const idx = fields.map((f) => cols.findIndex((c) => c.key === f));
    const csv = await csvOf(body);
    expect(csv.slice(1).map((r) => idx.map((i) => r[i]))).toEqual(
      expected.map((r) => r.map(String)),
    );
    const xlsx = sheetRows(await xlsxOf(body), 'stock_summary');
    expect(xlsx.map((r) => idx.map((i) => r[i]))).toEqual(expected);
  });

  it('per item (coverage per item) and per category', async () => {
    const items = await generate({ type: 'stock_summary', filters: { warehouse: 'WH1' } });
    expect(
      items.items.map((r) => [
        r.item_code,
        r.items_in_scope,
        r.book_qty,
        r.counted_qty,
        r.variance,
        r.coverage,
      ]),
    ).toEqual([
      ['P1', 2, 14, 13, -2, 100],
      ['P2', 1, 100, 95, -5, 100],
      ['P3', 1, 5, 6, 1, 100],
      ['P4', 1, 20, 0, 0, 0],
      ['P6', 0, 0, 2, 2, null],
    ]);
    const hardware = await generate({
      type: 'stock_summary',
      group_by: 'category',
      filters: { warehouse: 'WH1', category: 'Hardware' },
    });
    expect(hardware.items).toEqual([
      {
        warehouse: 'WH1',
        item_code: null,
        name: null,
        category: 'Hardware',
        items_in_scope: 3,
        items_counted: 3,
        book_qty: 114,
        counted_qty: 108,
        damaged_qty: 7,
        written_off_qty: 1,
        variance: -7,
        value_at_cost: -5.5,
        value_at_price: -9.25,
        coverage: 100,
      },
    ]);
  });
});

describe('session history', () => {
  // S1 accuracy: Σ|book| of counted items 10+100+5+0 = 115, Σ|variance| 2+5+1+2 = 10 → 91.30.
  // S2: 8+3 = 11, 0+2 = 2 → 81.82.
  const expected = [
    ['S3', 'RECONCILED', 1, 1, 1, 1, 0, 0, 0, 100],
    ['S1', 'CLOSED', 2, 4, 4, 5, -4, 1.85, 2.75, 91.3],
    ['S2', 'OPEN', 1, 2, 2, 2, -2, -30, -60, 81.82],
  ];
  const fields = [
    'session_id',
    'status',
    'counters',
    'items_in_snapshot',
    'items_counted',
    'lines',
    'variance',
    'value_at_cost',
    'value_at_price',
    'accuracy',
  ];

  it('one row per session in JSON, CSV and XLSX', async () => {
    const page = await generate({ type: 'session_history' });
    expect(
      page.items.map((r) => fields.map((f) => (r as unknown as Record<string, unknown>)[f])),
    ).toEqual(expected);
    expect(page.totals).toEqual({
      rows: 3,
      lines: 8,
      variance: -6,
      value_at_cost: -28.15,
      value_at_price: -57.25,
    });
    const cols = REPORT_COLUMNS.session_history;
    const idx = fields.map((f) => cols.findIndex((c) => c.key === f));
    const csv = await csvOf({ type: 'session_history' });
    expect(csv.slice(1).map((r) => idx.map((i) => r[i]))).toEqual(
      expected.map((r) => r.map(String)),
    );
    const xlsx = sheetRows(await xlsxOf({ type: 'session_history' }), 'session_history');
    expect(xlsx.map((r) => idx.map((i) => r[i]))).toEqual(expected);
    expect(xlsx[0]![cols.findIndex((c) => c.key === 'created_at')]).toEqual(
      new Date('2026-10-01T08:00:00.000Z'),
    );
  });

  it('matches the session detail and the analytics endpoint to the cent', async () => {
    const page = await generate({ type: 'session_history' });
    for (const row of page.items) {
      const detail = await t.request<{ metrics: Record<string, number> }>(
        'GET',
        `/api/sessions/${row.session_id}`,
        {
          token: supervisor,
        },
      );
      expect(detail.body.data.metrics).toMatchObject({
        items_counted: row.items_counted,
        lines: row.lines,
        total_variance: row.variance,
        variance_value_at_cost: row.value_at_cost,
        variance_value_at_price: row.value_at_price,
      });
    }
    const analytics = await t.request<{ groups: Array<Record<string, unknown>> }>(
      'GET',
      '/api/sessions/analytics?group_by=warehouse',
      { token: supervisor },
    );
    const byWarehouse = await generate({ type: 'stock_summary', group_by: 'warehouse' });
    expect(
      analytics.body.data.groups.map((g) => [
        g.key,
        g.variance,
        g.variance_value_at_cost,
        g.variance_value_at_price,
      ]),
    ).toEqual(
      byWarehouse.items.map((r) => [r.warehouse, r.variance, r.value_at_cost, r.value_at_price]),
    );
  });
});

describe('user activity', () => {
  // Alice: S1 L1 (−3 vs 10), L3 (−5 vs 100) from minute 10 to 20, S3 L9 (0 vs 4) alone (1 min):
  // 3 lines, 11 active minutes → 16.4/h; accuracy (114 − 8) / 114 = 92.98 %; wrote 4 lines
  // (L3a too), one overturned (90 → 95) → 25 %. Bob: L2 −9, L4 +1, L5 +2 over 25 minutes → 7.2/h;
  // (15 − 12) / 15 = 20 %. Dave: L7 0, L8 −2 over 6 minutes → 20/h; 9 / 11 = 81.82 %.
  // Carol's only line was rejected: she has no line that counts, so no row.
  const expected = [
    ['Alice', 2, 3, 3, 11, 16.4, 92.98, 4, 1, 25, -8, -8, -13.25],
    ['Bob', 1, 3, 3, 25, 7.2, 20, 3, 0, 0, -6, -15.15, -24],
    ['Dave', 1, 2, 2, 6, 20, 81.82, 2, 0, 0, -2, -30, -60],
  ];
  const fields = [
    'username',
    'sessions',
    'lines',
    'items',
    'active_minutes',
    'scans_per_hour',
    'first_count_accuracy',
    'lines_written',
    'lines_overturned',
    'recount_overturn_rate',
    'variance',
    'value_at_cost',
    'value_at_price',
  ];

  it('one row per counter in JSON, CSV and XLSX', async () => {
    const page = await generate({ type: 'user_activity' });
    const row = (r: Record<string, unknown>) => fields.map((f) => r[f]);
    expect(page.items.map((r) => row(r as unknown as Record<string, unknown>))).toEqual(expected);
    const cols = REPORT_COLUMNS.user_activity;
    const idx = fields.map((f) => cols.findIndex((c) => c.key === f));
    const csv = await csvOf({ type: 'user_activity' });
    expect(csv.slice(1).map((r) => idx.map((i) => r[i]))).toEqual(
      expected.map((r) => r.map(String)),
    );
    const xlsx = sheetRows(await xlsxOf({ type: 'user_activity' }), 'user_activity');
    expect(xlsx.map((r) => idx.map((i) => r[i]))).toEqual(expected);
  });

  it('matches the analytics per counter', async () => {
    const analytics = await t.request<{ groups: Array<Record<string, unknown>> }>(
      'GET',
      '/api/sessions/analytics?group_by=staff',
      { token: supervisor },
    );
    const page = await generate({ type: 'user_activity' });
    const fromAnalytics = analytics.body.data.groups
      .map((g) => [
        g.label,
        g.lines,
        g.items,
        g.variance,
        g.variance_value_at_cost,
        g.variance_value_at_price,
        g.accuracy,
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(fromAnalytics).toEqual(
      page.items.map((r) => [
        r.username,
        r.lines,
        r.items,
        r.variance,
        r.value_at_cost,
        r.value_at_price,
        r.first_count_accuracy,
      ]),
    );
  });
});

describe('audit trail', () => {
  const window = { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' };

  it('lists entries newest first for admins, filterable by actor and session', async () => {
    const page = await generate({ type: 'audit_trail', filters: window }, admin);
    expect(page.items.map((r) => [r.at, r.actor_username, r.action, r.target_id])).toEqual([
      ['2026-02-02T10:00:00.000Z', 'sup', 'session.created', 'S2'],
      ['2026-02-01T10:00:00.000Z', '@bob', 'claim.acquired', 'c-9'],
      ['2026-02-01T09:00:00.000Z', 'sup', 'session.closed', 'S1'],
    ]);
    const s1 = await generate(
      { type: 'audit_trail', filters: { ...window, session: 'S1' } },
      admin,
    );
    expect(s1.items.map((r) => r.action)).toEqual(['claim.acquired', 'session.closed']);
    const sup = await generate(
      { type: 'audit_trail', filters: { ...window, user: 'u-sup' } },
      admin,
    );
    expect(sup.items.map((r) => r.action)).toEqual(['session.created', 'session.closed']);

    const csv = await csvOf({ type: 'audit_trail', filters: window }, admin);
    const cols = REPORT_COLUMNS.audit_trail;
    const at = (row: string[], key: string) => row[cols.findIndex((c) => c.key === key)];
    expect(csv.slice(1).map((r) => at(r, 'actor_username'))).toEqual(['sup', "'@bob", 'sup']);
    expect(at(csv[2]!, 'summary')).toBe('{"session_id":"S1","rack":"B-01"}');
    const xlsx = sheetRows(
      await xlsxOf({ type: 'audit_trail', filters: window }, admin),
      'audit_trail',
    );
    expect(xlsx.map((r) => r[cols.findIndex((c) => c.key === 'action')])).toEqual([
      'session.created',
      'claim.acquired',
      'session.closed',
    ]);
  });

  it('records report exports in the audit trail', async () => {
    await csvOf({ type: 'variance', filters: { warehouse: 'WH2' } });
    const page = await generate(
      { type: 'audit_trail', filters: { from: '2026-03-01T00:00:00Z' } },
      admin,
    );
    const exported = page.items.filter((r) => r.action === 'report.exported');
    const wh2 = exported.find((r) => r.summary?.includes('"warehouse":"WH2"'));
    expect(wh2?.actor_username).toBe('sup');
    expect(JSON.parse(wh2?.summary ?? '{}')).toEqual({
      format: 'csv',
      filters: { warehouse: 'WH2' },
      rows: 1,
    });
  });
});

describe('access', () => {
  it('refuses staff every report and export, and supervisors the audit trail', async () => {
    for (const type of ['stock_summary', 'variance', 'user_activity', 'session_history'] as const) {
      const res = await t.request('POST', '/api/reports/generate', {
        token: staff,
        body: { type },
      });
      expect(res.status).toBe(403);
      expect(res.body.error?.code).toBe('FORBIDDEN');
    }
    const file = await download('/api/reports/export/csv', { type: 'variance' }, staff);
    expect(file.res.status).toBe(403);
    const bulk = await download('/api/sessions/bulk/export', { ids: ['S1'], format: 'csv' }, staff);
    expect(bulk.res.status).toBe(403);
    const audit = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: { type: 'audit_trail' },
    });
    expect(audit.status).toBe(403);
    const anonymous = await t.request('POST', '/api/reports/generate', {
      body: { type: 'variance' },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('bulk session export', () => {
  it('streams every counted item of the chosen sessions, zero variances included', async () => {
    const { res, bytes } = await download('/api/sessions/bulk/export', {
      ids: ['S2', 'S3'],
      format: 'csv',
    });
    expect(res.status).toBe(200);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    const cols = REPORT_COLUMNS.variance;
    const at = (row: string[], key: string) => row[cols.findIndex((c) => c.key === key)];
    expect(
      rows.slice(1).map((r) => [at(r, 'session_id'), at(r, 'item_code'), at(r, 'variance')]),
    ).toEqual([
      ['S2', 'P1', '0'],
      ['S2', 'P5', '-2'],
      ['S3', 'P1', '0'],
    ]);
    const xlsx = await download('/api/sessions/bulk/export', { ids: ['S1'], format: 'xlsx' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    expect(sheetRows(workbook, 'variance').map((r) => r[3])).toEqual(['P1', 'P2', 'P3', 'P6']);
  });

  it('answers 404 naming unknown sessions and 400 for a bad format', async () => {
    const missing = await t.request('POST', '/api/sessions/bulk/export', {
      token: supervisor,
      body: { ids: ['S1', 'nope'], format: 'csv' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.missing).toEqual(['nope']);
    const format = await t.request('POST', '/api/sessions/bulk/export', {
      token: supervisor,
      body: { ids: ['S1'], format: 'pdf' },
    });
    expect(format.status).toBe(400);
    expect(format.body.error?.details?.[0]?.path).toBe('format');
  });
});

describe('totals while paging', () => {
  it('a later page reuses the first page’s totals; a first page computes them afresh', async () => {
    const body = { type: 'session_history' as const, filters: { session: 'S2' }, page_size: 1 };
    const first = await generate(body);
    expect(first.totals.lines).toBe(2);
    // One more line in S2 (dave, +1 on P1) after the first page was read.
    const [outcome] = await t.store.lines.insertMany([
      makeLine('L-late', {
        session_id: 'S2',
        rack: 'C-01',
        item_code: 'P1',
        counted_qty: 1,
        book_qty: 8,
        variance: -7,
        counted_by: 'u-dave',
        counted_by_name: 'Dave',
      }),
    ]);
    expect(outcome?.ok).toBe(true);
    const later = await generate({ ...body, page: 2 });
    expect(later.totals.lines).toBe(2);
    const fresh = await generate(body);
    expect(fresh.totals.lines).toBe(3);
    expect(fresh.items[0]?.lines).toBe(3);
  });
});
