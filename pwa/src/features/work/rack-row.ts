/**
 * How the rack list shows one rack and how tapping it claims it (split claims, docs/design.md §12
 * "Split claims"): a rack held whole by someone else is taken; a rack held split ("shared") by
 * others is open to a counter who chose to count a part of it; a rack this counter already holds
 * split is claimed split again (a whole claim of it would be refused).
 */
import type { CachedRack } from '../../db/device-db';

export interface RackRow {
  /** This counter holds it (on this phone or another). */
  mine: boolean;
  /** Someone else holds it and this counter may not join: the row is disabled. */
  taken: boolean;
  /** Tapping it asks for a split claim. */
  claimSplit: boolean;
  /** Who holds it, for the row's text and label: "" when nobody. */
  holders: string;
}

export function rackRow(
  rack: CachedRack,
  userId: string,
  heldHere: boolean,
  /** The counter turned on "Count part of this rack (shared)". */
  shared: boolean,
): RackRow {
  const holding = rack.holders ?? (rack.claimant ? [rack.claimant] : []);
  const mine = heldHere || holding.some((h) => h.user_id === userId);
  const others = holding.filter((h) => h.user_id !== userId).map((h) => h.username);
  const split = rack.split === true;
  if (split) {
    const names = mine ? ['you', ...others] : others;
    return {
      mine,
      taken: !mine && others.length > 0 && !shared,
      claimSplit: true,
      holders: names.length > 0 ? `shared by ${names.join(', ')}` : '',
    };
  }
  const taken = others.length > 0 && !mine;
  return {
    mine,
    taken,
    claimSplit: shared && !mine,
    holders: taken ? `by ${others.join(', ')}` : mine ? 'by you' : '',
  };
}
