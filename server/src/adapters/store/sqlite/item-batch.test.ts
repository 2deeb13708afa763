/**
 * The SQLite item upsert writes a batch phase by phase (issue #13: mirror 100,000 items fast): it
 * must leave exactly the rows that applying the batch item by item leaves — later barcode claims
 * win, an updated item's barcodes and stock are replaced, renames move its search document — and
 * the fuzzy index must hold every item's current name.
 */
import type { Item } from '@stockverify/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDemoItems } from '../../erp/demo';
import { trigrams } from '../../../lib/text';
import { itemTrigrams } from '../item-index';
import { openDatabase, type Db } from './database';
import { migrate } from './migrations';
import { createSqliteItemRepo } from './items';

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stored state a sequence of items written one at a time must end in. */
function applyInOrder(state: Map<string, Item>, items: readonly Item[]) {
  for (const item of items) {
    for (const other of state.values()) {
      if (other.item_code === item.item_code) continue;
      const kept = other.barcodes.filter((b) => !item.barcodes.some((x) => x.code === b.code));
      if (kept.length !== other.barcodes.length)
        state.set(other.item_code, { ...other, barcodes: kept });
    }
    // Within the item itself a repeated code keeps its last place.
    const barcodes = item.barcodes.filter(
      (b, i) => !item.barcodes.slice(i + 1).some((x) => x.code === b.code),
    );
    state.set(item.item_code, { ...item, barcodes });
  }
}

function fuzzyReference(items: readonly Item[], query: readonly string[], limit: number) {
  const q = new Set(query);
  return items
    .map((item) => ({
      item_code: item.item_code,
      shared: itemTrigrams(item).filter((t) => q.has(t)).length,
    }))
    .filter((c) => c.shared > 0)
    .sort((a, b) => b.shared - a.shared || (a.item_code < b.item_code ? -1 : 1))
    .slice(0, limit);
}

let db: Db | undefined;
afterEach(() => db?.close());

describe('SQLite item upsert by batch', () => {
  it('ends where writing the items one at a time ends, over random batches', async () => {
    const pool = generateDemoItems({ itemCount: 80 });
    const names = pool.map((item) => item.name);
    const codes = pool.flatMap((item) => item.barcodes.map((b) => b.code));
    for (let seed = 1; seed <= 12; seed++) {
      db?.close();
      db = openDatabase(':memory:');
      migrate(db);
      const repo = createSqliteItemRepo(db);
      const rand = mulberry32(seed);
      const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
      const expected = new Map<string, Item>();
      for (let round = 0; round < 8; round++) {
        const batch: Item[] = [];
        const size = 1 + Math.floor(rand() * 30);
        for (let k = 0; k < size; k++) {
          const base = pick(pool);
          const barcodes =
            rand() < 0.3
              ? [
                  ...base.barcodes.slice(0, 1),
                  { code: pick(codes), kind: 'manual' as const, pack_qty: 1 },
                ]
              : base.barcodes;
          batch.push({
            ...base,
            name: rand() < 0.3 ? pick(names) : base.name,
            barcodes,
            stock: rand() < 0.3 ? [] : base.stock.map((s) => ({ ...s, qty: round + k })),
            price: base.price + round,
          });
        }
        if (round === 4) {
          // An item mirrored before search_id existed has none: a rename must give it one.
          db.exec(`DELETE FROM item_search
                   WHERE rowid IN (SELECT search_id FROM items WHERE rowid % 3 = 0)`);
          db.exec('UPDATE items SET search_id = NULL WHERE rowid % 3 = 0');
        }
        const known = new Set(expected.keys());
        const firstSeen = new Set<string>();
        let inserted = 0;
        for (const item of batch) {
          if (!known.has(item.item_code) && !firstSeen.has(item.item_code)) inserted++;
          firstSeen.add(item.item_code);
        }
        const counts = await repo.upsertMany(batch);
        expect(counts).toEqual({ inserted, updated: batch.length - inserted });
        applyInOrder(expected, batch);
      }
      const stored = await repo.getMany([...expected.keys()]);
      const want = [...expected.values()].sort((a, b) => (a.item_code < b.item_code ? -1 : 1));
      expect(stored.sort((a, b) => (a.item_code < b.item_code ? -1 : 1))).toEqual(want);
      // Every item with a search document is found by its own name, ranked as the reference.
      const indexed = new Set(
        db
          .prepare<[], string>('SELECT item_code FROM items WHERE search_id IS NOT NULL')
          .pluck()
          .all(),
      );
      const searchable = want.filter((item) => indexed.has(item.item_code));
      for (const item of searchable.slice(0, 10)) {
        const q = trigrams(item.name);
        const got = (await repo.fuzzyCandidates(q, 10)).map((c) => ({
          item_code: c.item.item_code,
          shared: c.shared,
        }));
        expect(got, `${seed} ${item.name}`).toEqual(fuzzyReference(searchable, q, 10));
      }
    }
  });

  it('numbers new search documents apart from one given to a renamed item without one', async () => {
    db = openDatabase(':memory:');
    migrate(db);
    const repo = createSqliteItemRepo(db);
    const [a, b] = generateDemoItems({ itemCount: 2 });
    await repo.upsertMany([a!]);
    db.exec('UPDATE items SET search_id = NULL');
    db.exec('DELETE FROM item_search');
    // The rename needs a new document, and so does the new item, in the same batch.
    await repo.upsertMany([
      { ...a!, name: 'Makita Hammer Drill' },
      { ...b!, name: 'Bosch Drill' },
    ]);
    const found = (await repo.fuzzyCandidates(trigrams('drill'), 5)).map((c) => c.item.item_code);
    expect(found.sort()).toEqual([a!.item_code, b!.item_code].sort());
  });
});
