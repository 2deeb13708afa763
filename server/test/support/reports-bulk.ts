/**
 * Many count lines for the streaming tests: one session of WH1 with `items` snapshot items, each
 * counted once with a variance (book 10, counted 7..13 but never 10), written through the store.
 */
import { roundMoney } from '@stockverify/shared';
import type { CountLineRecord, SnapshotRow } from '../../src/ports/counting';
import type { Store } from '../../src/ports/store';
import { makeLine, makeSession, makeSnapshotRow } from './counting-records';

const code = (i: number) => `BULK-${String(i).padStart(7, '0')}`;

/** Seeds session `id` with `items` items and one line each; returns the number of lines. */
export async function seedBulkSession(store: Store, id: string, items: number): Promise<number> {
  const snapshot: SnapshotRow[] = [];
  for (let i = 0; i < items; i++) {
    snapshot.push(
      makeSnapshotRow(id, code(i), {
        name: `Bulk item ${i} with a name long enough to look like a real one`,
        category: `Category ${i % 20}`,
        book_qty: 10,
        cost: 1.25,
        price: 2.5,
      }),
    );
  }
  await store.sessions.create(
    makeSession(id, { racks: ['A-01', 'A-02'], snapshot_items: items }),
    snapshot,
  );
  const batch = 5000;
  for (let start = 0; start < items; start += batch) {
    const lines: CountLineRecord[] = [];
    for (let i = start; i < Math.min(items, start + batch); i++) {
      const counted = 7 + (i % 7) >= 10 ? 8 + (i % 7) : 7 + (i % 7);
      const variance = counted - 10;
      lines.push(
        makeLine(`${id}-op-${i}`, {
          id: `${id}-line-${i}`,
          session_id: id,
          rack: i % 2 === 0 ? 'A-01' : 'A-02',
          item_code: code(i),
          barcode: null,
          counted_qty: counted,
          book_qty: 10,
          variance,
          value_at_cost: roundMoney(variance * 1.25),
          value_at_price: roundMoney(variance * 2.5),
          variance_reason: i % 3 === 0 ? 'damaged in storage' : null,
          photo_ids: [],
        }),
      );
    }
    await store.lines.insertMany(lines);
  }
  return items;
}
