/**
 * Bins judged at count (issue #17: "tolerances apply to the expected-at-count variance";
 * docs/design.md §13 "Bins judged at count"). ITM-B has a book of 100, all in A-01, and a tight
 * rule (one unit either way, blind recount). The ERP posts a pick of 5 at 08:30, after the
 * snapshot (watermark 1000) and before the count: the bin's book at count is 95.
 *
 * - counted 95: the snapshot's tolerance opens a recount; once the drain knows the book at count
 *   the bin settles within tolerance and the task is cancelled;
 * - counted 100 (the snapshot's figure, 5 over what was there): settled at once, then sent to a
 *   recount by the drain;
 * - a correction within the snapshot's tolerance of a bin judged at count is settled at once;
 * - a pick the clocks cannot order against the count leaves the bin on its snapshot book.
 */
import { randomUUID } from 'node:crypto';
import { binDetailSchema, type CountSession, type ErpMovement } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
const BIN = { rack: 'A-01', item_code: 'ITM-B' };

beforeEach(async () => {
  ledger = [];
  t = await startTestApp({ startAt: new Date(SERVER_START), erp: ledgerErp(ledger) });
  await seedCounting(t);
  sup = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
  await t.userWithRole('staff', 'bob');
  const rule = await t.request('POST', '/api/tolerance-rules', {
    token: sup.token,
    body: {
      id: 'bravo-tight',
      scope: { kind: 'item', item_code: 'ITM-B' },
      thresholds: { shortage: { units: 1 }, overage: { units: 1 } },
      on_exceed: 'recount',
      recount_phases: 2,
    },
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  await mirrorAt1000(t);
});
afterEach(async () => {
  await t.close();
});

/** Alice's count of ITM-B in A-01 at 08:34 on her phone (five minutes slow: 08:39 server time). */
async function count(session: CountSession, qty: number, supersedes?: string) {
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  const record = countRecord(session.id, 'A-01', 'ITM-B', held.fencing_token, {
    counted_qty: qty,
    counted_at: '2026-12-06T08:34:00.000Z',
    variance_reason: 'Found so',
    ...(supersedes ? { supersedes } : {}),
  });
  const res = await t.request('POST', '/api/sync/batch', {
    token: alice.token,
    body: { device_id: 'phone-7', client_sent_at: slowPhone(t.clock()), records: [record] },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const data = res.body.data as { results: Array<{ status: string }> };
  expect(data.results[0], JSON.stringify(data)).toMatchObject({ status: 'OK' });
  return record;
}

/** The ERP's movements pulled, then the read model's drain (which judges bins at count). */
async function pullAndDrain() {
  t.advance(60_000);
  const puller = t.services.erp.movementPuller({ intervalMs: 60_000, log: quiet });
  await puller.tick();
  await t.services.atCount.drain();
}

async function detail(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/bins/A-01/ITM-B`, {
    token: sup.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binDetailSchema.parse(res.body.data);
}

const openTasks = async (session: CountSession) =>
  (await t.store.recountTasks.list(session.id, { state: 'open', page: 1, page_size: 50 })).items;

describe('a bin judged on its book at count', () => {
  it('a shortage the pick explains: the recount opened on the snapshot is cancelled', async () => {
    ledger.push(movement({ warehouse: 'WH-T', rack: null }));
    const session = await createSession(t, sup.token);
    expect(session.erp_watermark).toBe('1000');
    t.advance(30_000);
    await count(session, 95);
    // On the snapshot's book (100) 95 is five short: a blind recount.
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'open',
      reason: 'exceeds_tolerance',
    });
    expect(await openTasks(session)).toHaveLength(1);

    await pullAndDrain();
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'settled',
      reason: 'within_tolerance',
      quantity: 95,
      book_qty: 95,
    });
    expect(await openTasks(session)).toHaveLength(0);
    const d = await detail(session);
    expect(d.book).toEqual({ basis: 'at_count', snapshot_qty: 100, at_count_qty: 95 });
  });

  it('the snapshot’s figure, five over what was there when counted: sent to a recount', async () => {
    ledger.push(movement({ warehouse: 'WH-T', rack: null }));
    const session = await createSession(t, sup.token);
    t.advance(30_000);
    await count(session, 100);
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'settled',
      reason: 'within_tolerance',
    });
    expect(await openTasks(session)).toHaveLength(0);

    await pullAndDrain();
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'open',
      reason: 'exceeds_tolerance',
      book_qty: 95,
    });
    expect(await openTasks(session)).toHaveLength(1);
  });

  it('a correction within the snapshot’s tolerance is judged at count at once', async () => {
    // A pick of 1: the book at count is 99, and a count of 100 is within both tolerances, so the
    // bin needs no row; the drain keeps its book at count.
    ledger.push(movement({ warehouse: 'WH-T', rack: null, quantity: -1 }));
    const session = await createSession(t, sup.token);
    t.advance(30_000);
    const first = await count(session, 100);
    await pullAndDrain();
    expect(await t.store.bins.list(session.id, { page: 1, page_size: 10 })).toMatchObject({
      total: 0,
    });
    expect((await detail(session)).book).toMatchObject({ basis: 'at_count', at_count_qty: 99 });
    // 101: within the snapshot's tolerance (the line's own decision), two over the book at count.
    await count(session, 101, first.op_id);
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'open',
      reason: 'exceeds_tolerance',
      book_qty: 99,
    });
  });

  it('a reconciled session’s bins are never judged again', async () => {
    ledger.push(movement({ warehouse: 'WH-T', rack: null }));
    const session = await createSession(t, sup.token);
    t.advance(30_000);
    await count(session, 100);
    // The pick is pulled (the item marked for the drain), then the session is reconciled on the
    // snapshot's book (the store's transition, as reconcile does) before the drain runs.
    t.advance(60_000);
    await t.services.erp.movementPuller({ intervalMs: 60_000, log: quiet }).tick();
    expect(await t.store.readModel.dirtyAtCount(10)).toHaveLength(1);
    const now = t.clock().toISOString();
    expect(
      await t.store.sessions.transition(session.id, ['OPEN'], 'RECONCILED', {
        closed_at: now,
        reconciled_at: now,
        updated_at: now,
      }),
    ).not.toBeNull();
    await t.services.atCount.drain();
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'settled',
      reason: 'within_tolerance',
    });
    expect(await openTasks(session)).toHaveLength(0);
    expect((await detail(session)).book).toMatchObject({ basis: 'snapshot' });
  });

  it('a pick the clocks cannot order against the count: judged on the snapshot', async () => {
    // Posted at the count's own minute (08:39 server time): within its uncertainty window.
    ledger.push(movement({ warehouse: 'WH-T', rack: null, posted_at: '2026-12-06T08:39:00.000Z' }));
    const session = await createSession(t, sup.token);
    t.advance(30_000);
    await count(session, 95);
    await pullAndDrain();
    expect(await t.store.bins.get(session.id, BIN)).toMatchObject({
      state: 'open',
      reason: 'exceeds_tolerance',
      book_qty: 100,
    });
    const d = await detail(session);
    expect(d.book).toEqual({ basis: 'snapshot', snapshot_qty: 100, at_count_qty: null });
  });
});
