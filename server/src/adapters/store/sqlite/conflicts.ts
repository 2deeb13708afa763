/** ConflictRepo on SQLite: records kept for a supervisor instead of dropped (design §5). */
import type { ConflictRecord, ConflictRepo } from '../../../ports/counting';
import { lazy, type Db } from './database';
import { createSupervisorQueue } from './supervisor-queue';

type ConflictRow = Omit<ConflictRecord, 'record'> & { record: string };

/** Builds the conflict repository over an open, migrated database. */
export function createSqliteConflictRepo(db: Db): ConflictRepo {
  const countOpenByUser = lazy(() =>
    db
      .prepare<[string, string], number>(
        `SELECT COUNT(*) FROM conflicts WHERE session_id = ? AND user_id = ? AND status = 'OPEN'`,
      )
      .pluck(),
  );
  const queue = createSupervisorQueue<
    ConflictRecord,
    ConflictRow,
    Parameters<ConflictRepo['resolve']>[1]
  >(db, {
    table: 'conflicts',
    columns: [
      'id',
      'op_id',
      'session_id',
      'rack',
      'code',
      'message',
      'record',
      'user_id',
      'username',
      'device_id',
      'created_at',
      'status',
      'resolved_by',
      'resolved_at',
      'note',
      'line_id',
    ],
    newestBy: 'created_at',
    resolveSet:
      'status = @status, resolved_by = @resolved_by, resolved_at = @resolved_at, note = @note, line_id = @line_id',
    toRow: (conflict) => ({ ...conflict, record: JSON.stringify(conflict.record) }),
    toRecord: (row) => ({ ...row, record: JSON.parse(row.record) as Record<string, unknown> }),
  });
  return {
    ...queue,
    async countOpenByUser(sessionId, userId) {
      return countOpenByUser().get(sessionId, userId) ?? 0;
    },
  };
}
