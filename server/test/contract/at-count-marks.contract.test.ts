/**
 * The at-count drain's marks (docs/design.md §10, §13), on every Store adapter that runs here. A
 * line write in a session with an ERP watermark marks each item it touches for the drain. A mark
 * that waits (the drain has not read the item yet) is left as it is by the next writes: they are
 * in what the drain will read. Rewriting it on every write was a page per item at every commit,
 * nearly all of what the read model added to a batch of corrections (read-model-pages.test.ts).
 * A drain claims a mark before it reads the item; a write after the claim marks the item again, so
 * the figures the drain computed are not written and the item is computed again. A claimed mark is
 * offered to no other drain (two processes took each other's claims in turn, and neither wrote)
 * until a drain starting releases the claims a stopped process left.
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

    it('a claimed mark is nobody else’s until released; a stale claim is refused', async () => {
      await store.lines.insertMany([count('ITM-2', 4)]);
      const read = (await markOf('ITM-2'))!;
      const claimed = await store.readModel.claimAtCount(read);
      expect(claimed).not.toBeNull();
      // Another drain (another process) read the mark before the claim: its claim fails, and
      // the claimed mark is not offered to it again (it would take it from the drain computing it).
      expect(await store.readModel.claimAtCount(read)).toBeNull();
      expect(await markOf('ITM-2')).toBeUndefined();
      // A drain starting releases claims a stopped process left: the mark waits again, the old
      // claimer writes nothing, the new one does.
      expect(await store.readModel.releaseAtCountClaims()).toBe(1);
      const waiting = (await markOf('ITM-2'))!;
      expect(waiting.seq).toBeGreaterThan(0);
      const reclaimed = await store.readModel.claimAtCount(waiting);
      expect(await store.readModel.putAtCount(claimed!, exact)).toBe(false);
      expect(await store.readModel.putAtCount(reclaimed!, exact)).toBe(true);
      expect((await store.readModel.dirtyAtCount(100)).length).toBe(0);
      expect(await store.readModel.releaseAtCountClaims()).toBe(0);
    });
  });
}
