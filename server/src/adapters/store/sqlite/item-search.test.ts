/**
 * The FTS5 trigram index behind fuzzy item search (migration 6, issue #13): it must rank exactly as
 * the per-trigram table it replaced, follow renames, and be built for items mirrored before it.
 */
import type { Item } from '@stockverify/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDemoItems } from '../../erp/demo';
import { trigrams } from '../../../lib/text';
import { itemSearchText, itemTrigrams } from '../item-index';
import type { Store } from '../../../ports/store';
import { createSqliteStore } from './index';
import { openDatabase, type Db } from './database';
import { migrate, migrations } from './migrations';

/** What the old item_trigrams query returned: shared trigram count, best first, then by code. */
const trigramsOf = new WeakMap<Item, string[]>();
function reference(items: readonly Item[], query: readonly string[], limit: number) {
  const q = new Set(query);
  return items
    .map((item) => {
      let tris = trigramsOf.get(item);
      if (!tris) trigramsOf.set(item, (tris = itemTrigrams(item)));
      return { item_code: item.item_code, shared: tris.filter((t) => q.has(t)).length };
    })
    .filter((c) => c.shared > 0)
    .sort((a, b) => b.shared - a.shared || (a.item_code < b.item_code ? -1 : 1))
    .slice(0, limit);
}

describe('itemSearchText', () => {
  it('holds every trigram of the item, and no other trigram a query can have', () => {
    const names = ['Bosch Drill Bit Set 10pc', 'Crème brûlée — 2 x', 'a b  c', 'X', '   '];
    for (const name of names) {
      const item = { item_code: 'CBL-4/x', name };
      const text = itemSearchText(item);
      const windows = new Set<string>();
      for (let i = 0; i + 3 <= text.length; i++) windows.add(text.slice(i, i + 3));
      // Query trigrams never end in two spaces and are never three spaces.
      const queryShaped = [...windows].filter((w) => !w.endsWith('  '));
      expect(new Set(queryShaped)).toEqual(new Set(itemTrigrams(item)));
    }
  });
});

describe('fuzzy candidates from the FTS5 index', () => {
  let store: Store | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await store?.close();
    db?.close();
    store = undefined;
    db = undefined;
  });

  it('match the old per-trigram ranking on the demo master', async () => {
    store = createSqliteStore({ file: ':memory:' });
    await store.init();
    const items = generateDemoItems({ itemCount: 3000 });
    await store.items.upsertMany(items);
    // Real names with letters dropped or swapped, code fragments, and single words.
    const queries = [
      'drill',
      'hamer dril',
      'bosh',
      'scru driver',
      '10mm',
      'itm-00',
      'LED bulb',
      'x',
      ...items.slice(0, 40).map((i) => i.name.slice(1, -2)),
      ...items.slice(100, 120).map((i) => i.item_code.slice(2)),
    ];
    for (const text of queries) {
      const q = trigrams(text);
      for (const limit of [1, 5, 40]) {
        const got = (await store.items.fuzzyCandidates(q, limit)).map((c) => ({
          item_code: c.item.item_code,
          shared: c.shared,
        }));
        expect(got, `${text} / ${limit}`).toEqual(reference(items, q, limit));
      }
    }
  });

  it('follows a rename, and leaves the index alone when only stock changes', async () => {
    store = createSqliteStore({ file: ':memory:' });
    await store.init();
    const [item] = generateDemoItems({ itemCount: 1 });
    await store.items.upsertMany([{ ...item!, name: 'Makita Hammer Drill' }]);
    expect((await store.items.fuzzyCandidates(trigrams('hammer'), 5)).length).toBe(1);
    await store.items.upsertMany([{ ...item!, name: 'Philips LED Bulb' }]);
    expect(await store.items.fuzzyCandidates(trigrams('hammer'), 5)).toEqual([]);
    await store.items.upsertMany([{ ...item!, name: 'Philips LED Bulb', stock: [] }]);
    const found = await store.items.fuzzyCandidates(trigrams('bulb'), 5);
    expect(found.map((c) => [c.item.item_code, c.item.stock])).toEqual([[item!.item_code, []]]);
  });

  it('is built by the migration for items mirrored before it', async () => {
    db = openDatabase(':memory:');
    // A database at version 5 with items and their trigram rows, as the old code wrote them.
    migrate(
      db,
      migrations.filter((m) => m.version <= 5),
    );
    const items = generateDemoItems({ itemCount: 50 });
    const insert = db.prepare(
      `INSERT INTO items (item_code, item_code_lower, name, name_lower, category, brand, supplier,
         uom, decimal_qty, price, cost, serialized, batch_tracked, active, updated_at)
       VALUES (?, ?, ?, ?, NULL, NULL, NULL, 'pcs', 0, 1, 1, 0, 0, 1, '2025-01-01T00:00:00.000Z')`,
    );
    const tri = db.prepare('INSERT INTO item_trigrams (tri, item_code) VALUES (?, ?)');
    for (const item of items) {
      insert.run(item.item_code, item.item_code.toLowerCase(), item.name, item.name.toLowerCase());
      for (const t of itemTrigrams(item)) tri.run(t, item.item_code);
    }
    migrate(db);
    const tables = db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all();
    expect(tables).not.toContain('item_trigrams');
    const target = items[7]!;
    const q = trigrams(target.name);
    const ids = db
      .prepare<[string], string>(
        `SELECT f.item_code FROM json_each(?) q JOIN item_search f ON f.item_search MATCH q.value
         GROUP BY f.rowid ORDER BY COUNT(*) DESC, f.item_code LIMIT 3`,
      )
      .pluck()
      .all(JSON.stringify(q.map((t) => `"${t}"`)));
    expect(ids).toEqual(reference(items, q, 3).map((r) => r.item_code));
  });
});
