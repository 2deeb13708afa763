/**
 * A bin's book at the moment of its counts (issue #17: "tolerances apply to the expected-at-count
 * variance"; docs/design.md §13 "Bins judged at count"). Settlement judges a bin (an item in a
 * rack) against its book (§4 "A bin's book"); where the ERP moved the item between the snapshot
 * and the count, that book is the snapshot's plus the movements placed before the bin's counts —
 * a pick posted before the count is no shortage, and a receipt is no overage. Pure: the drain
 * (at-count-upkeep.ts) hands it what it already read for the item's expected at count.
 *
 * Which movements belong to the bin: where the snapshot knows the item's racks and lists more
 * than this one, only movements the ERP posted to this rack (a movement without a rack, placed
 * before a count, is `unplaced`: no book at count); where it lists only this rack, or knows no
 * racks (the bin is judged on the item's whole book), every movement of the item in the warehouse.
 * A movement the clocks cannot order against the bin's counts leaves the bin on its snapshot book:
 * never guessed.
 */
import {
  expectedAtCount,
  toMilli,
  type ExpectedLine,
  type ExpectedOptions,
  type PreparedMovements,
} from '@stockverify/shared';
import type { SnapshotRack } from '../../ports/counting';
import { binBook } from '../sessions/bin-book';

export interface BinBooksInput {
  item_code: string;
  warehouse: string;
  /** The item's snapshot book, and its books per rack where the snapshot knows them. */
  book: number;
  racks: readonly SnapshotRack[] | null;
  snapshot_watermark: string;
  snapshot_watermark_high: string | null;
  /** The item's lines that count, with their server-time intervals (computeItemExpected's). */
  lines: readonly ExpectedLine[];
  movements: PreparedMovements;
  options?: ExpectedOptions;
}

/**
 * Per rack the item was counted in: the bin's book at count in thousandths where it is exact and
 * differs from the snapshot's bin book, else null (judged on the snapshot's).
 */
export function binBooksAtCount(input: BinBooksInput): Map<string, number | null> {
  const byRack = new Map<string, ExpectedLine[]>();
  for (const line of input.lines) {
    const list = byRack.get(line.rack);
    if (list) list.push(line);
    else byRack.set(line.rack, [line]);
  }
  const out = new Map<string, number | null>();
  for (const [rack, lines] of [...byRack].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const snapshotBook = binBook(input.book, input.racks, rack);
    const onlyRack =
      input.racks === null ||
      input.racks.length === 0 ||
      (input.racks.length === 1 && input.racks[0]!.rack === rack);
    const e = expectedAtCount(
      {
        item_code: input.item_code,
        warehouse: input.warehouse,
        rack: onlyRack ? null : rack,
        book: snapshotBook,
        snapshot_watermark: input.snapshot_watermark,
        snapshot_watermark_high: input.snapshot_watermark_high,
        counts: lines.map((l) => ({
          line_id: l.line_id,
          rack: l.rack,
          quantity: l.quantity_milli / 1000,
          at: { earliest: l.earliest, latest: l.latest, status: l.clock_status },
        })),
      },
      input.movements,
      input.options ?? {},
    );
    const exact = e.status === 'exact' && e.expected_milli !== null;
    out.set(rack, exact && e.expected_milli !== toMilli(snapshotBook) ? e.expected_milli : null);
  }
  return out;
}
