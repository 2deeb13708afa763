/**
 * What a counter's correction reads of its bin (issues #13, #16): whether the bin is decided
 * (BIN_DECIDED, docs/design.md §12) is asked of the bin's decisions, not of the bin record. A bin
 * one counter counted within tolerance has no row, and its record is computed from every line it
 * ever had, so a correction cost grew with the bin's history — in `bench:session` phones
 * correcting bins of hundreds of lines spent a quarter of the API's CPU there, and batches
 * crossed the store's 30 s timeout. A decided bin is still refused (bins.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countRecord, seedCounting, sync } from '../support/counting-fixture';
import { sessionWithA01Held } from '../support/recount-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

describe('a correction of a count', () => {
  it('reads whether its bin is decided without computing the bin from its lines', async () => {
    const { alice, session, held } = await sessionWithA01Held(t);
    // A first count right on the book (ITM-A: 10 in A-01): within tolerance, the bin has no row.
    let standing = countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, {
      counted_qty: 10,
    });
    const first = await sync(t, alice.token, [standing]);
    expect(first.body.data.results[0]).toMatchObject({ status: 'OK' });

    const binRecord = vi.spyOn(t.store.bins, 'get');
    for (let n = 0; n < 5; n++) {
      const fix = countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, {
        counted_qty: 10,
        supersedes: standing.op_id,
      });
      const res = await sync(t, alice.token, [fix]);
      expect(res.body.data.results[0], JSON.stringify(res.body)).toMatchObject({ status: 'OK' });
      standing = fix;
    }
    expect(binRecord).not.toHaveBeenCalled();
    // The corrections stood: one live line of 10.
    const lines = await t.store.bins.lines(session.id, { rack: 'A-01', item_code: 'ITM-A' });
    expect(lines).toHaveLength(6);
    expect(lines.filter((l) => l.superseded_by === null).map((l) => l.counted_qty)).toEqual([10]);
  });
});
