/**
 * A bin's book (docs/design.md §4 "A bin's book"): a bin is one item in one rack, so where the
 * session's snapshot knows the item's racks, the bin is judged against the item's quantity in
 * that rack (0 in a rack the ERP does not list it in); where it does not (stock the ERP gives for
 * the warehouse only, or a session from before rack-level books), against the item's whole book.
 */
import type { SnapshotRack } from '../../ports/counting';

export function binBook(
  itemBook: number,
  racks: readonly SnapshotRack[] | null | undefined,
  rack: string,
): number {
  if (!racks) return itemBook;
  return racks.find((r) => r.rack === rack)?.qty ?? 0;
}
