import type { StaffSession } from '../api/staff-api';
import type { ClaimEntry, DeviceDb } from '../db/device-db';
import { claimsOf } from './claims';

/** Where a signed-in counter was, kept on the phone so a reload (even offline) returns there. */
export interface LastPlace {
  user_id: string;
  session_id: string;
  /** The rack being counted; null on the session's rack list. */
  rack: string | null;
}

/** Remembers the screen this user is on; `null` forgets it (sessions list, sync, settings). */
export async function rememberPlace(db: DeviceDb, place: LastPlace | null): Promise<void> {
  if (place) await db.meta.put({ key: 'place', value: place });
  else await db.meta.delete('place');
}

export type RestoredPlace =
  | { name: 'scan'; session: StaffSession; rack: string }
  | { name: 'racks'; session: StaffSession }
  | null;

/**
 * The screen a reload should reopen for this user: the rack they were on if this phone still holds
 * it, else that session's rack list; with nothing remembered, the rack this phone claimed last.
 */
export async function restorePlace(db: DeviceDb, userId: string): Promise<RestoredPlace> {
  const claims = await claimsOf(db, userId);
  const saved = await db.meta.get('place');
  const place = saved?.key === 'place' && saved.value.user_id === userId ? saved.value : null;
  if (place) {
    const held = claims.find((c) => c.session_id === place.session_id && c.rack === place.rack);
    if (held?.session && place.rack !== null) {
      return { name: 'scan', session: held.session, rack: place.rack };
    }
    const session = await sessionById(db, claims, place.session_id);
    if (session) return { name: 'racks', session };
    return null;
  }
  const newest = [...claims]
    .filter((c) => c.status === 'active' && c.session)
    .sort((a, b) => b.claimed_at.localeCompare(a.claimed_at))[0];
  return newest?.session ? { name: 'scan', session: newest.session, rack: newest.rack } : null;
}

async function sessionById(
  db: DeviceDb,
  claims: readonly ClaimEntry[],
  sessionId: string,
): Promise<StaffSession | null> {
  const fromClaim = claims.find((c) => c.session_id === sessionId && c.session)?.session;
  if (fromClaim) return fromClaim;
  const cached = await db.meta.get('sessions');
  return cached?.key === 'sessions' ? (cached.value.find((s) => s.id === sessionId) ?? null) : null;
}
