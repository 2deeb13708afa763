/** ClaimRepo on SQLite. */
import type { ClaimPatch, ClaimRecord, ClaimRepo, ClaimState } from '../../../ports/counting';
import { lazy, type Db } from './database';

const COLUMNS = `id, session_id, rack, user_id, username, device_id, status, first_token, token,
  claimed_at, last_heartbeat_at, paused_at, completed_at, released_at, released_by, split`;

/** What `listStates` reads: the covering index claims_session_states holds each of them. */
const STATE_COLUMNS = `rack, user_id, username, status, token, split, last_heartbeat_at,
  completed_at`;

/** The row as stored: `split` is 0/1 (migration 17, docs/design.md §12 "Split bins"). */
type ClaimRow = Omit<ClaimRecord, 'split'> & { split: number };

const toClaim = (row: ClaimRow): ClaimRecord => ({ ...row, split: row.split === 1 });
const toRow = (claim: ClaimRecord): ClaimRow => ({ ...claim, split: claim.split ? 1 : 0 });

type ClaimStateRow = Omit<ClaimState, 'split'> & { split: number };

/** Migration 28: a session's claims newest first, with what `listStates` reads (issue #13). */
export const CLAIM_STATES_INDEX_MIGRATION = {
  name: 'claims: the claim states of a session newest first, covering (issue #13)',
  up: `CREATE INDEX claims_session_states ON claims (session_id, claimed_at DESC, token DESC,
    id DESC, rack, user_id, username, status, split, last_heartbeat_at, completed_at);`,
};

/** Builds the rack-claim repository over an open, migrated database. */
export function createSqliteClaimRepo(db: Db): ClaimRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[ClaimRow]>(
      `INSERT INTO claims (${COLUMNS}) VALUES (@id, @session_id, @rack, @user_id, @username,
        @device_id, @status, @first_token, @token, @claimed_at, @last_heartbeat_at, @paused_at,
        @completed_at, @released_at, @released_by, @split)`,
    ),
    replace: db.prepare<[ClaimRow]>(
      `UPDATE claims SET username = @username, device_id = @device_id, status = @status,
        token = @token, last_heartbeat_at = @last_heartbeat_at, paused_at = @paused_at,
        completed_at = @completed_at, released_at = @released_at, released_by = @released_by
       WHERE id = @id`,
    ),
    byId: db.prepare<[string], ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE id = ?`),
    // Split claims held together share a token: the latest claimed of them is the newest.
    latest: db.prepare<[string, string], ClaimRow>(
      `SELECT ${COLUMNS} FROM claims WHERE session_id = ? AND rack = ?
       ORDER BY token DESC, claimed_at DESC, id DESC LIMIT 1`,
    ),
    bySession: db.prepare<[string], ClaimRow>(
      `SELECT ${COLUMNS} FROM claims WHERE session_id = ?
       ORDER BY claimed_at DESC, token DESC, id DESC`,
    ),
    // Through claims_session_states (migration 28): covering, in this order, no sort.
    states: db.prepare<[string], ClaimStateRow>(
      `SELECT ${STATE_COLUMNS} FROM claims INDEXED BY claims_session_states WHERE session_id = ?
       ORDER BY claimed_at DESC, token DESC, id DESC`,
    ),
    // Through claims_rack_token: the rack's few claims, sorted after.
    openOnRack: db.prepare<[string, string], ClaimRow>(
      `SELECT ${COLUMNS} FROM claims
       WHERE session_id = ? AND rack = ? AND status IN ('active', 'paused')
       ORDER BY claimed_at DESC, token DESC, id DESC`,
    ),
    openByUser: db.prepare<[string, string], ClaimRow>(
      `SELECT ${COLUMNS} FROM claims
       WHERE session_id = ? AND user_id = ? AND status IN ('active', 'paused')
       ORDER BY claimed_at, id`,
    ),
  }));

  // A read-merge-write is atomic here: better-sqlite3 is synchronous, so nothing interleaves.
  const update = db.transaction((id: string, patch: ClaimPatch): ClaimRecord | null => {
    const row = statements().byId.get(id);
    if (!row) return null;
    const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
    const next: ClaimRecord = { ...toClaim(row), ...Object.fromEntries(defined) };
    statements().replace.run(toRow(next));
    return next;
  });

  return {
    async insert(claim) {
      statements().insert.run(toRow(claim));
    },
    async get(id) {
      const row = statements().byId.get(id);
      return row ? toClaim(row) : null;
    },
    async latest(sessionId, rack) {
      const row = statements().latest.get(sessionId, rack);
      return row ? toClaim(row) : null;
    },
    async listBySession(sessionId) {
      return statements().bySession.all(sessionId).map(toClaim);
    },
    async listStates(sessionId) {
      return statements()
        .states.all(sessionId)
        .map((row) => ({ ...row, split: row.split === 1 }));
    },
    async listOpenOnRack(sessionId, rack) {
      return statements().openOnRack.all(sessionId, rack).map(toClaim);
    },
    async listOpenByUser(sessionId, userId) {
      return statements().openByUser.all(sessionId, userId).map(toClaim);
    },
    async update(id, patch) {
      return update.immediate(id, patch);
    },
  };
}
