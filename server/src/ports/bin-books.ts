/**
 * Books at count per bin (issue #17: "tolerances apply to the expected-at-count variance";
 * docs/design.md §13 "Bins judged at count"). The read model's drain computes, for each bin of an
 * item it recomputes, the bin's book at the moment of its counts — the snapshot's bin book plus
 * the movements placed before them — and keeps it here while it is exact and differs from the
 * snapshot's; settlement judges the bin against it. A bin with no entry is judged on its snapshot
 * book, as before (no watermark, no movement, or one it cannot place: never guessed).
 */
import type { BinKey } from './bins';

/** `${rack}\u0000${item_code}`: how answers key a bin. */
export const binBookKey = (k: BinKey): string => `${k.rack}\u0000${k.item_code}`;

export interface BinBookRepo {
  /** The stored books at count (thousandths) of the given bins, keyed by `binBookKey`. */
  get(sessionId: string, keys: readonly BinKey[]): Promise<Map<string, number>>;
  /**
   * Replaces an item's books at count: `books` maps each rack to its book in thousandths (null:
   * none, the bin is judged on its snapshot book); stored racks it does not name are removed.
   * Returns the racks whose stored book changed (set, changed or removed), sorted.
   */
  putItem(
    sessionId: string,
    itemCode: string,
    books: ReadonlyMap<string, number | null>,
  ): Promise<string[]>;
}
