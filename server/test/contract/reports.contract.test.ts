/**
 * ReportSource contract (issue #6), run against every Store adapter available here (SQLite
 * always, MongoDB where MONGODB_URI is set): the hand-computed dataset of
 * support/reports-fixture.ts gives the same rows, totals and streamed chunks in each.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportQuery, ReportScope, StoreReportType } from '../../src/ports/reports';
import type { Store } from '../../src/ports/store';
import { makeLine } from '../support/counting-records';
import { seedReports } from '../support/reports-fixture';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';

describe.each(storeAdapters('reports'))('ReportSource on $name', (adapter) => {
  let fixture: StoreFixture;
  let store: Store;

  beforeEach(async () => {
    fixture = await adapter.open();
    store = fixture.store;
    await seedReports(store);
  });
  afterEach(async () => {
    await fixture.dispose();
  });

  const query = <T extends StoreReportType>(
    type: T,
    scope: ReportScope = {},
    group_by: ReportQuery['group_by'] = 'item',
  ): ReportQuery<T> => ({ type, scope, group_by });

  async function streamed<T extends StoreReportType>(q: ReportQuery<T>, chunkSize: number) {
    const chunks: unknown[][] = [];
    for await (const chunk of store.reports.stream(q, { chunkSize })) chunks.push(chunk);
    return chunks;
  }

  it('variance: rows, totals and the same rows streamed in chunks', async () => {
    const rows = await store.reports.page(query('variance'), 0, 100);
    expect(rows.map((r) => [r.session_id, r.item_code, r.variance, r.value_at_cost])).toEqual([
      ['S1', 'P1', -2, -5],
      ['S1', 'P2', -5, -0.5],
      ['S1', 'P3', 1, 7.35],
      ['S1', 'P6', 2, 0],
      ['S2', 'P5', -2, -30],
    ]);
    expect(rows[0]).toMatchObject({ racks: 'A-01, B-01', counters: 'Alice, Bob', photos: 1 });
    expect(await store.reports.totals(query('variance'))).toEqual({
      rows: 5,
      book_qty: 118,
      counted_qty: 113,
      variance: -6,
      value_at_cost: -28.15,
      value_at_price: -57.25,
      lines: 6,
      // No session here has an ERP watermark: every row unknown at count, nothing summed.
      variance_at_count: 0,
      value_at_count_cost: 0,
      at_count_rows: { exact: 0, ambiguous: 0, unknown: 5, pending: 0 },
    });
    const chunks = await streamed(query('variance'), 2);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunks.flat()).toEqual(rows);
    expect(await store.reports.page(query('variance'), 3, 10)).toEqual(rows.slice(3));
  });

  it('lists racks, counters, reasons and statuses once each, sorted', async () => {
    const [outcome] = await store.lines.insertMany([
      makeLine('L4b', {
        session_id: 'S1',
        rack: 'B-01',
        item_code: 'P3',
        counted_qty: 1,
        book_qty: 5,
        counted_by: 'u-bob',
        counted_by_name: 'Bob',
        variance_reason: 'found behind',
        status: 'APPROVED',
        photo_ids: ['ph-9'],
      }),
    ]);
    expect(outcome?.ok).toBe(true);
    const rows = await store.reports.page(query('variance', { session: 'S1' }), 0, 100);
    expect(rows.find((r) => r.item_code === 'P3')).toMatchObject({
      counted_qty: 7,
      variance: 2,
      lines: 2,
      racks: 'B-01',
      counters: 'Bob',
      reasons: 'found behind',
      review_status: 'APPROVED',
      photos: 1,
    });
  });

  it('variance after a (session, item) key', async () => {
    const rows = await store.reports.page(
      { ...query('variance'), after: { session_id: 'S1', item_code: 'P3' } },
      0,
      100,
    );
    expect(rows.map((r) => [r.session_id, r.item_code])).toEqual([
      ['S1', 'P6'],
      ['S2', 'P5'],
    ]);
  });

  it('variance with zero variances kept, for a session list', async () => {
    const rows = await store.reports.page(
      query('variance', { session_ids: ['S2', 'S3'], include_balanced: true }),
      0,
      100,
    );
    expect(rows.map((r) => [r.session_id, r.item_code, r.variance])).toEqual([
      ['S2', 'P1', 0],
      ['S2', 'P5', -2],
      ['S3', 'P1', 0],
    ]);
  });

  it('line filters: racks, user, category', async () => {
    const f1 = await store.reports.page(
      query('variance', { racks: [{ warehouse: 'WH1', rack: 'B-01' }] }),
      0,
      100,
    );
    expect(f1.map((r) => [r.item_code, r.variance])).toEqual([
      ['P1', -9],
      ['P3', 1],
    ]);
    const none = await store.reports.page(query('variance', { racks: [] }), 0, 100);
    expect(none).toEqual([]);
    const bob = await store.reports.page(
      query('variance', { user: 'u-bob', category: 'Hardware' }),
      0,
      100,
    );
    expect(bob.map((r) => [r.item_code, r.variance])).toEqual([['P1', -9]]);
  });

  it('stock summary per warehouse and per category', async () => {
    const warehouses = await store.reports.page(query('stock_summary', {}, 'warehouse'), 0, 10);
    expect(
      warehouses.map((r) => [r.warehouse, r.items_in_scope, r.book_qty, r.variance, r.coverage]),
    ).toEqual([
      ['WH1', 5, 139, -4, 80],
      ['WH2', 2, 11, -2, 100],
    ]);
    const categories = await store.reports.page(
      query('stock_summary', { warehouse: 'WH1' }, 'category'),
      0,
      10,
    );
    expect(categories.map((r) => [r.category, r.items_in_scope, r.variance])).toEqual([
      ['Chemicals', 2, 1],
      ['Hardware', 3, -7],
      ['Tools', 0, 2],
    ]);
  });

  it('session history, user activity and audit trail', async () => {
    const sessions = await store.reports.page(query('session_history'), 0, 10);
    expect(sessions.map((r) => [r.session_id, r.variance, r.value_at_cost, r.accuracy])).toEqual([
      ['S3', 0, 0, 100],
      ['S1', -4, 1.85, 91.3],
      ['S2', -2, -30, 81.82],
    ]);
    const users = await store.reports.page(query('user_activity'), 0, 10);
    expect(
      users.map((r) => [r.username, r.lines, r.lines_written, r.lines_overturned, r.value_at_cost]),
    ).toEqual([
      ['Alice', 3, 4, 1, -8],
      ['Bob', 3, 3, 0, -15.15],
      ['Dave', 2, 2, 0, -30],
    ]);
    const audit = await store.reports.page(query('audit_trail', { session: 'S1' }), 0, 10);
    expect(audit.map((r) => r.action)).toEqual(['claim.acquired', 'session.closed']);
    expect(await store.reports.totals(query('audit_trail'))).toEqual({ rows: 3 });
  });

  it('stops a stream when its signal aborts', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const chunk of store.reports.stream(query('variance'), {
      chunkSize: 1,
      signal: controller.signal,
    })) {
      seen.push(chunk.length);
      controller.abort();
    }
    expect(seen).toEqual([1]);
  });
});
