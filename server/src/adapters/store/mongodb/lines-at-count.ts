/**
 * The lines page's `at_count` filter on MongoDB (issue #17, docs/design.md §13 "Review at count"):
 * the item codes of the session whose read-model document is in the class (exact and within,
 * exact and beyond — `at_within` is stored 1/0, null while undecided) read from rm_items first,
 * then the lines' filter takes those codes (`$in`) or, for `unresolved`, every other code (`$nin`
 * of the decided ones: pending, ambiguous, unknown, no document). The filter is in the lines'
 * query, so the count and the page agree. Shared `lineAtCountClass` says the same per line.
 */
import type { Collection, Filter } from 'mongodb';
import type { LineAtCountFilter } from '@stockverify/shared';
import type { RmItemDocument } from './read-model';

/** The rm_items documents whose codes the line filter takes (`$in`) or leaves out (`$nin`). */
export function atCountItemsQuery(
  sessionId: string,
  atCount: LineAtCountFilter,
): Filter<RmItemDocument> {
  const within =
    atCount === 'explained' ? 1 : atCount === 'unexplained' ? 0 : { $in: [0, 1] as Array<0 | 1> };
  return { session_id: sessionId, at_status: 'exact', at_within: within };
}

/** The count lines' condition on item_code, given the codes `atCountItemsQuery` found. */
export function atCountLineCondition(
  atCount: LineAtCountFilter,
  codes: readonly string[],
): { item_code: { $in: string[] } | { $nin: string[] } } {
  return atCount === 'unresolved'
    ? { item_code: { $nin: [...codes] } }
    : { item_code: { $in: [...codes] } };
}

/** Reads the codes and answers the lines' condition (one distinct over the session's items). */
export async function atCountLineFilter(
  rmItems: Collection<RmItemDocument>,
  sessionId: string,
  atCount: LineAtCountFilter,
): Promise<ReturnType<typeof atCountLineCondition>> {
  const codes = await rmItems.distinct('item_code', atCountItemsQuery(sessionId, atCount));
  return atCountLineCondition(atCount, codes);
}
