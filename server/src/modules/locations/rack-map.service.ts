/**
 * The rack map of a session (the supervisor's map and the staff app's rack list): every rack of
 * the session's scope with its claim state, claimant, counting lines and, for viewers who may see
 * variances, whether any item on it has one. Read from the session's read model (issue #13) and
 * its claims: two indexed reads whatever the number of lines, O(racks).
 */
import type { Rack, RackState, Warehouse } from '@stockverify/shared';
import type { ClaimState, SessionRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';

/** What the rack map shows for one rack of a session (`RACK_STATES` in shared). */
export type { RackState };

/** A rack's state from its newest claim: released after completion means reopened for recount. */
export function rackState(
  claim: Pick<ClaimState, 'status' | 'completed_at'> | undefined,
): RackState {
  if (!claim) return 'not_started';
  switch (claim.status) {
    case 'active':
      return 'claimed';
    case 'paused':
      return 'paused';
    case 'completed':
      return 'completed';
    default:
      return claim.completed_at ? 'recount' : 'available';
  }
}

export type RackMapEntry = Rack & {
  state: RackState;
  claimant: { user_id: string; username: string; last_heartbeat_at: string } | null;
  /** Held split (docs/design.md §12 "Split claims"): `holders` are the parts' counters. */
  split: boolean;
  holders: { user_id: string; username: string; last_heartbeat_at: string }[];
  /** Lines that count (not corrected, not rejected) on this rack. */
  lines: number;
  /** Whether an item counted on this rack has a session variance; null when the viewer may not
   * see variances. */
  has_variances: boolean | null;
};

/** The newest claim (highest token) of each rack. */
function newestClaims(claims: readonly ClaimState[]): Map<string, ClaimState> {
  const latest = new Map<string, ClaimState>();
  for (const claim of claims) {
    const seen = latest.get(claim.rack);
    if (!seen || seen.token < claim.token) latest.set(claim.rack, claim);
  }
  return latest;
}

/**
 * The rack map of `session` (which must be of `warehouse`), in the warehouse's rack order.
 * `showVariances` comes from the caller's visibility rule; this module has none of its own.
 */
export async function rackMap(
  store: Store,
  warehouse: Warehouse,
  session: SessionRecord,
  showVariances: boolean,
): Promise<RackMapEntry[]> {
  const [claims, figures] = await Promise.all([
    store.claims.listStates(session.id),
    store.readModel.racks(session.id),
  ]);
  const latest = newestClaims(claims);
  // Every open claim per rack, newest first (listStates's order): split parts share a token.
  const open = new Map<string, ClaimState[]>();
  for (const claim of claims) {
    if (claim.status !== 'active' && claim.status !== 'paused') continue;
    const held = open.get(claim.rack);
    if (held) held.push(claim);
    else open.set(claim.rack, [claim]);
  }
  const byRack = new Map(figures.map((f) => [f.rack, f]));
  const inScope = new Set(session.racks);
  return warehouse.racks
    .filter((rack) => inScope.has(rack.code))
    .map((rack) => {
      const holding = open.get(rack.code) ?? [];
      // A split rack is held while any part is, even when its newest part was given back.
      const newest = latest.get(rack.code);
      const claim = newest?.split && holding[0] ? holding[0] : newest;
      const f = byRack.get(rack.code);
      return {
        ...rack,
        state: rackState(claim),
        claimant:
          claim && (claim.status === 'active' || claim.status === 'paused')
            ? {
                user_id: claim.user_id,
                username: claim.username,
                last_heartbeat_at: claim.last_heartbeat_at,
              }
            : null,
        split: holding.some((c) => c.split),
        holders: holding.map((c) => ({
          user_id: c.user_id,
          username: c.username,
          last_heartbeat_at: c.last_heartbeat_at,
        })),
        lines: f?.lines ?? 0,
        has_variances: showVariances ? (f?.variance_items ?? 0) > 0 : null,
      };
    });
}
