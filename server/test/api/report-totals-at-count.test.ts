/**
 * The variance report's totals at count (issue #17, docs/design.md §13 "Reports"), through the API
 * on the real SQLite store: beside the snapshot variance's totals, the sum of the variance at count
 * over the rows whose expected at count is exact, its value at the snapshot's cost, and how many
 * rows are exact, ambiguous, unknown or pending — under the report's filters (the same rows as
 * the snapshot totals), in JSON and on the XLSX Summary sheet; the CSV carries each row's value.
 * The session detail's metrics carry the same figures for the session.
 *
 * The worked example of design §13: ITM-B, book 100 (cost 0.5) at watermark 1000, a pick of 5
 * (1001) before the count of 93, a receipt of 12 and a pick of 4 after it: snapshot −7, at
 * count −2. Beside it ITM-A (book 10, cost 2) counted 8 with no movement: −2 either way; and
 * ITM-C (book 10, cost 4) counted 9 in rack B-01 (floor F1) with a pick at 08:38:59, inside its
 * count's uncertainty: snapshot −1, ambiguous (no figure at count).
 */
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportPageSchemaOf, sessionDetailSchema, type ReportPage } from '@stockverify/shared';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import {
  mirrorAt1000,
  movement,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
  workedExampleMovements,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };
const phone = (): string => slowPhone(t.clock());

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
});
afterEach(async () => {
  await t.close();
});

const COUNTED_AT = '2026-12-06T08:34:00.000Z'; // 08:39 server time: the phone runs 5 min slow

async function countIn(sessionId: string, rack: string, items: Array<[string, number]>) {
  const c = await claimOk(t, alice.token, sessionId, rack);
  const records = items.map(([item, qty]) =>
    countRecord(sessionId, rack, item, c.fencing_token, {
      counted_qty: qty,
      counted_at: COUNTED_AT,
      variance_reason: 'Found so',
    }),
  );
  const answer = await syncFromPhone(t, alice.token, { client_sent_at: phone(), records });
  expect(
    answer.results.every((r) => r.status === 'OK'),
    JSON.stringify(answer),
  ).toBe(true);
  const released = await t.request('POST', `/api/sessions/${sessionId}/racks/${rack}/release`, {
    token: alice.token,
    body: {},
  });
  expect(released.status, JSON.stringify(released.body)).toBe(200);
}

/** The worked example (with a watermark) or the same counts in a session without one. */
async function workedSession(opts: { watermark: boolean }) {
  if (opts.watermark) await mirrorAt1000(t);
  const s = await createSession(t, sup.token);
  expect(s.erp_watermark).toBe(opts.watermark ? '1000' : null);
  t.advance(30_000);
  await countIn(s.id, 'A-01', [
    ['ITM-B', 93],
    ['ITM-A', 8],
  ]);
  await countIn(s.id, 'B-01', [['ITM-C', 9]]);
  await t.store.movements.record(
    [
      ...workedExampleMovements(),
      movement({
        item_code: 'ITM-C',
        watermark: '1004',
        posted_at: '2026-12-06T08:38:59.000Z',
        quantity: -1,
      }),
    ],
    { watermark: '1004', pulled_at: '2026-12-06T09:41:00.000Z' },
  );
  if (opts.watermark) await t.store.readModel.markAtCount(s.id, ['ITM-A', 'ITM-B', 'ITM-C']);
  return s;
}

async function report(sessionId: string, filters: Record<string, unknown> = {}) {
  const res = await t.request<ReportPage<'variance'>>('POST', '/api/reports/generate', {
    token: sup.token,
    body: { type: 'variance', filters: { session: sessionId, ...filters } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return reportPageSchemaOf('variance').parse(res.body.data);
}

async function download(format: 'csv' | 'xlsx', sessionId: string) {
  const res = await fetch(`${t.baseUrl}/api/reports/export/${format}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sup.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'variance', filters: { session: sessionId } }),
  });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const counts = (exact: number, ambiguous: number, unknown: number, pending: number) => ({
  exact,
  ambiguous,
  unknown,
  pending,
});

describe('the variance report totals at count', () => {
  it('the worked example: snapshot −10 over the rows, −4 at count over the exact ones', async () => {
    const s = await workedSession({ watermark: true });
    // Before the drain every item waits: nothing is exact yet.
    const before = await report(s.id);
    expect(before.totals).toMatchObject({
      rows: 3,
      variance: -10,
      variance_at_count: 0,
      value_at_count_cost: 0,
      at_count_rows: counts(0, 0, 0, 3),
    });
    await t.services.atCount.drain();
    const page = await report(s.id);
    expect(page.items.map((r) => [r.item_code, r.at_count_status])).toEqual([
      ['ITM-A', 'exact'],
      ['ITM-B', 'exact'],
      ['ITM-C', 'ambiguous'],
    ]);
    // Snapshot: A −2 (×2 = −4), B −7 (×0.5 = −3.5), C −1 (×4 = −4).
    // At count, exact rows only: A −2 (×2 = −4), B −2 (×0.5 = −1); C is ambiguous.
    expect(page.totals).toEqual({
      rows: 3,
      book_qty: 120,
      counted_qty: 110,
      variance: -10,
      value_at_cost: -11.5,
      value_at_price: -20.75,
      lines: 3,
      variance_at_count: -4,
      value_at_count_cost: -5,
      at_count_rows: counts(2, 1, 0, 0),
    });
    expect(
      page.items.map((r) => [r.item_code, r.variance_at_count, r.value_at_count_cost]),
    ).toEqual([
      ['ITM-A', -2, -4],
      ['ITM-B', -2, -1],
      ['ITM-C', null, null],
    ]);
  });

  it('applies the report filters to both totals: from the model and from the lines', async () => {
    const s = await workedSession({ watermark: true });
    await t.services.atCount.drain();
    // From the read model's items: the status filter.
    expect((await report(s.id, { at_count_status: 'ambiguous' })).totals).toMatchObject({
      rows: 1,
      variance: -1,
      value_at_cost: -4,
      variance_at_count: 0,
      value_at_count_cost: 0,
      at_count_rows: counts(0, 1, 0, 0),
    });
    // From the lines: a floor filter takes a share of the lines (GF holds A-01: ITM-A, ITM-B).
    expect((await report(s.id, { floor: 'GF' })).totals).toMatchObject({
      rows: 2,
      variance: -9,
      value_at_cost: -7.5,
      variance_at_count: -4,
      value_at_count_cost: -5,
      at_count_rows: counts(2, 0, 0, 0),
    });
    expect((await report(s.id, { floor: 'F1' })).totals).toMatchObject({
      rows: 1,
      variance: -1,
      variance_at_count: 0,
      at_count_rows: counts(0, 1, 0, 0),
    });
    expect((await report(s.id, { floor: 'GF', at_count_status: 'exact' })).totals).toMatchObject({
      rows: 2,
      variance_at_count: -4,
      at_count_rows: counts(2, 0, 0, 0),
    });
  });

  it('a session without an ERP watermark: every row unknown, nothing at count', async () => {
    const s = await workedSession({ watermark: false });
    await t.services.atCount.drain();
    const page = await report(s.id);
    expect(page.items.every((r) => r.at_count_status === 'unknown')).toBe(true);
    expect(page.totals).toMatchObject({
      rows: 3,
      variance: -10,
      variance_at_count: 0,
      value_at_count_cost: 0,
      at_count_rows: counts(0, 0, 3, 0),
    });
    // The session detail says the same, without reading the items (nothing can be known).
    const detail = await t.request('GET', `/api/sessions/${s.id}`, { token: sup.token });
    expect(sessionDetailSchema.parse(detail.body.data).metrics.at_count).toEqual({
      variance_at_count: 0,
      value_at_count_cost: 0,
      items: counts(0, 0, 3, 0),
    });
  });

  it('writes the totals at count on the XLSX Summary sheet and each row value in the CSV', async () => {
    const s = await workedSession({ watermark: true });
    await t.services.atCount.drain();
    const totals = (await report(s.id)).totals;

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download('xlsx', s.id)) as unknown as ArrayBuffer);
    const summary = new Map<string, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((row) => {
      summary.set(String(row.getCell(1).value), row.getCell(2).value);
    });
    expect(summary.get('Total Variance')).toBe(totals.variance);
    expect(summary.get('Total Variance at count (exact items)')).toBe(-4);
    expect(summary.get('Total Variance at count value at cost (exact items)')).toBe(-5);
    expect(summary.get('Items exact at count')).toBe(2);
    expect(summary.get('Items not resolved at count')).toBe(1);
    expect(summary.get('Items ambiguous at count')).toBe(1);
    expect(summary.get('Items unknown at count')).toBe(0);
    expect(summary.get('Items pending at count')).toBe(0);

    const csv = (await download('csv', s.id)).subarray(3).toString('utf8');
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    const cols = header!.split(',');
    const cell = (row: string, name: string) => row.split(',')[cols.indexOf(name)];
    expect(
      rows.map((r) => [
        cell(r, 'Item code'),
        cell(r, 'Variance at count'),
        cell(r, 'Variance at count value at cost'),
      ]),
    ).toEqual([
      ['ITM-A', '-2', '-4'],
      ['ITM-B', '-2', '-1'],
      ['ITM-C', '', ''],
    ]);
  });
});

describe('an item off only at count', () => {
  it('is a row of the report and in its totals at count, though its snapshot variance is zero', async () => {
    // ITM-B, book 100, counted 100 after a pick of 5 posted before the count: nothing at the
    // snapshot, +5 at count (the goods never left the shelf). ITM-A, book 10, counted 10, no
    // movement: balanced either way, not a row.
    await mirrorAt1000(t);
    const s = await createSession(t, sup.token);
    t.advance(30_000);
    await countIn(s.id, 'A-01', [
      ['ITM-B', 100],
      ['ITM-A', 10],
    ]);
    await t.store.movements.record([movement({})], {
      watermark: '1001',
      pulled_at: '2026-12-06T09:41:00.000Z',
    });
    await t.store.readModel.markAtCount(s.id, ['ITM-B']);
    await t.services.atCount.drain();
    const page = await report(s.id);
    expect(
      page.items.map((r) => [r.item_code, r.variance, r.variance_at_count, r.at_count_status]),
    ).toEqual([['ITM-B', 0, 5, 'exact']]);
    // +5 × cost 0.5.
    expect(page.totals).toMatchObject({
      rows: 1,
      variance: 0,
      variance_at_count: 5,
      value_at_count_cost: 2.5,
      at_count_rows: counts(1, 0, 0, 0),
    });
    // From the lines too (a floor filter), the same row and totals.
    const byFloor = await report(s.id, { floor: 'GF' });
    expect(byFloor.items.map((r) => r.item_code)).toEqual(['ITM-B']);
    expect(byFloor.totals).toMatchObject({ rows: 1, variance_at_count: 5 });
  });
});

describe('the session detail beside the snapshot variance', () => {
  it('sums the variance at count of the exact items and counts the items by status', async () => {
    const s = await workedSession({ watermark: true });
    const detail = async () => {
      const res = await t.request('GET', `/api/sessions/${s.id}`, { token: sup.token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return sessionDetailSchema.parse(res.body.data).metrics;
    };
    expect((await detail()).at_count).toEqual({
      variance_at_count: 0,
      value_at_count_cost: 0,
      items: counts(0, 0, 0, 3),
    });
    await t.services.atCount.drain();
    const m = await detail();
    expect(m.total_variance).toBe(-10);
    expect(m.at_count).toEqual({
      variance_at_count: -4,
      value_at_count_cost: -5,
      items: counts(2, 1, 0, 0),
    });
  });

  it('blind rules unchanged: where a counter may not see the snapshot variance, nor this', async () => {
    await mirrorAt1000(t);
    const blind = await createSession(t, sup.token, { mode: 'blind', name: 'Blind count' });
    const metricsOf = async (token: string) => {
      const res = await t.request('GET', `/api/sessions/${blind.id}`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return sessionDetailSchema.parse(res.body.data).metrics;
    };
    expect(await metricsOf(alice.token)).toMatchObject({ total_variance: null, at_count: null });
    expect((await metricsOf(sup.token)).at_count).toEqual({
      variance_at_count: 0,
      value_at_count_cost: 0,
      items: counts(0, 0, 0, 0),
    });
  });
});
