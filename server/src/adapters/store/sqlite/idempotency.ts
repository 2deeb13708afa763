/** IdempotencyRepo on SQLite: finished sync batches by (key, user), kept ≥ 30 days (design §5). */
import type { RecordResult } from '@stockverify/shared';
import type { IdempotencyRecord, IdempotencyRepo } from '../../../ports/counting';
import { lazy, type Db } from './database';

type IdempotencyRow = Omit<IdempotencyRecord, 'results'> & { results: string };

const COLUMNS = 'key, user_id, request_hash, results, created_at';

function toRecord(row: IdempotencyRow): IdempotencyRecord {
  return { ...row, results: JSON.parse(row.results) as RecordResult[] };
}

/** Builds the batch idempotency-key repository over an open, migrated database. */
export function createSqliteIdempotencyRepo(db: Db): IdempotencyRepo {
  const statements = lazy(() => ({
    // Keys are per user: two users choosing the same key never see each other's batch.
    insert: db.prepare<[IdempotencyRow]>(
      `INSERT INTO idempotency_keys (${COLUMNS})
       VALUES (@key, @user_id, @request_hash, @results, @created_at)
       ON CONFLICT (key, user_id) DO NOTHING`,
    ),
    get: db.prepare<[string, string], IdempotencyRow>(
      `SELECT ${COLUMNS} FROM idempotency_keys WHERE key = ? AND user_id = ?`,
    ),
    deleteOlderThan: db.prepare<[string]>('DELETE FROM idempotency_keys WHERE created_at < ?'),
  }));

  const putIfAbsent = db.transaction((record: IdempotencyRecord): IdempotencyRecord => {
    statements().insert.run({ ...record, results: JSON.stringify(record.results) });
    const row = statements().get.get(record.key, record.user_id);
    return row ? toRecord(row) : record;
  });

  return {
    async get(key, userId) {
      const row = statements().get.get(key, userId);
      return row ? toRecord(row) : null;
    },
    async putIfAbsent(record) {
      return putIfAbsent.immediate(record);
    },
    async deleteOlderThan(before) {
      return statements().deleteOlderThan.run(before).changes;
    },
  };
}
