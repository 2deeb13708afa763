/** Search-index facts both Store adapters derive from an item the same way. */
import type { Item } from '@stockverify/shared';
import { normalizeText, trigrams } from '../../lib/text';

/** Trigrams the fuzzy search matches against: the item's code and name together. */
export function itemTrigrams(item: Pick<Item, 'item_code' | 'name'>): string[] {
  return trigrams(`${item.item_code} ${item.name}`);
}

/**
 * The text an FTS5 `trigram` index holds for an item (SQLite adapter): each normalised word padded
 * exactly as `trigrams()` pads it ("  drill "), the words simply concatenated. Every three-character
 * window of it is then either one of `itemTrigrams(item)` or spans a word boundary, and a window
 * that spans a boundary ends in two spaces or is three spaces, which no query trigram ever is.
 * So "the index holds query trigram t" is exactly "t is one of the item's trigrams".
 */
export function itemSearchText(item: Pick<Item, 'item_code' | 'name'>): string {
  let text = '';
  for (const word of normalizeText(`${item.item_code} ${item.name}`).split(' ')) {
    if (word !== '') text += `  ${word} `;
  }
  return text;
}

/**
 * Applies "a barcode maps to one item, the later claim wins" inside one upsert batch: a code that
 * appears again later (in the same item or a later one) is dropped from the earlier place, so each
 * code is listed exactly once. Claims against items already stored are the adapter's job.
 */
export function claimBarcodes(items: readonly Item[]): Item[] {
  const lastClaim = new Map<string, { item: number; index: number }>();
  items.forEach((item, i) =>
    item.barcodes.forEach((barcode, j) => lastClaim.set(barcode.code, { item: i, index: j })),
  );
  return items.map((item, i) => {
    const kept = item.barcodes.filter((barcode, j) => {
      const claim = lastClaim.get(barcode.code);
      return claim?.item === i && claim.index === j;
    });
    return kept.length === item.barcodes.length ? item : { ...item, barcodes: kept };
  });
}
