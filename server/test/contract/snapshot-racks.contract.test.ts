/**
 * Snapshot per rack (docs/design.md §4 "A bin's book"): a session's snapshot keeps the book per
 * rack of the items whose stock the ERP lists by rack, and reads it back by item; items without
 * (stock for the warehouse only, or a session from before) have none. Run against every adapter
 * that can run here — SQLite always, MongoDB only when MONGODB_URI points at a server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSession, makeSnapshotRow } from '../support/counting-records';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';
import type { Store } from '../../src/ports/store';

const adapters = storeAdapters('snapshot_racks');

describe.each(adapters)('Snapshot per rack contract: $name', (adapter) => {
  let fx: StoreFixture;
  let store: Store;

  beforeEach(async () => {
    fx = await adapter.open();
    store = fx.store;
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('keeps the book per rack of the items that have one, by item, racks in order', async () => {
    const a = makeSnapshotRow('S1', 'ITM-A', { book_qty: 16 });
    const b = makeSnapshotRow('S1', 'ITM-B', { book_qty: 2.5 });
    const w = makeSnapshotRow('S1', 'ITM-W', { book_qty: 7 });
    const old = makeSnapshotRow('S1', 'ITM-O', { book_qty: 3 });
    await store.sessions.create(makeSession('S1'), [
      {
        ...a,
        racks: [
          { rack: 'A-02', qty: 6 },
          { rack: 'A-01', qty: 10 },
        ],
      },
      { ...b, racks: [{ rack: 'B-01', qty: 2.5 }] },
      { ...w, racks: null },
      old,
    ]);
    await store.sessions.create(makeSession('S2'), [
      { ...makeSnapshotRow('S2', 'ITM-A', { book_qty: 1 }), racks: [{ rack: 'A-01', qty: 1 }] },
    ]);

    const all = await store.sessions.snapshotRacks('S1');
    expect(all).toEqual(
      new Map([
        [
          'ITM-A',
          [
            { rack: 'A-01', qty: 10 },
            { rack: 'A-02', qty: 6 },
          ],
        ],
        ['ITM-B', [{ rack: 'B-01', qty: 2.5 }]],
      ]),
    );
    expect(await store.sessions.snapshotRacks('S1', ['ITM-B', 'ITM-W', 'ITM-O', 'NOPE'])).toEqual(
      new Map([['ITM-B', [{ rack: 'B-01', qty: 2.5 }]]]),
    );
    expect(await store.sessions.snapshotRacks('S1', [])).toEqual(new Map());
    expect(await store.sessions.snapshotRacks('S2')).toEqual(
      new Map([['ITM-A', [{ rack: 'A-01', qty: 1 }]]]),
    );
    expect(await store.sessions.snapshotRacks('nope')).toEqual(new Map());

    // The item-level rows read back as before, without the racks.
    expect(await store.sessions.snapshotRow('S1', 'ITM-A')).toEqual(a);
    expect(await store.sessions.snapshotRows('S1')).toEqual([a, b, old, w]);
  });
});
