/**
 * The adjustment package and reconcile on the variance at count (issue #17 item 2, docs/design.md
 * §13 "The wiring": the adjustment package). An item that moved after the snapshot posts its
 * variance at count against today's book (`basis: 'at_count'`), the snapshot variance beside it;
 * an item that never moved is as before; an ambiguous item without a decision keeps the session
 * from being reconciled (409 MOVED_ITEMS_UNDECIDED) until its count is kept.
 *
 * The worked example: ITM-B, snapshot book 100 at watermark 1000; a pick of 5 (1001) before the
 * count of 93 (snapshot −7, at count −2), a receipt of 12 (1002) and a pick of 4 (1003) after it:
 * live book 103. Without any decision the package posts −2 (target 101), the snapshot −7 beside it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adjustmentPackageSchema,
  movedItemsUndecidedSchema,
  type AdjustmentPackage,
  type CountSession,
} from '@stockverify/shared';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import {
  adjustmentXlsx,
  approveAndClose as approveAndCloseAs,
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

/**
 * ITM-B as in the worked example and ITM-A counted 8 of 10 with no movement; with `ambiguous`,
 * ITM-C counted 9 of 10 with a pick inside its count's uncertainty and a receipt of 3 after it.
 * Without `watermark` the session has none (expected at count unknown).
 */
async function movedSession(opts: { ambiguous: boolean; watermark?: boolean; high?: string }) {
  if (opts.watermark !== false) await mirrorAt1000(t, opts.high);
  const s = await createSession(t, sup.token);
  expect(s.erp_watermark).toBe(opts.watermark === false ? null : '1000');
  const c = await claimOk(t, alice.token, s.id, 'A-01');
  t.advance(30_000);
  const counted_at = '2026-12-06T08:34:00.000Z'; // 08:39 server time
  const records = [
    countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 93, counted_at }),
    countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 8, counted_at }),
    ...(opts.ambiguous
      ? [countRecord(s.id, 'A-01', 'ITM-C', c.fencing_token, { counted_qty: 9, counted_at })]
      : []),
  ];
  const answer = await syncFromPhone(t, alice.token, { client_sent_at: phone(), records });
  expect(answer.results.every((r) => r.status === 'OK')).toBe(true);
  await t.store.movements.record(
    [
      ...workedExampleMovements(),
      ...(opts.ambiguous
        ? [
            movement({
              item_code: 'ITM-C',
              watermark: '1004',
              posted_at: '2026-12-06T08:38:59.000Z',
              quantity: -1,
            }),
            movement({
              item_code: 'ITM-C',
              watermark: '1005',
              posted_at: '2026-12-06T09:20:00.000Z',
              quantity: 3,
            }),
          ]
        : []),
    ],
    { watermark: opts.ambiguous ? '1005' : '1003', pulled_at: '2026-12-06T09:41:00.000Z' },
  );
  return s;
}

const approveAndClose = (sessionId: string) => approveAndCloseAs(t, sup.token, sessionId);

const reconcile = (sessionId: string) =>
  t.request('POST', `/api/sessions/${sessionId}/reconcile`, { token: sup.token, body: {} });

async function packageOf(s: CountSession): Promise<AdjustmentPackage> {
  const res = await t.request('GET', `/api/sessions/${s.id}/adjustments`, { token: sup.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return adjustmentPackageSchema.parse(res.body.data);
}

async function xlsxRows(s: CountSession): Promise<Record<string, Record<string, unknown>>> {
  return (await adjustmentXlsx(t, sup.token, s.id)).rows;
}

describe('the package posts the variance at count of a moved item', () => {
  it('the worked example without any decision: −2 posted against the live book, −7 beside it', async () => {
    const s = await movedSession({ ambiguous: false });
    await approveAndClose(s.id);
    const rec = await reconcile(s.id);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    const pkg = await packageOf(s);
    const byCode = Object.fromEntries(pkg.rows.map((r) => [r.item_code, r]));
    expect(byCode['ITM-B']).toMatchObject({
      book_qty: 100,
      counted_qty: 93,
      variance: -2,
      snapshot_variance: -7,
      variance_at_count: -2,
      at_count_status: 'exact',
      basis: 'at_count',
      value_at_cost: -1,
      value_at_price: -2.5,
      moved_mode: null,
      live_book_qty: 103,
      live_book_watermark: '1003',
      target_qty: 101,
      moved_adjustment: -2,
      moved_refused: null,
    });
    // ITM-A never moved: the snapshot variance, which is its variance at count too.
    expect(byCode['ITM-A']).toMatchObject({
      variance: -2,
      snapshot_variance: -2,
      variance_at_count: -2,
      at_count_status: 'not_moved',
      basis: 'snapshot',
      moved_mode: null,
      live_book_qty: null,
      target_qty: null,
      moved_adjustment: null,
    });
    // Every row says what it posts and keeps the snapshot variance beside it.
    for (const r of pkg.rows) {
      expect(r.basis).not.toBeUndefined();
      expect(typeof r.snapshot_variance).toBe('number');
    }
    const variances = await t.store.lines.variances(s.id);
    const snapshotSum = variances.reduce((n, v) => n + v.variance, 0);
    expect(pkg.totals.variance).toBeCloseTo(snapshotSum + 7 - 2, 6);

    const rows = await xlsxRows(s);
    expect(rows['ITM-B']).toMatchObject({
      variance: -2,
      snapshot_variance: -7,
      variance_at_count: -2,
      at_count_status: 'exact',
      basis: 'at_count',
      live_book_qty: 103,
      target_qty: 101,
    });
    expect(rows['ITM-A']).toMatchObject({
      variance: -2,
      snapshot_variance: -2,
      basis: 'snapshot',
      at_count_status: 'not_moved',
    });
  });

  it('an explicit decision still wins: keep counted posts −10 with basis keep_counted', async () => {
    const s = await movedSession({ ambiguous: false });
    const d = await t.request('POST', `/api/sessions/${s.id}/items/ITM-B/moved-decision`, {
      token: sup.token,
      body: { mode: 'keep_counted' },
    });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    await approveAndClose(s.id);
    expect((await reconcile(s.id)).status).toBe(200);
    const row = (await packageOf(s)).rows.find((r) => r.item_code === 'ITM-B');
    expect(row).toMatchObject({
      variance: -10,
      snapshot_variance: -7,
      variance_at_count: -2,
      basis: 'keep_counted',
      moved_mode: 'keep_counted',
      target_qty: 93,
    });
  });

  it('a session without a watermark: every row on the snapshot, at count unknown', async () => {
    const s = await movedSession({ ambiguous: false, watermark: false });
    await approveAndClose(s.id);
    expect((await reconcile(s.id)).status).toBe(200);
    const pkg = await packageOf(s);
    const row = pkg.rows.find((r) => r.item_code === 'ITM-B');
    expect(row).toMatchObject({
      variance: -7,
      snapshot_variance: -7,
      variance_at_count: null,
      at_count_status: 'unknown',
      basis: 'snapshot',
    });
    // Nothing moved as far as the package can tell: the variances endpoint's totals.
    const variances = await t.store.lines.variances(s.id);
    expect(pkg.totals.variance).toBeCloseTo(
      variances.reduce((n, v) => n + v.variance, 0),
      6,
    );
  });

  it('an item that turned ambiguous after reconcile keeps the snapshot variance, flagged', async () => {
    const s = await movedSession({ ambiguous: false });
    await approveAndClose(s.id);
    expect((await reconcile(s.id)).status).toBe(200);
    await t.store.movements.record(
      [movement({ watermark: '1006', posted_at: '2026-12-06T08:38:59.000Z', quantity: -1 })],
      { watermark: '1006', pulled_at: '2026-12-06T09:45:00.000Z' },
    );
    const row = (await packageOf(s)).rows.find((r) => r.item_code === 'ITM-B');
    expect(row).toMatchObject({
      variance: -7,
      snapshot_variance: -7,
      variance_at_count: null,
      at_count_status: 'ambiguous',
      basis: 'snapshot',
      target_qty: null,
    });
  });
});

describe('reconcile refuses ambiguous moved items without a decision', () => {
  it('a movement in the snapshot’s window (no decision can take it) reconciles on the snapshot', async () => {
    // The pick 1001 was posted while the snapshot's stock was read: maybe in the book already.
    const s = await movedSession({ ambiguous: false, high: '1001' });
    expect(
      (
        await t.request('POST', `/api/sessions/${s.id}/items/ITM-B/moved-decision`, {
          token: sup.token,
          body: { mode: 'keep_counted' },
        })
      ).body.error?.code,
    ).toBe('MOVED_DECISION_AMBIGUOUS');
    await approveAndClose(s.id);
    const rec = await reconcile(s.id);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    expect((await packageOf(s)).rows.find((r) => r.item_code === 'ITM-B')).toMatchObject({
      variance: -7,
      snapshot_variance: -7,
      variance_at_count: null,
      at_count_status: 'ambiguous',
      basis: 'snapshot',
    });
  });

  it('409 MOVED_ITEMS_UNDECIDED naming ITM-C; keep its count and reconcile posts target − live book', async () => {
    const s = await movedSession({ ambiguous: true });
    await approveAndClose(s.id);
    const refused = await reconcile(s.id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error?.code).toBe('MOVED_ITEMS_UNDECIDED');
    expect(refused.body.error?.message).toContain('ITM-C');
    const ctx = movedItemsUndecidedSchema.parse({
      moved_items: refused.body.error?.moved_items,
      moved_items_total: refused.body.error?.moved_items_total,
    });
    expect(ctx).toEqual({
      moved_items: [
        {
          item_code: 'ITM-C',
          at_count_status: 'ambiguous',
          reason: 'within_uncertainty',
          decision: null,
        },
      ],
      moved_items_total: 1,
    });
    expect((await t.store.sessions.get(s.id))?.status).toBe('CLOSED');

    // Keeping the difference is refused for it; keeping the count settles it.
    const diff = await t.request('POST', `/api/sessions/${s.id}/items/ITM-C/moved-decision`, {
      token: sup.token,
      body: { mode: 'keep_difference' },
    });
    expect(diff.body.error?.code).toBe('MOVED_DECISION_AMBIGUOUS');
    const kept = await t.request('POST', `/api/sessions/${s.id}/items/ITM-C/moved-decision`, {
      token: sup.token,
      body: { mode: 'keep_counted' },
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    const rec = await reconcile(s.id);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);

    const pkg = await packageOf(s);
    // ITM-C: live book 10 − 1 + 3 = 12, target 9 (counted): post −3; snapshot −1 beside it.
    expect(pkg.rows.find((r) => r.item_code === 'ITM-C')).toMatchObject({
      variance: -3,
      snapshot_variance: -1,
      variance_at_count: null,
      at_count_status: 'ambiguous',
      basis: 'keep_counted',
      moved_mode: 'keep_counted',
      live_book_qty: 12,
      target_qty: 9,
      moved_adjustment: -3,
    });
    expect(pkg.rows.find((r) => r.item_code === 'ITM-B')).toMatchObject({
      variance: -2,
      basis: 'at_count',
    });
    const rows = await xlsxRows(s);
    expect(rows['ITM-C']).toMatchObject({
      variance: -3,
      snapshot_variance: -1,
      basis: 'keep_counted',
      at_count_status: 'ambiguous',
    });
  });
});
