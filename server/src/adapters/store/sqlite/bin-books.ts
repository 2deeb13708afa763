/**
 * BinBookRepo on SQLite (issue #17, docs/design.md §13 "Bins judged at count"): table
 * bin_books_at_count (migration 25), one row per bin judged on its book at count, keyed (session,
 * item, rack) as the drain writes an item at a time.
 */
import type { BinKey } from '../../../ports/bins';
import { binBookKey, type BinBookRepo } from '../../../ports/bin-books';
import { lazy, type Db } from './database';

/** Migration 25. */
export const BIN_BOOKS_AT_COUNT_MIGRATION = {
  name: "a bin's book at count (issue #17, docs/design.md §13)",
  up: `
    -- Only bins whose book at count is exact and differs from the snapshot's have a row.
    CREATE TABLE bin_books_at_count (
      session_id TEXT NOT NULL,
      item_code TEXT NOT NULL,
      rack TEXT NOT NULL,
      book_m INTEGER NOT NULL,
      PRIMARY KEY (session_id, item_code, rack)
    ) WITHOUT ROWID;
  `,
};

export function createSqliteBinBookRepo(db: Db): BinBookRepo {
  const s = lazy(() => ({
    // One index search per key (CROSS JOIN keeps the list the outer loop, as bins.ts does).
    keys: db.prepare<
      [{ session_id: string; keys: string }],
      { rack: string; item_code: string; book_m: number }
    >(
      `SELECT b.rack, b.item_code, b.book_m FROM json_each(@keys) k
       CROSS JOIN bin_books_at_count b ON b.session_id = @session_id
         AND b.item_code = json_extract(k.value, '$[1]') AND b.rack = json_extract(k.value, '$[0]')`,
    ),
    ofItem: db.prepare<[string, string], { rack: string; book_m: number }>(
      `SELECT rack, book_m FROM bin_books_at_count WHERE session_id = ? AND item_code = ?`,
    ),
    upsert: db.prepare<[string, string, string, number]>(
      `INSERT INTO bin_books_at_count (session_id, item_code, rack, book_m) VALUES (?, ?, ?, ?)
       ON CONFLICT (session_id, item_code, rack) DO UPDATE SET book_m = excluded.book_m`,
    ),
    remove: db.prepare<[string, string, string]>(
      `DELETE FROM bin_books_at_count WHERE session_id = ? AND item_code = ? AND rack = ?`,
    ),
  }));
  const putItem = db.transaction(
    (sessionId: string, itemCode: string, books: ReadonlyMap<string, number | null>) => {
      const stored = new Map(
        s()
          .ofItem.all(sessionId, itemCode)
          .map((r) => [r.rack, r.book_m]),
      );
      const changed: string[] = [];
      for (const [rack, book] of books) {
        if (book === null) continue;
        if (stored.get(rack) !== book) {
          s().upsert.run(sessionId, itemCode, rack, book);
          changed.push(rack);
        }
      }
      for (const rack of stored.keys()) {
        const book = books.get(rack);
        if (book === undefined || book === null) {
          s().remove.run(sessionId, itemCode, rack);
          changed.push(rack);
        }
      }
      return changed.sort();
    },
  );
  return {
    async get(sessionId, keys: readonly BinKey[]) {
      const out = new Map<string, number>();
      if (keys.length === 0) return out;
      const list = JSON.stringify(keys.map((k) => [k.rack, k.item_code]));
      for (const r of s().keys.all({ session_id: sessionId, keys: list })) {
        out.set(binBookKey(r), r.book_m);
      }
      return out;
    },
    async putItem(sessionId, itemCode, books) {
      // Most drained items change nothing here (no book at count before or after): a read, not
      // a write transaction, for them.
      const stored = s().ofItem.all(sessionId, itemCode);
      const wanted = [...books].filter(([, book]) => book !== null);
      const same =
        stored.length === wanted.length && stored.every((r) => books.get(r.rack) === r.book_m);
      if (same) return [];
      return putItem.immediate(sessionId, itemCode, books);
    },
  };
}
