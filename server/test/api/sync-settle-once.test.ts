/**
 * A sync batch settles the bins it wrote once, after its last line (issue #16, docs/design.md §12
 * "When"): the lines go to the store a few at a time (issue #12 fairness), but their bins are
 * settled in one `BinRepo.settle` call — one store transaction — before the answer, not once per
 * chunk. A failed settlement fails the request; the phone's resend finds its lines stored
 * (DUPLICATE_OP) and settles them then, again in one call.
 */
import type { CountSession } from '@stockverify/shared';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeTurns } from '../../src/lib/turns';
import { createEventBus } from '../../src/modules/events/event-bus';
import { createSettlement } from '../../src/modules/recounts/settlement';
import { DEFAULT_REVIEW_THRESHOLDS, fallbackRule } from '../../src/modules/counting/review-rules';
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

/** 3 × `each` lines in A-01 (45 by default): ITM-A `each` times, ITM-B and ITM-C too. */
async function bigBatch(session: CountSession, each = 15) {
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  return ['ITM-A', 'ITM-B', 'ITM-C'].flatMap((item) =>
    Array.from({ length: each }, () =>
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

describe('a long batch shares the event loop', () => {
  it('each of its store chunks waits for a turn of write work (one per turn of the loop, lib/turns.ts)', async () => {
    const session = await createSession(t, supervisor.token);
    const records = await bigBatch(session, 40);
    const turns = vi.spyOn(writeTurns, 'next');
    try {
      const res = await sync(t, alice.token, records);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // 120 lines: three store chunks of at most 50, each followed by a turn; then the answers.
      expect(turns.mock.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      turns.mockRestore();
    }
  });

  it('starts its write work in a turn: what was already waiting when it arrived goes first', async () => {
    // A small batch (phase D of bench:session: 25 records a second from each of 20 phones) used
    // to check and write its lines straight in the request's own callback, so a read that arrived
    // in the same poll of the loop waited for every such batch before it (issue #13). Queued as
    // the request starts, a callback for the next check phase stands for that read: it must run
    // before the batch's first line is written.
    const session = await createSession(t, supervisor.token);
    const records = await bigBatch(session, 1);
    const seen: string[] = [];
    const get = vi.spyOn(t.store.idempotency, 'get');
    get.mockImplementationOnce((key, userId) => {
      setImmediate(() => seen.push('waiting before the batch'));
      get.mockRestore();
      return t.store.idempotency.get(key, userId);
    });
    const insertMany = vi.spyOn(t.store.lines, 'insertMany');
    insertMany.mockImplementation((lines) => {
      seen.push('lines written');
      insertMany.mockRestore();
      return t.store.lines.insertMany(lines);
    });
    const res = await sync(t, alice.token, records);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.counts).toMatchObject({ OK: 3 });
    expect(seen).toEqual(['waiting before the batch', 'lines written']);
  });

  it('a store transaction of lines starts a slice of its own, after a turn, not in the slice of the checks before it', async () => {
    // The checks of up to SLICE_MS and a 50-line transaction held the loop together; apart, a
    // read waits for the longer of the two (issue #13).
    const session = await createSession(t, supervisor.token);
    const records = await bigBatch(session, 20);
    const seen: string[] = [];
    const next = writeTurns.next.bind(writeTurns);
    const turns = vi.spyOn(writeTurns, 'next').mockImplementation(() => {
      seen.push('turn');
      return next();
    });
    const results = t.store.results;
    const get = results.get.bind(results);
    const checks = vi.spyOn(results, 'get').mockImplementation((opId) => {
      seen.push('check');
      return get(opId);
    });
    const lines = t.store.lines;
    const insert = lines.insertMany.bind(lines);
    const inserts = vi.spyOn(lines, 'insertMany').mockImplementation((batch) => {
      seen.push('insert');
      return insert(batch);
    });
    try {
      const res = await sync(t, alice.token, records);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.counts).toMatchObject({ OK: 60 });
    } finally {
      turns.mockRestore();
      checks.mockRestore();
      inserts.mockRestore();
    }
    const at = seen.flatMap((e, i) => (e === 'insert' ? [i] : []));
    expect(at).toHaveLength(2); // 50 + 10 lines
    for (const i of at) expect(seen[i - 1], seen.join(' ')).toBe('turn');
    expect(seen.filter((e) => e === 'check')).toHaveLength(60);
  });

  it('writes its lines 50 to a store transaction (FLUSH_LINES), so each commit’s fixed rows are shared', async () => {
    // At 20 a transaction the read model's upkeep cost 15 % of sync throughput, at 50 about 4 %
    // (bench:session at 60,000 lines; sync-batch.ts FLUSH_LINES).
    const session = await createSession(t, supervisor.token);
    const records = await bigBatch(session, 40);
    const insertMany = vi.spyOn(t.store.lines, 'insertMany');
    try {
      const res = await sync(t, alice.token, records);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.counts).toMatchObject({ OK: 120 });
      expect(insertMany.mock.calls.map(([lines]) => lines.length)).toEqual([50, 50, 20]);
    } finally {
      insertMany.mockRestore();
    }
  });
});

describe('settling many bins', () => {
  it('settles 40 bins a store transaction, with a turn of write work between transactions', async () => {
    const session = await createSession(t, supervisor.token);
    const settlement = createSettlement({
      store: t.store,
      coordination: t.coordination,
      events: createEventBus(t.coordination, pino({ level: 'silent' }), t.clock),
      clock: t.clock,
      fallback: fallbackRule(DEFAULT_REVIEW_THRESHOLDS),
    });
    const turns = vi.spyOn(writeTurns, 'next');
    try {
      const keys = Array.from({ length: 100 }, (_, i) => ({
        rack: `R-${String(i).padStart(3, '0')}`,
        item_code: 'ITM-A',
      }));
      const settled = await settlement.settleBins(session, keys);
      expect(settled.size).toBe(100);
      expect(calls).toEqual([{ keys: 40 }, { keys: 40 }, { keys: 20 }]);
      expect(turns).toHaveBeenCalledTimes(2);
    } finally {
      turns.mockRestore();
    }
  });
});
