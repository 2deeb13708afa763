/** ResultRepo on SQLite: the first answer for each op_id, kept for replays (design §5). */
import type { RecordResult } from '@stockverify/shared';
import type { ResultRepo, StoredResult } from '../../../ports/counting';
import { lazy, type Db } from './database';

type ResultRow = Omit<StoredResult, 'result'> & { result: string };

function toStored(row: ResultRow): StoredResult {
  return { ...row, result: JSON.parse(row.result) as RecordResult };
}

/** Builds the per-op result repository over an open, migrated database. */
export function createSqliteResultRepo(db: Db): ResultRepo {
  const statements = lazy(() => ({
    // First writer wins: a replayed op never replaces the answer its first run got.
    insert: db.prepare<[ResultRow]>(
      `INSERT INTO sync_results (op_id, user_id, result, created_at)
       VALUES (@op_id, @user_id, @result, @created_at)
       ON CONFLICT (op_id) DO NOTHING`,
    ),
    byOpId: db.prepare<[string], ResultRow>(
      'SELECT op_id, user_id, result, created_at FROM sync_results WHERE op_id = ?',
    ),
  }));

  const putIfAbsent = db.transaction((result: StoredResult): StoredResult => {
    statements().insert.run({ ...result, result: JSON.stringify(result.result) });
    const row = statements().byOpId.get(result.op_id);
    return row ? toStored(row) : result;
  });

  const putManyIfAbsent = db.transaction((results: readonly StoredResult[]): StoredResult[] =>
    results.map((result) => putIfAbsent(result)),
  );

  return {
    async putIfAbsent(result) {
      return putIfAbsent.immediate(result);
    },
    async putManyIfAbsent(results) {
      return putManyIfAbsent.immediate(results);
    },
    async get(opId) {
      const row = statements().byOpId.get(opId);
      return row ? toStored(row) : null;
    },
  };
}
