/**
 * The variance report's figures when counted (issue #17, docs/design.md §13), through the API on
 * the real SQLite store: beside the snapshot variance each row carries the variance at count, its
 * status and the item's root-cause hint kinds, from the read model (pending until the at-count
 * drain has computed the item), in JSON, CSV and XLSX; `filters.at_count_status` and
 * `filters.hint` keep the matching items (rows and totals alike); other report types refuse them.
 *
 * WH-T, a session at ERP watermark 1000: ITM-A (book 10) counted 120 — a dozen factor, exact;
 * ITM-B (book 100) counted 95 — exact, −5; ITM-C (book 10) counted 9 with a movement the server
 * cannot order against the count (the phone sent no clock) — ambiguous, no figure.
 */
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS, type ReportPage } from '@stockverify/shared';
import { createAtCountUpkeep } from '../../src/modules/movements/at-count-upkeep';
import {
  claimOk,
  countRecord,
  createSession,
  seedCounting,
  sync,
} from '../support/counting-fixture';
import { mirrorAt1000, movement, SERVER_START } from '../support/movements-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let sup: string;
let staff: string;
let sessionId: string;

beforeEach(async () => {
  t = await startTestApp({ startAt: new Date(SERVER_START) });
  await seedCounting(t);
  sup = (await t.userWithRole('supervisor', 'sup')).token;
  staff = (await t.userWithRole('staff', 'alice')).token;
  await mirrorAt1000(t);
  const s = await createSession(t, sup);
  sessionId = s.id;
  for (const [rack, item, qty] of [
    ['A-01', 'ITM-A', 120],
    ['A-01', 'ITM-B', 95],
    ['A-02', 'ITM-C', 9],
  ] as const) {
    const held = await claimOk(t, staff, s.id, rack);
    const res = await sync(t, staff, [
      countRecord(s.id, rack, item, held.fencing_token, {
        counted_qty: qty,
        variance_reason: 'Found so',
      }),
    ]);
    expect(res.body.data?.results[0]!.status, JSON.stringify(res.body)).toBe('OK');
    await t.request('POST', `/api/sessions/${s.id}/racks/${rack}/release`, {
      token: staff,
      body: {},
    });
  }
  await t.store.movements.record(
    [movement({ item_code: 'ITM-C', quantity: -1, watermark: '1001' })],
    { watermark: '1001', pulled_at: '2026-12-06T08:40:00.000Z' },
  );
  await t.store.readModel.markAtCount(s.id, ['ITM-C']);
});
afterEach(async () => {
  await t.close();
});

async function drain() {
  await createAtCountUpkeep({ store: t.store, log: { warn: () => {} } }).drain();
}

async function report(filters: Record<string, unknown> = {}) {
  const res = await t.request<ReportPage<'variance'>>('POST', '/api/reports/generate', {
    token: sup,
    body: { type: 'variance', filters: { session: sessionId, ...filters } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

const atCount = (page: ReportPage<'variance'>) =>
  page.items.map((r) => [r.item_code, r.variance, r.variance_at_count, r.at_count_status, r.hints]);

async function download(format: 'csv' | 'xlsx', filters: Record<string, unknown> = {}) {
  const res = await fetch(`${t.baseUrl}/api/reports/export/${format}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sup}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'variance', filters: { session: sessionId, ...filters } }),
  });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('the variance report beside the snapshot variance', () => {
  it('is pending until the drain computed the items, then carries the variance at count, status and hints', async () => {
    expect(atCount(await report())).toEqual([
      ['ITM-A', 110, null, 'pending', ''],
      ['ITM-B', -5, null, 'pending', ''],
      ['ITM-C', -1, null, 'pending', ''],
    ]);
    await drain();
    const page = await report();
    expect(atCount(page)).toEqual([
      ['ITM-A', 110, 110, 'exact', 'uom_factor'],
      ['ITM-B', -5, -5, 'exact', ''],
      ['ITM-C', -1, null, 'ambiguous', expect.any(String)],
    ]);
    expect(page.columns.map((c) => c.key)).toEqual(REPORT_COLUMNS.variance.map((c) => c.key));
  });

  it('filters by at-count status and by hint kind, rows and totals alike', async () => {
    await drain();
    const ambiguous = await report({ at_count_status: 'ambiguous' });
    expect(ambiguous.items.map((r) => r.item_code)).toEqual(['ITM-C']);
    expect(ambiguous.total).toBe(1);
    expect(ambiguous.totals).toMatchObject({ rows: 1, variance: -1 });
    expect(ambiguous.filters).toMatchObject({ at_count_status: 'ambiguous' });

    const exact = await report({ at_count_status: 'exact' });
    expect(exact.items.map((r) => r.item_code)).toEqual(['ITM-A', 'ITM-B']);
    expect(exact.totals).toMatchObject({ rows: 2, variance: 105 });

    const dozens = await report({ hint: 'uom_factor' });
    expect(dozens.items.map((r) => r.item_code)).toEqual(['ITM-A']);
    expect(dozens.totals).toMatchObject({ rows: 1, variance: 110 });
    // A counter filter takes the rows from the lines, not the model's totals: same filters.
    const byFloor = await report({ hint: 'uom_factor', floor: 'GF' });
    expect(byFloor.items.map((r) => r.item_code)).toEqual(['ITM-A']);
    expect(byFloor.totals).toMatchObject({ rows: 1 });

    expect((await report({ hint: 'serial_elsewhere' })).items).toEqual([]);
  });

  it('writes the at-count columns to CSV and XLSX, and filters the files the same way', async () => {
    await drain();
    const csv = (await download('csv', { at_count_status: 'exact' })).subarray(3).toString('utf8');
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    const cols = header!.split(',');
    expect(cols).toEqual(expect.arrayContaining(['Variance at count', 'At count', 'Hints']));
    const cell = (row: string, name: string) => row.split(',')[cols.indexOf(name)];
    expect(
      rows.map((r) => [
        cell(r, 'Item code'),
        cell(r, 'Variance at count'),
        cell(r, 'At count'),
        cell(r, 'Hints'),
      ]),
    ).toEqual([
      ['ITM-A', '110', 'exact', 'uom_factor'],
      ['ITM-B', '-5', 'exact', ''],
    ]);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download('xlsx')) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const keys = REPORT_COLUMNS.variance.map((c) => c.key);
    const value = (row: number, key: string) =>
      sheet.getRow(row).getCell(keys.indexOf(key) + 1).value;
    expect(
      [2, 3, 4].map((r) => [
        value(r, 'item_code'),
        value(r, 'variance_at_count'),
        value(r, 'at_count_status'),
      ]),
    ).toEqual([
      ['ITM-A', 110, 'exact'],
      ['ITM-B', -5, 'exact'],
      ['ITM-C', null, 'ambiguous'],
    ]);
  });

  it('refuses the at-count filters on other report types, naming the field', async () => {
    for (const [key, v] of [
      ['hint', 'uom_factor'],
      ['at_count_status', 'exact'],
    ] as const) {
      const res = await t.request('POST', '/api/reports/generate', {
        token: sup,
        body: { type: 'stock_summary', filters: { [key]: v } },
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(`filters.${key}`);
    }
    const bad = await t.request('POST', '/api/reports/generate', {
      token: sup,
      body: { type: 'variance', filters: { hint: 'a_guess' } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('filters.hint');
  });
});
