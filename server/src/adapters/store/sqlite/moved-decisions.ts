/**
 * MovedDecisionRepo on SQLite (issue #17 item 3, docs/design.md §13): one row per session and
 * item, the latest decision stands (the audit trail keeps every change).
 */
import type { MovedDecisionRecord, MovedDecisionRepo } from '../../../ports/moved-decisions';
import { lazy, type Db } from './database';

/** Migration 18. */
export const MOVED_DECISIONS_SCHEMA = `
  -- Keep counted / keep the difference for items that moved after they were counted (issue #17).
  CREATE TABLE IF NOT EXISTS moved_decisions (
    session_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('keep_counted', 'keep_difference')),
    reason TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (session_id, item_code)
  ) WITHOUT ROWID;
`;

const COLUMNS = 'session_id, item_code, mode, reason, decided_by, decided_at';

export function createSqliteMovedDecisionRepo(db: Db): MovedDecisionRepo {
  const s = lazy(() => ({
    upsert: db.prepare<[MovedDecisionRecord]>(
      `INSERT INTO moved_decisions (${COLUMNS}) VALUES (@session_id, @item_code, @mode, @reason,
         @decided_by, @decided_at)
       ON CONFLICT (session_id, item_code) DO UPDATE SET mode = excluded.mode,
         reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
    ),
    list: db.prepare<[string], MovedDecisionRecord>(
      `SELECT ${COLUMNS} FROM moved_decisions WHERE session_id = ? ORDER BY item_code`,
    ),
  }));
  const putAll = db.transaction((records: readonly MovedDecisionRecord[]) => {
    for (const r of records) s().upsert.run(r);
  });
  return {
    put(records) {
      putAll(records);
      return Promise.resolve();
    },
    list(sessionId) {
      return Promise.resolve(s().list.all(sessionId));
    },
  };
}
