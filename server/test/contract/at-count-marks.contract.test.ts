/**
 * The at-count drain's marks (docs/design.md §10, §13), on every Store adapter that runs here. A
 * line write in a session with an ERP watermark marks each item it touches for the drain. A mark
 * that waits (the drain has not read the item yet) is left as it is by the next writes: they are
 * in what the drain will read. Rewriting it on every write was a page per item at every commit,
 * nearly all of what the read model added to a batch of corrections (read-model-pages.test.ts).
 * A drain claims a mark before it reads the item; a write after the claim marks the item again, so
 * the figures the drain computed are not written and the item is computed again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CountLineRecord } from '../../src/ports/counting';
import { atCountOf, type AtCountMark } from '../../src/ports/read-model';
import type { Store } from '../../src/ports/store';
import { makeLine, makeSession, makeSnapshotRow } from '../support/counting-records';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';

const SESSION = 'S-MARKS';
let n = 0;
const count = (item: string, qty: number, supersedes: string | null = null): CountLineRecord =>
  makeLine(`op-marks-${++n}`, {
    id: `line-marks-${n}`,
    session_id: SESSION,
    rack: 'A-01',
    item_code: item,
    counted_qty: qty,
    book_qty: 5,
    variance: qty - 5,
    supersedes,
    counted_at: new Date(Date.parse('2026-12-06T08:00:00.000Z') + n * 1000).toISOString(),
  });

const exact = { ...atCountOf('unknown'), status: 'exact' as const, expected_m: 5000, vac_m: 0 };

for (const adapter of storeAdapters('at-count marks')) {
  describe(`at-count marks (${adapter.name})`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fx = await adapter.open();
      store = fx.store;
      await store.sessions.create(
        makeSession(SESSION, { racks: ['A-01'], snapshot_items: 2, erp_watermark: '0' }),
        ['ITM-1', 'ITM-2'].map((code) => makeSnapshotRow(SESSION, code, { book_qty: 5 })),
      );
    });
    afterEach(async () => {
      await fx.dispose();
    });

    const markOf = async (item: string): Promise<AtCountMark | undefined> =>
      (await store.readModel.dirtyAtCount(100)).find((m) => m.item_code === item);

    it('a waiting mark is left as it is by the next writes of its item', async () => {
      const first = count('ITM-1', 5);
      await store.lines.insertMany([first]);
      const waiting = await markOf('ITM-1');
      expect(waiting?.seq).toBeGreaterThan(0);
      await store.lines.insertMany([count('ITM-1', 5, first.op_id)]);
      if (adapter.name === 'sqlite') expect(await markOf('ITM-1')).toEqual(waiting);
      // The drain then reads both writes: its figures are written and the mark cleared.
      const claimed = await store.readModel.claimAtCount((await markOf('ITM-1'))!);
      expect(claimed?.seq).toBeLessThan(0);
      expect(await store.readModel.putAtCount(claimed!, exact)).toBe(true);
      expect(await markOf('ITM-1')).toBeUndefined();
    });

    it('a write after the claim marks the item again: the claimer writes nothing', async () => {
      const first = count('ITM-1', 5);
      await store.lines.insertMany([first]);
      const claimed = await store.readModel.claimAtCount((await markOf('ITM-1'))!);
      expect(claimed).not.toBeNull();
      await store.lines.insertMany([count('ITM-1', 7, first.op_id)]);
      const again = await markOf('ITM-1');
      expect(again?.seq).toBeGreaterThan(0);
      expect(await store.readModel.putAtCount(claimed!, exact)).toBe(false);
      expect(await markOf('ITM-1')).toEqual(again);
      const [row] = await store.readModel.atCountOf(SESSION, ['ITM-1']);
      expect(row?.status).toBe('pending');
    });

    it('a mark changed since it was read cannot be claimed; a claim left half-way can', async () => {
      await store.lines.insertMany([count('ITM-2', 4)]);
      const read = (await markOf('ITM-2'))!;
      const claimed = await store.readModel.claimAtCount(read);
      expect(claimed).not.toBeNull();
      // Another drain read the mark before the claim: its claim fails.
      expect(await store.readModel.claimAtCount(read)).toBeNull();
      // The first drain stopped before writing: its claimed mark is found and claimed again.
      const left = (await markOf('ITM-2'))!;
      expect(left.seq).toBe(claimed!.seq);
      const reclaimed = await store.readModel.claimAtCount(left);
      expect(reclaimed).not.toBeNull();
      expect(await store.readModel.putAtCount(claimed!, exact)).toBe(false);
      expect(await store.readModel.putAtCount(reclaimed!, exact)).toBe(true);
      expect(await markOf('ITM-2')).toBeUndefined();
    });
  });
}
