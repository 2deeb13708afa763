/**
 * Review reads the variance at count (issue #17, docs/design.md §13 "Review at count"): the lines
 * page answers per line its item's figures at count from the read model (`item_at_count`, one
 * batched read per page) and filters by them (`at_count=explained|unexplained|unresolved`, in the
 * query, so the total and the pages agree). The worked example: ITM-B, book 100 at watermark
 * 1000, a pick of 5 posted before the count, 95 counted — snapshot −5, at count 0: the line a
 * supervisor reviews is explained once the drain computed it, unresolved (pending) before. Staff
 * never reach the route. Answers parsed with the shared schema.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countLinePageSchema, type CountLine } from '@stockverify/shared';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import {
  mirrorAt1000,
  movement,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };

/** One unit either way in WH-T, then a supervisor's approval: a line beyond it waits for review. */
const TIGHT_WAREHOUSE = {
  id: 'wh-tight',
  scope: { kind: 'warehouse', warehouse: 'WH-T' },
  thresholds: { shortage: { units: 1 }, overage: { units: 1 } },
  on_exceed: 'approve',
};

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
  const rule = await t.request('POST', '/api/tolerance-rules', {
    token: sup.token,
    body: TIGHT_WAREHOUSE,
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
});
afterEach(async () => {
  await t.close();
});

/**
 * ITM-B counted 95 (book 100) and ITM-A 12 (book 10) at 08:39 server time on a phone five
 * minutes slow; with a watermark, ITM-B's pick of 5 (1001, 08:30) is stored before the drain.
 */
async function countedSession(watermark: boolean) {
  if (watermark) await mirrorAt1000(t);
  const s = await createSession(t, sup.token);
  expect(s.erp_watermark).toBe(watermark ? '1000' : null);
  const c = await claimOk(t, alice.token, s.id, 'A-01');
  t.advance(30_000);
  const at = { counted_at: '2026-12-06T08:34:00.000Z', variance_reason: 'Found so' };
  const answer = await syncFromPhone(t, alice.token, {
    client_sent_at: slowPhone(t.clock()),
    records: [
      countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 95, ...at }),
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 12, ...at }),
    ],
  });
  expect(answer.results.map((r) => r.status)).toEqual(['OK', 'OK']);
  if (watermark) {
    await t.store.movements.record([movement({})], {
      watermark: '1001',
      pulled_at: '2026-12-06T09:41:00.000Z',
    });
  }
  return s;
}

async function lines(sessionId: string, query: string, token = sup.token) {
  const res = await t.request('GET', `/api/sessions/${sessionId}/lines?${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return countLinePageSchema.parse(res.body.data);
}

const byItem = (items: readonly CountLine[]) =>
  Object.fromEntries(items.map((l) => [l.item_code, l]));
const codes = (items: readonly CountLine[]) => items.map((l) => l.item_code).sort();

describe('GET /sessions/:id/lines: the item at count beside each line', () => {
  it('the worked example: unresolved (pending) before the drain, explained after it', async () => {
    const s = await countedSession(true);
    const before = await lines(s.id, 'status=NEEDS_REVIEW');
    expect(codes(before.items)).toEqual(['ITM-A', 'ITM-B']);
    const pendingB = byItem(before.items)['ITM-B']!;
    // Flagged on the snapshot variance: beyond the rule, waiting for a supervisor.
    expect([pendingB.variance, pendingB.tolerance?.within]).toEqual([-5, false]);
    expect(pendingB.item_at_count).toEqual({
      status: 'pending',
      variance_at_count: null,
      variance_at_count_low: null,
      variance_at_count_high: null,
      provisional: false,
      within: null,
      action: null,
    });
    expect((await lines(s.id, 'status=NEEDS_REVIEW&at_count=explained')).total).toBe(0);
    const unresolved = await lines(s.id, 'status=NEEDS_REVIEW&at_count=unresolved');
    expect([unresolved.total, codes(unresolved.items)]).toEqual([2, ['ITM-A', 'ITM-B']]);

    expect(await t.services.atCount.drain()).toBe(2);
    const after = byItem((await lines(s.id, 'status=NEEDS_REVIEW')).items);
    expect(after['ITM-B']!.variance).toBe(-5);
    expect(after['ITM-B']!.item_at_count).toMatchObject({
      status: 'exact',
      variance_at_count: 0,
      variance_at_count_low: 0,
      variance_at_count_high: 0,
      within: true,
      action: 'accept',
    });
    // ITM-A did not move: its variance at count is its snapshot variance, beyond its rule.
    expect(after['ITM-A']!.item_at_count).toMatchObject({
      status: 'exact',
      variance_at_count: 2,
      within: false,
    });

    const explained = await lines(s.id, 'status=NEEDS_REVIEW&at_count=explained');
    expect([explained.total, codes(explained.items)]).toEqual([1, ['ITM-B']]);
    const unexplained = await lines(s.id, 'status=NEEDS_REVIEW&at_count=unexplained');
    expect([unexplained.total, codes(unexplained.items)]).toEqual([1, ['ITM-A']]);
    expect((await lines(s.id, 'status=NEEDS_REVIEW&at_count=unresolved')).total).toBe(0);

    // The supervisor approves the explained line with the existing review action.
    const ok = await t.request('PATCH', `/api/lines/${explained.items[0]!.id}/review`, {
      token: sup.token,
      body: { decision: 'approve' },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await lines(s.id, 'status=NEEDS_REVIEW&at_count=explained')).total).toBe(0);
  });

  it('filters in the query: the total counts every match and the pages walk them', async () => {
    const s = await countedSession(true);
    // ITM-C (book 10) counted 1 in A-02: not moved, beyond its rule.
    const c = await claimOk(t, alice.token, s.id, 'A-02');
    await syncFromPhone(t, alice.token, {
      client_sent_at: slowPhone(t.clock()),
      records: [
        countRecord(s.id, 'A-02', 'ITM-C', c.fencing_token, {
          counted_qty: 1,
          counted_at: '2026-12-06T08:35:00.000Z',
          variance_reason: 'Found so',
        }),
      ],
    });
    await t.services.atCount.drain();
    expect((await lines(s.id, '')).total).toBe(3);
    const explained = await lines(s.id, 'at_count=explained&page_size=1');
    expect([explained.total, codes(explained.items)]).toEqual([1, ['ITM-B']]);
    const first = await lines(s.id, 'at_count=unexplained&page_size=1');
    const second = await lines(s.id, 'at_count=unexplained&page_size=1&page=2');
    expect([first.total, second.total]).toEqual([2, 2]);
    expect(codes([...first.items, ...second.items])).toEqual(['ITM-A', 'ITM-C']);
    // With the other filters.
    const rack = await lines(s.id, 'at_count=unexplained&rack=A-02');
    expect([rack.total, codes(rack.items)]).toEqual([1, ['ITM-C']]);
    expect((await lines(s.id, 'at_count=explained&has_variance=false')).total).toBe(0);

    // Rejected, ITM-C's only line stops counting: the item leaves the model, its line is listed
    // unresolved with no figures.
    const reject = await t.request('PATCH', `/api/lines/${rack.items[0]!.id}/review`, {
      token: sup.token,
      body: { decision: 'reject' },
    });
    expect(reject.status, JSON.stringify(reject.body)).toBe(200);
    expect(await t.store.readModel.atCountOf(s.id, ['ITM-C'])).toEqual([]);
    const gone = await lines(s.id, 'at_count=unresolved');
    expect([gone.total, codes(gone.items), gone.items[0]!.item_at_count]).toEqual([
      1,
      ['ITM-C'],
      null,
    ]);
    expect((await lines(s.id, 'at_count=unexplained')).total).toBe(1);
  });

  it('reads the page’s items at count in one read, never per line', async () => {
    const s = await countedSession(true);
    await t.services.atCount.drain();
    const read = vi.spyOn(t.store.readModel, 'atCountOf');
    try {
      await lines(s.id, 'page_size=10');
      expect(read).toHaveBeenCalledTimes(1);
      expect([...read.mock.calls[0]![1]].sort()).toEqual(['ITM-A', 'ITM-B']);
    } finally {
      read.mockRestore();
    }
  });

  it('a session without an ERP watermark: null, and every line unresolved', async () => {
    const s = await countedSession(false);
    await t.services.atCount.drain();
    const page = await lines(s.id, '');
    expect(page.items.map((l) => l.item_at_count)).toEqual([null, null]);
    expect((await lines(s.id, 'at_count=unresolved')).total).toBe(2);
    expect((await lines(s.id, 'at_count=explained')).total).toBe(0);
  });

  it('refuses a bad filter on its field', async () => {
    const s = await countedSession(true);
    for (const value of ['maybe', 'EXPLAINED', '']) {
      const res = await t.request('GET', `/api/sessions/${s.id}/lines?at_count=${value}`, {
        token: sup.token,
      });
      expect(res.status).toBe(400);
      expect(res.body.error?.details?.[0]?.path).toBe('query.at_count');
    }
  });

  it('staff never get it: the route refuses them, and their rack lines carry no figures', async () => {
    const s = await countedSession(true);
    await t.services.atCount.drain();
    const res = await t.request('GET', `/api/sessions/${s.id}/lines`, { token: alice.token });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('item_at_count');
    const rack = await t.request('GET', `/api/sessions/${s.id}/racks/A-01/lines`, {
      token: alice.token,
    });
    expect(rack.status).toBe(200);
    expect(JSON.stringify(rack.body)).not.toContain('at_count');
  });
});
