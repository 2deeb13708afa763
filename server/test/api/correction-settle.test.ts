/**
 * A counter correcting their own count (issue #16's budget, docs/design.md §12 "When"): a
 * correction within tolerance of a bin that has no row and no other counter's line cannot change
 * the bin — before and after, one counter's one count within tolerance, which needs no row — so
 * it takes the first count's path (`BinRepo.needsSettling`, one indexed read) instead of
 * re-settling the bin from every line it ever had. In `bench:session` phones correct their
 * standing line of every bin, and settling each correction cost half the sync's throughput.
 * Every other correction is settled: out of tolerance, in a bin with a row, next to another
 * counter's line, or a counter's second live line of the item (REPEATED_COUNT). Each case checks
 * the bin against a settlement forced from the lines, so a skipped one is shown to be right.
 */
import type { CountSession } from '@stockverify/shared';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/modules/events/event-bus';
import { DEFAULT_REVIEW_THRESHOLDS, fallbackRule } from '../../src/modules/counting/review-rules';
import { createSettlement } from '../../src/modules/recounts/settlement';
import type { BinKey, BinRepo } from '../../src/ports/bins';
import { claimOk, countRecord, createSession, sync } from '../support/counting-fixture';
import { startRecountApp, type User } from '../support/recount-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: User;
let alice: User;
let bob: User;
/** Bins handed to `BinRepo.settle`, per call. */
let settled: string[][];

const A01_ITM_A: BinKey = { rack: 'A-01', item_code: 'ITM-A' };

beforeEach(async () => {
  ({ t, supervisor, alice, bob } = await startRecountApp());
  settled = [];
  const bins = t.store.bins as { settle: BinRepo['settle'] };
  const settle = bins.settle.bind(bins);
  bins.settle = async (sessionId, keys, callback) => {
    settled.push(keys.map((k) => `${k.rack}/${k.item_code}`));
    return settle(sessionId, keys, callback);
  };
});
afterEach(async () => {
  await t.close();
});

/** Alice's count of ITM-A in A-01 (book 10 there; the tight rule allows one unit either way). */
async function aliceCounts(session: CountSession, qty: number, supersedes?: string) {
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  const record = countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, {
    counted_qty: qty,
    variance_reason: 'Found so',
    ...(supersedes ? { supersedes } : {}),
  });
  const res = await sync(t, alice.token, [record]);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.data.results[0], JSON.stringify(res.body.data)).toMatchObject({ status: 'OK' });
  return record;
}

/**
 * The bin as stored (its row, or null), then as a settlement forced from its lines writes it:
 * a skipped settlement was right when the two agree.
 */
async function storedAndForced(session: CountSession, key: BinKey = A01_ITM_A) {
  const row = (await t.store.bins.list(session.id, { page: 1, page_size: 100 })).items.find(
    (b) => b.rack === key.rack && b.item_code === key.item_code,
  );
  const settlement = createSettlement({
    store: t.store,
    coordination: t.coordination,
    events: createEventBus(t.coordination, pino({ level: 'silent' }), t.clock),
    clock: t.clock,
    fallback: fallbackRule(DEFAULT_REVIEW_THRESHOLDS),
  });
  const fresh = await settlement.settleBins(session, [key]);
  const forced = fresh.get(`${key.rack}\u0000${key.item_code}`) ?? null;
  return { row: row ?? null, forced };
}

describe('a counter correcting their own count', () => {
  it('within tolerance in a bin with no row: nothing to settle, and none was needed', async () => {
    const session = await createSession(t, supervisor.token);
    let standing = await aliceCounts(session, 10);
    settled = [];
    for (const qty of [11, 9, 10]) standing = await aliceCounts(session, qty, standing.op_id);
    expect(settled).toEqual([]);
    const { row, forced } = await storedAndForced(session);
    expect(row).toBeNull();
    expect(forced).toBeNull();
    // The bin stands at the last correction, settled within tolerance.
    const bin = await t.store.bins.get(session.id, A01_ITM_A);
    expect(bin).toMatchObject({ state: 'settled', reason: 'within_tolerance', quantity: 10 });
  });

  it('out of tolerance: the bin is settled and opens a recount', async () => {
    const session = await createSession(t, supervisor.token);
    const standing = await aliceCounts(session, 10);
    settled = [];
    await aliceCounts(session, 14, standing.op_id);
    expect(settled).toEqual([['A-01/ITM-A']]);
    const { row, forced } = await storedAndForced(session);
    expect(row).toMatchObject({ state: 'open', reason: 'exceeds_tolerance', phase: 1 });
    expect(forced).toMatchObject({ state: 'open', reason: 'exceeds_tolerance', phase: 1 });
  });

  it('back within tolerance in a bin that has a row: settled (the row must follow)', async () => {
    const session = await createSession(t, supervisor.token);
    const outside = await aliceCounts(session, 14);
    expect((await t.store.bins.get(session.id, A01_ITM_A))?.state).toBe('open');
    settled = [];
    await aliceCounts(session, 10, outside.op_id);
    expect(settled).toEqual([['A-01/ITM-A']]);
    const { row, forced } = await storedAndForced(session);
    expect(row).not.toBeNull();
    expect(forced).toMatchObject({ state: row!.state, reason: row!.reason, phase: row!.phase });
  });

  it('next to another counter’s count: settled', async () => {
    const session = await createSession(t, supervisor.token);
    const standing = await aliceCounts(session, 10);
    // Bob counts ITM-A in A-01 too, within tolerance (a second voice in the bin).
    await t.request('POST', `/api/sessions/${session.id}/racks/A-01/release`, {
      token: alice.token,
      body: {},
    });
    const held = await claimOk(t, bob.token, session.id, 'A-01');
    const bobs = await sync(t, bob.token, [
      countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, { counted_qty: 10 }),
    ]);
    expect(bobs.body.data.results[0], JSON.stringify(bobs.body.data)).toMatchObject({
      status: 'OK',
    });
    await t.request('POST', `/api/sessions/${session.id}/racks/A-01/release`, {
      token: bob.token,
      body: {},
    });
    settled = [];
    await aliceCounts(session, 11, standing.op_id);
    expect(settled).toEqual([['A-01/ITM-A']]);
    const { row, forced } = await storedAndForced(session);
    expect(forced).toMatchObject({ state: row?.state, quantity: row?.quantity });
  });

  it('a counter with a second live line of the item (REPEATED_COUNT): settled', async () => {
    const session = await createSession(t, supervisor.token);
    // Two lines of 5 by alice: together on the book (10), no row needed.
    const a = await aliceCounts(session, 5);
    await aliceCounts(session, 5);
    expect(await t.store.bins.get(session.id, A01_ITM_A)).toMatchObject({ quantity: 10 });
    settled = [];
    // Correcting one line to 6: within tolerance on its own, but the bin is judged on the sum.
    await aliceCounts(session, 6, a.op_id);
    expect(settled).toEqual([['A-01/ITM-A']]);
    const { row, forced } = await storedAndForced(session);
    expect(forced === null ? null : forced.quantity).toBe(row === null ? null : row.quantity);
    expect(await t.store.bins.get(session.id, A01_ITM_A)).toMatchObject({ quantity: 11 });
  });
});
