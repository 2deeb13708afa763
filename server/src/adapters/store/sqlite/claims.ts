/** ClaimRepo on SQLite. */
import type { ClaimPatch, ClaimRecord, ClaimRepo } from '../../../ports/counting';
import { lazy, type Db } from './database';

const COLUMNS = `id, session_id, rack, user_id, username, device_id, status, first_token, token,
  claimed_at, last_heartbeat_at, paused_at, completed_at, released_at, released_by`;

/** Builds the rack-claim repository over an open, migrated database. */
export function createSqliteClaimRepo(db: Db): ClaimRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[ClaimRecord]>(
      `INSERT INTO claims (${COLUMNS}) VALUES (@id, @session_id, @rack, @user_id, @username,
        @device_id, @status, @first_token, @token, @claimed_at, @last_heartbeat_at, @paused_at,
        @completed_at, @released_at, @released_by)`,
    ),
    replace: db.prepare<[ClaimRecord]>(
      `UPDATE claims SET username = @username, device_id = @device_id, status = @status,
        token = @token, last_heartbeat_at = @last_heartbeat_at, paused_at = @paused_at,
        completed_at = @completed_at, released_at = @released_at, released_by = @released_by
       WHERE id = @id`,
    ),
    byId: db.prepare<[string], ClaimRecord>(`SELECT ${COLUMNS} FROM claims WHERE id = ?`),
    latest: db.prepare<[string, string], ClaimRecord>(
      `SELECT ${COLUMNS} FROM claims WHERE session_id = ? AND rack = ?
       ORDER BY token DESC LIMIT 1`,
    ),
    bySession: db.prepare<[string], ClaimRecord>(
      `SELECT ${COLUMNS} FROM claims WHERE session_id = ?
       ORDER BY claimed_at DESC, token DESC, id DESC`,
    ),
    openByUser: db.prepare<[string, string], ClaimRecord>(
      `SELECT ${COLUMNS} FROM claims
       WHERE session_id = ? AND user_id = ? AND status IN ('active', 'paused')
       ORDER BY claimed_at, id`,
    ),
  }));

  // A read-merge-write is atomic here: better-sqlite3 is synchronous, so nothing interleaves.
  const update = db.transaction((id: string, patch: ClaimPatch): ClaimRecord | null => {
    const current = statements().byId.get(id);
    if (!current) return null;
    const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
    const next: ClaimRecord = { ...current, ...Object.fromEntries(defined) };
    statements().replace.run(next);
    return next;
  });

  return {
    async insert(claim) {
      statements().insert.run(claim);
    },
    async get(id) {
      return statements().byId.get(id) ?? null;
    },
    async latest(sessionId, rack) {
      return statements().latest.get(sessionId, rack) ?? null;
    },
    async listBySession(sessionId) {
      return statements().bySession.all(sessionId);
    },
    async listOpenByUser(sessionId, userId) {
      return statements().openByUser.all(sessionId, userId);
    },
    async update(id, patch) {
      return update.immediate(id, patch);
    },
  };
}
