import type { ClaimRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';

export type FenceCheck =
  | { ok: true; claim: ClaimRecord }
  | { ok: false; code: 'LOCK_LOST' | 'STALE_TOKEN'; message: string };

/**
 * Which claim a line written with `token` belongs to (design §4 fencing). The line is valid when
 * the rack's newest claim is the caller's, covers the token, and was not taken from them (lost or
 * force-released). A token of one of the caller's older claims on this rack means the rack was
 * claimed by someone after them: LOCK_LOST — unless every claim since is the caller's own (they
 * released and claimed again, here or on another phone, and nobody else held the rack between):
 * then the old token is STALE_TOKEN, and the message says so (issue #14). Any other token is
 * STALE_TOKEN.
 */
export async function checkFence(
  store: Store,
  userId: string,
  sessionId: string,
  rack: string,
  token: number,
): Promise<FenceCheck> {
  const latest = await store.claims.latest(sessionId, rack);
  const covers = (c: ClaimRecord) =>
    c.user_id === userId && c.first_token <= token && token <= c.token;
  if (latest && covers(latest)) {
    if (latest.status === 'lost') {
      return {
        ok: false,
        code: 'LOCK_LOST',
        message: `Your claim on rack ${rack} was released while you were away`,
      };
    }
    return { ok: true, claim: latest };
  }
  const claims = await store.claims.listBySession(sessionId);
  const own = claims.find((c) => c.rack === rack && covers(c));
  if (own?.split && own.status !== 'lost' && latest && own.token === latest.token) {
    // Split parts held together share the rack's newest token (docs/design.md §12 "Split bins").
    return { ok: true, claim: own };
  }
  if (own) {
    // Someone else's claim after this one took the rack from the caller, even if they claimed it
    // back since: LOCK_LOST. Only the caller's own claims after it make the token merely stale.
    const takenMeanwhile = claims.some(
      (c) => c.rack === rack && c.user_id !== userId && c.first_token > own.token,
    );
    if (!takenMeanwhile && latest && latest.user_id === userId) {
      return {
        ok: false,
        code: 'STALE_TOKEN',
        message: `Rack ${rack} was claimed again on another phone or after a release; your newer claim has a newer token (${latest.token}), so count on that claim`,
      };
    }
    return {
      ok: false,
      code: 'LOCK_LOST',
      message: `Rack ${rack} was claimed by someone else after your claim lapsed`,
    };
  }
  return {
    ok: false,
    code: 'STALE_TOKEN',
    message: `Fencing token ${token} is not one of your claims on rack ${rack}`,
  };
}
