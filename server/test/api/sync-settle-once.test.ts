/**
 * A sync batch settles the bins it wrote once, after its last line (issue #16, docs/design.md §12
 * "When"): the lines go to the store a few at a time (issue #12 fairness), but their bins are
 * settled in one `BinRepo.settle` call — one store transaction — before the answer, not once per
 * chunk. A failed settlement fails the request; the phone's resend finds its lines stored
 * (DUPLICATE_OP) and settles them then, again in one call.
 */
import type { CountSession } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BinRepo } from '../../src/ports/bins';
import { claimOk, countRecord, createSession, sync } from '../support/counting-fixture';
import { startRecountApp, type User } from '../support/recount-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: User;
let alice: User;
let calls: Array<{ keys: number }>;
let failNext: boolean;

beforeEach(async () => {
  ({ t, supervisor, alice } = await startRecountApp());
  calls = [];
  failNext = false;
  const bins = t.store.bins as { settle: BinRepo['settle'] };
  const settle = bins.settle.bind(bins);
  bins.settle = async (sessionId, keys, callback) => {
    calls.push({ keys: keys.length });
    if (failNext) {
      failNext = false;
      throw new Error('settlement failed (test)');
    }
    return settle(sessionId, keys, callback);
  };
});
afterEach(async () => {
  await t.close();
});

/** 45 lines (more than one store chunk of 20) in A-01: ITM-A 15 times, ITM-B and ITM-C too. */
async function bigBatch(session: CountSession) {
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  return ['ITM-A', 'ITM-B', 'ITM-C'].flatMap((item) =>
    Array.from({ length: 15 }, () =>
      countRecord(session.id, 'A-01', item, held.fencing_token, {
        counted_qty: 3,
        variance_reason: 'Found so',
      }),
    ),
  );
}

async function binStates(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/bins`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const items = (res.body.data as { items: Array<{ item_code: string; state: string }> }).items;
  return Object.fromEntries(items.map((b) => [b.item_code, b.state]));
}

describe('a sync batch settles its bins once', () => {
  it('45 lines over three doubtful bins: one settle call naming the three bins', async () => {
    const session = await createSession(t, supervisor.token);
    const records = await bigBatch(session);
    const res = await sync(t, alice.token, records);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.counts).toMatchObject({ OK: 45 });
    expect(calls).toEqual([{ keys: 3 }]);
    // ITM-A (the tight rule): 45 against a book of 10 opens a recount; the others (book 100 in
    // A-01, 0 in A-01 for ITM-C) are judged by the default rule: outside it, they open one too.
    expect(await binStates(session)).toMatchObject({ 'ITM-A': 'open' });
  });

  it('a failed settlement fails the request; the resend settles the stored lines in one call', async () => {
    const session = await createSession(t, supervisor.token);
    const records = await bigBatch(session);
    failNext = true;
    const failed = await sync(t, alice.token, records, 'batch-key-1');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(calls).toEqual([{ keys: 3 }]);
    expect(await binStates(session)).toEqual({});

    calls = [];
    const again = await sync(t, alice.token, records, 'batch-key-1');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data.counts).toMatchObject({ OK: 45 });
    expect(calls).toEqual([{ keys: 3 }]);
    expect(await binStates(session)).toMatchObject({ 'ITM-A': 'open' });
  });
});
