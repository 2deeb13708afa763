/**
 * BinBookRepo on MongoDB (issue #17, docs/design.md §13 "Bins judged at count"): one document per
 * bin judged on its book at count, `_id` its (session, item, rack). Index BIN_BOOK_INDEXES
 * (migration 14): an item's bins, as the drain writes an item at a time.
 */
import type { Collection, Db, IndexDescription } from 'mongodb';
import type { BinKey } from '../../../ports/bins';
import { binBookKey, type BinBookRepo } from '../../../ports/bin-books';

export const BIN_BOOK_COLLECTION = 'bin_books_at_count';
export const BIN_BOOK_INDEXES: IndexDescription[] = [{ key: { session_id: 1, item_code: 1 } }];

interface BinBookDocument {
  _id: string;
  session_id: string;
  item_code: string;
  rack: string;
  book_m: number;
}

const idOf = (sessionId: string, itemCode: string, rack: string): string =>
  JSON.stringify([sessionId, itemCode, rack]);

export function createMongoBinBookRepo(db: Db): BinBookRepo {
  const books: Collection<BinBookDocument> = db.collection(BIN_BOOK_COLLECTION);
  return {
    async get(sessionId, keys: readonly BinKey[]) {
      const out = new Map<string, number>();
      if (keys.length === 0) return out;
      const ids = keys.map((k) => idOf(sessionId, k.item_code, k.rack));
      for (const doc of await books.find({ _id: { $in: ids } }).toArray()) {
        out.set(binBookKey(doc), doc.book_m);
      }
      return out;
    },
    async putItem(sessionId, itemCode, next) {
      const stored = new Map(
        (await books.find({ session_id: sessionId, item_code: itemCode }).toArray()).map((d) => [
          d.rack,
          d.book_m,
        ]),
      );
      const changed: string[] = [];
      for (const [rack, book] of next) {
        if (book === null || stored.get(rack) === book) continue;
        await books.updateOne(
          { _id: idOf(sessionId, itemCode, rack) },
          { $set: { session_id: sessionId, item_code: itemCode, rack, book_m: book } },
          { upsert: true },
        );
        changed.push(rack);
      }
      for (const rack of stored.keys()) {
        const book = next.get(rack);
        if (book === undefined || book === null) {
          await books.deleteOne({ _id: idOf(sessionId, itemCode, rack) });
          changed.push(rack);
        }
      }
      return changed.sort();
    },
  };
}
