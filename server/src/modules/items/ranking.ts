/**
 * Search ranking (api.md): exact barcode > exact code > code/name prefix > fuzzy name. Scores are
 * banded so no fuzzy match can outrank a prefix match, and so on up.
 */
import type { Item, SearchMatchKind } from '@stockverify/shared';
import { normalizeText, trigrams } from '../../lib/text';

export const BAND: Record<SearchMatchKind, number> = {
  exact_barcode: 4000,
  exact_code: 3000,
  prefix: 2000,
  fuzzy: 1000,
};

/** Prefix matches: a code prefix before a name prefix, closer lengths first. Within 0…999. */
export function prefixScore(item: Item, query: string): number {
  const q = query.toLowerCase();
  const onCode = item.item_code.toLowerCase().startsWith(q);
  const target = onCode ? item.item_code : item.name;
  return BAND.prefix + (onCode ? 500 : 0) + Math.max(0, 499 - (target.length - q.length));
}

/** Minimum share of the query's trigrams an item must contain to count as a fuzzy match. */
export const FUZZY_MIN_CONTAINMENT = 0.5;

/**
 * Fuzzy score within 0…999, or null when too weak: mostly how much of the query the item
 * contains (so "drill" finds "Bosch Drill Bit Set"), then how close the whole texts are.
 */
export function fuzzyScore(item: Item, queryTrigrams: readonly string[]): number | null {
  if (queryTrigrams.length === 0) return null;
  const itemTrigrams = new Set(trigrams(`${item.item_code} ${item.name}`));
  let shared = 0;
  for (const t of queryTrigrams) if (itemTrigrams.has(t)) shared++;
  const containment = shared / queryTrigrams.length;
  if (containment < FUZZY_MIN_CONTAINMENT) return null;
  const dice = (2 * shared) / (queryTrigrams.length + itemTrigrams.size);
  return BAND.fuzzy + Math.round(containment * 800 + dice * 199);
}

/** The normal form of a query used for fuzzy matching; empty when nothing searchable is left. */
export function fuzzyQuery(query: string): string[] {
  return normalizeText(query) === '' ? [] : trigrams(query);
}
