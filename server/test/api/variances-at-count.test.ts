/**
 * The variances page's expected at count (issue #17, docs/design.md §10, §13), through the API: a
 * count in a session with an ERP watermark is `pending` until the read model's drain computed it;
 * a movement pulled after the count (a pick posted before it) marks the item pending again and,
 * drained, moves it in the `variance_at_count` order to where its variance at count puts it — the
 * figures equal what `GET /sessions/:id/items/:code/expected` answers. A session without a
 * watermark writes no marks on the sync path. Answers parsed with the shared schema.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeTurns } from '../../src/lib/turns';
import {
  itemExpectedAnswerSchema,
  variancesPageSchema,
  type ErpMovement,
  type VariancesPage,
} from '@stockverify/shared';
import { claimOk, countRecord, createSession, seedCounting } from '../support/counting-fixture';
import {
  ledgerErp,
  mirrorAt1000,
  movement,
  SERVER_START,
  slowPhone,
} from '../support/movements-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string };
/** The ERP's ledger as the test posts to it; the puller reads it page by page. */
let ledger: ErpMovement[];
const quiet = { info: () => {}, warn: () => {} };

beforeEach(async () => {
  ledger = [];
  t = await startTestApp({ startAt: new Date(SERVER_START), erp: ledgerErp(ledger) });
  await seedCounting(t);
  sup = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

async function sync(body: Record<string, unknown>) {
  const res = await t.request('POST', '/api/sync/batch', {
    token: alice.token,
    body: { device_id: 'phone-7', client_sent_at: slowPhone(t.clock()), ...body },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function page(sessionId: string, query: string): Promise<VariancesPage> {
  const res = await t.request('GET', `/api/sessions/${sessionId}/variances?${query}`, {
    token: sup.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return variancesPageSchema.parse(res.body.data);
}

const rows = (p: VariancesPage) =>
  p.items.map((v) => [v.item_code, v.at_count_status, v.variance_at_count]);

/** ITM-A counted 12 (book 10) and ITM-B 95 (book 100) at 08:34 on a phone five minutes slow. */
async function countedSession(watermark: boolean) {
  if (watermark) await mirrorAt1000(t);
  const s = await createSession(t, sup.token);
  expect(s.erp_watermark).toBe(watermark ? '1000' : null);
  const c = await claimOk(t, alice.token, s.id, 'A-01');
  t.advance(30_000);
  const at = { counted_at: '2026-12-06T08:34:00.000Z' };
  await sync({
    records: [
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 12, ...at }),
      countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 95, ...at }),
    ],
  });
  return s;
}

describe('GET /sessions/:id/variances: variance at count', () => {
  it('is pending until drained; a pick pulled after the count moves the item in the order', async () => {
    const s = await countedSession(true);
    // Written, not yet computed: pending, last in the order, by item code.
    expect(rows(await page(s.id, 'sort=-variance_at_count'))).toEqual([
      ['ITM-A', 'pending', null],
      ['ITM-B', 'pending', null],
    ]);
    expect((await page(s.id, 'at_count_within=true')).total).toBe(0);
    await t.services.atCount.drain();
    expect(rows(await page(s.id, 'sort=-variance_at_count'))).toEqual([
      ['ITM-B', 'exact', -5],
      ['ITM-A', 'exact', 2],
    ]);

    // The ERP posts a pick of 5 at 08:30 (before the count); the pull stores it after the count.
    ledger.push(movement({}));
    t.advance(60_000);
    const puller = t.services.erp.movementPuller({ intervalMs: 60_000, log: quiet });
    expect(await puller.tick()).toMatchObject({ inserted: 1 });
    expect(rows(await page(s.id, 'sort=-variance_at_count'))).toEqual([
      ['ITM-A', 'exact', 2],
      ['ITM-B', 'pending', null],
    ]);
    await t.services.atCount.drain();
    const desc = await page(s.id, 'sort=-variance_at_count');
    expect(rows(desc)).toEqual([
      ['ITM-A', 'exact', 2],
      ['ITM-B', 'exact', 0],
    ]);
    expect(rows(await page(s.id, 'sort=variance_at_count'))).toEqual([
      ['ITM-B', 'exact', 0],
      ['ITM-A', 'exact', 2],
    ]);
    // Beside the snapshot variance, the figures the item's expected route answers.
    const itmB = desc.items[1]!;
    const res = await t.request('GET', `/api/sessions/${s.id}/items/ITM-B/expected`, {
      token: sup.token,
    });
    const answer = itemExpectedAnswerSchema.parse(res.body.data);
    expect(itmB).toMatchObject({
      variance: -5,
      expected_qty: answer.expected!.expected_milli! / 1000,
      variance_at_count: answer.expected!.variance_at_count_milli! / 1000,
      variance_at_count_low: 0,
      variance_at_count_high: 0,
      at_count_provisional: answer.expected!.provisional,
      hints: [...new Set(answer.hints.map((h) => h.kind))],
    });
    expect(itmB.hints).toContain('movement_near_count');
    // The rule on the variance at count (design §13 "Next" (3)): 95 against 95 is within.
    expect([itmB.at_count_within, itmB.at_count_action]).toEqual([true, 'accept']);
    const within = await page(s.id, 'sort=item_code&at_count_within=true');
    expect(within.items.map((v) => v.item_code)).toContain('ITM-B');

    // Filters: by state and by hint, with the filter's total; a cursor walks them.
    const near = await page(s.id, 'sort=-variance_at_count&hint=movement_near_count');
    expect([near.total, near.items.map((v) => v.item_code)]).toEqual([1, ['ITM-B']]);
    expect((await page(s.id, 'at_count_status=pending')).total).toBe(0);
    const first = await page(s.id, 'sort=-variance_at_count&page_size=1');
    expect(first.items[0]!.item_code).toBe('ITM-A');
    const next = await page(s.id, `sort=-variance_at_count&page_size=1&after=${first.next_after}`);
    expect([next.items[0]!.item_code, next.next_after]).toEqual(['ITM-B', null]);
  });

  it('refuses a bad state or hint on its field', async () => {
    const s = await countedSession(true);
    for (const [query, field] of [
      ['at_count_status=late', 'query.at_count_status'],
      ['hint=gremlins', 'query.hint'],
      ['sort=variance_at_countx', 'query.sort'],
      ['at_count_within=maybe', 'query.at_count_within'],
    ]) {
      const res = await t.request('GET', `/api/sessions/${s.id}/variances?${query}`, {
        token: sup.token,
      });
      expect(res.status).toBe(400);
      expect(res.body.error?.details?.[0]?.path).toBe(field);
    }
  });

  it('a session without an ERP watermark: unknown, and the sync path writes no marks', async () => {
    const s = await countedSession(false);
    expect(await t.store.readModel.dirtyAtCount(100)).toEqual([]);
    expect(rows(await page(s.id, 'sort=-variance_at_count'))).toEqual([
      ['ITM-A', 'unknown', null],
      ['ITM-B', 'unknown', null],
    ]);
    // A watermarked session's counts are marked in the same write (the control).
    const w = await countedSession(true);
    expect((await t.store.readModel.dirtyAtCount(100)).map((m) => m.session_id)).toEqual([
      w.id,
      w.id,
    ]);
  });
});

describe('the at-count drain shares the event loop', () => {
  it('takes a turn of write work after each item, as a sync batch’s chunks do (lib/turns.ts)', async () => {
    await countedSession(true);
    const turns = vi.spyOn(writeTurns, 'next');
    try {
      expect(await t.services.atCount.drain()).toBe(2);
      expect(turns).toHaveBeenCalledTimes(2);
    } finally {
      turns.mockRestore();
    }
  });
});
