/**
 * BinBookRepo on SQLite (docs/design.md §13 "Bins judged at count"): an item's books at count are
 * replaced as a whole, and the answer names exactly the racks whose book changed — the bins the
 * drain settles again.
 */
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '.';

describe('books at count per bin (SQLite)', () => {
  it('set, changed, kept, removed: the changed racks, and get reads them by bin', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    await store.init();
    const books = store.binBooks;
    const put = (entries: [string, number | null][]) =>
      books.putItem('S1', 'ITM-1', new Map(entries));

    expect(
      await put([
        ['A-01', 95_000],
        ['A-02', null],
      ]),
    ).toEqual(['A-01']);
    expect(
      await put([
        ['A-01', 95_000],
        ['A-02', null],
      ]),
    ).toEqual([]);
    expect(
      await put([
        ['A-01', 94_000],
        ['A-02', 40_000],
      ]),
    ).toEqual(['A-01', 'A-02']);
    // Another item and another session are apart.
    await books.putItem('S1', 'ITM-2', new Map([['A-01', 1_000]]));
    await books.putItem('S2', 'ITM-1', new Map([['A-01', 7_000]]));
    const keys = [
      { rack: 'A-01', item_code: 'ITM-1' },
      { rack: 'A-02', item_code: 'ITM-1' },
      { rack: 'A-03', item_code: 'ITM-1' },
    ];
    expect(await books.get('S1', keys)).toEqual(
      new Map([
        ['A-01\u0000ITM-1', 94_000],
        ['A-02\u0000ITM-1', 40_000],
      ]),
    );
    // A rack flagged (null) or no longer counted (absent) loses its book.
    expect(await put([['A-01', null]])).toEqual(['A-01', 'A-02']);
    expect(await books.get('S1', keys)).toEqual(new Map());
    expect(await books.get('S2', keys)).toEqual(new Map([['A-01\u0000ITM-1', 7_000]]));
    await store.close();
  });
});
