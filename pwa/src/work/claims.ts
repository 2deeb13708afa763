import type { ClaimEntry, DeviceDb } from '../db/device-db';
import type { ClaimView, StaffSession } from '../api/staff-api';

/** Remembers a claim on the phone (the fencing token must survive an offline reload). */
export async function rememberClaim(
  db: DeviceDb,
  userId: string,
  session: StaffSession,
  claim: ClaimView,
  now = new Date(),
): Promise<ClaimEntry> {
  const entry: ClaimEntry = {
    session_id: session.id,
    session: {
      id: session.id,
      warehouse: session.warehouse,
      name: session.name,
      mode: session.mode,
      status: session.status,
      racks: session.racks,
      created_at: session.created_at,
    },
    rack: claim.rack,
    user_id: userId,
    claim_id: claim.claim_id,
    fencing_token: claim.fencing_token,
    lock_expires_at: claim.lock_expires_at,
    status: claim.status === 'paused' ? 'paused' : 'active',
    claimed_at: now.toISOString(),
  };
  await db.claims.put(entry);
  return entry;
}

/** The claims this user holds on this phone. */
export function claimsOf(db: DeviceDb, userId: string): Promise<ClaimEntry[]> {
  return db.claims.where('user_id').equals(userId).toArray();
}

/**
 * A heartbeat may move the fencing token forward (the lock lapsed and was taken again): new
 * lines must carry the new token. Racks the server says are lost are no longer held here, so the
 * phone stops counting into them (what was already counted stays in the outbox).
 */
export async function applyHeartbeat(
  db: DeviceDb,
  sessionId: string,
  claims: readonly ClaimView[],
  lost: readonly string[] = [],
): Promise<void> {
  await db.transaction('rw', db.claims, async () => {
    for (const rack of lost) await db.claims.delete([sessionId, rack]);
    for (const claim of claims) {
      await db.claims.update([sessionId, claim.rack], {
        fencing_token: claim.fencing_token,
        lock_expires_at: claim.lock_expires_at,
      });
    }
  });
}

export async function forgetClaim(db: DeviceDb, sessionId: string, rack: string): Promise<void> {
  await db.claims.delete([sessionId, rack]);
}
