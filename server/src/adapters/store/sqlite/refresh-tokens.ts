/** RefreshTokenRepo on SQLite. */
import type { RefreshTokenRecord, RefreshTokenRepo } from '../../../ports/store';
import { lazy, type Db } from './database';

const COLUMNS = `id, user_id, family_id, token_hash, device_id, created_at, expires_at, used_at,
  revoked_at`;

/** Builds the refresh-token repository over an open, migrated database. */
export function createSqliteRefreshTokenRepo(db: Db): RefreshTokenRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[RefreshTokenRecord]>(
      `INSERT INTO refresh_tokens (${COLUMNS}) VALUES (@id, @user_id, @family_id, @token_hash,
        @device_id, @created_at, @expires_at, @used_at, @revoked_at)`,
    ),
    byHash: db.prepare<[string], RefreshTokenRecord>(
      `SELECT ${COLUMNS} FROM refresh_tokens WHERE token_hash = ?`,
    ),
    // The WHERE clause is the whole race guard (design §6): only one UPDATE can see used_at NULL.
    consume: db.prepare<[{ id: string; at: string }]>(
      `UPDATE refresh_tokens SET used_at = @at
       WHERE id = @id AND used_at IS NULL AND revoked_at IS NULL`,
    ),
    revokeFamily: db.prepare<[{ key: string; at: string }]>(
      'UPDATE refresh_tokens SET revoked_at = @at WHERE family_id = @key AND revoked_at IS NULL',
    ),
    revokeUser: db.prepare<[{ key: string; at: string }]>(
      'UPDATE refresh_tokens SET revoked_at = @at WHERE user_id = @key AND revoked_at IS NULL',
    ),
    deleteExpired: db.prepare<[string]>('DELETE FROM refresh_tokens WHERE expires_at < ?'),
  }));

  return {
    async insert(token) {
      statements().insert.run(token);
    },
    async getByHash(tokenHash) {
      return statements().byHash.get(tokenHash) ?? null;
    },
    async consume(id, at) {
      return statements().consume.run({ id, at }).changes === 1;
    },
    async revokeFamily(familyId, at) {
      return statements().revokeFamily.run({ key: familyId, at }).changes;
    },
    async revokeUser(userId, at) {
      return statements().revokeUser.run({ key: userId, at }).changes;
    },
    async deleteExpired(before) {
      return statements().deleteExpired.run(before).changes;
    },
  };
}
