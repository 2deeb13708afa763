/** ConflictRepo on SQLite: records kept for a supervisor instead of dropped (DESIGN §5). */
import type { ConflictRecord, ConflictRepo, ConflictStatus } from '../../../ports/counting';
import type { Paged } from '../../../ports/store';
import { lazy, type Db } from './database';

type ConflictRow = Omit<ConflictRecord, 'record'> & { record: string };

type ResolvePatch = Parameters<ConflictRepo['resolve']>[1];

interface ListParams {
  session: string | null;
  status: ConflictStatus | null;
}

const COLUMNS = `id, op_id, session_id, rack, code, message, record, user_id, username, device_id,
  created_at, status, resolved_by, resolved_at, note, line_id`;

const LIST_WHERE = `
  WHERE (@session IS NULL OR session_id = @session)
    AND (@status IS NULL OR status = @status)`;

function toRecord(row: ConflictRow): ConflictRecord {
  return { ...row, record: JSON.parse(row.record) as Record<string, unknown> };
}

/** Builds the conflict repository over an open, migrated database. */
export function createSqliteConflictRepo(db: Db): ConflictRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[ConflictRow]>(
      `INSERT INTO conflicts (${COLUMNS}) VALUES (@id, @op_id, @session_id, @rack, @code,
        @message, @record, @user_id, @username, @device_id, @created_at, @status, @resolved_by,
        @resolved_at, @note, @line_id)
       ON CONFLICT (op_id) DO NOTHING`,
    ),
    byId: db.prepare<[string], ConflictRow>(`SELECT ${COLUMNS} FROM conflicts WHERE id = ?`),
    byOpId: db.prepare<[string], ConflictRow>(`SELECT ${COLUMNS} FROM conflicts WHERE op_id = ?`),
    // The status guard is the compare-and-set: of two racing supervisors only one changes a row.
    resolve: db.prepare<[ResolvePatch & { id: string }]>(
      `UPDATE conflicts SET status = @status, resolved_by = @resolved_by,
        resolved_at = @resolved_at, note = @note, line_id = @line_id
       WHERE id = @id AND status = 'OPEN'`,
    ),
    page: db.prepare<[ListParams & { limit: number; offset: number }], ConflictRow>(
      `SELECT ${COLUMNS} FROM conflicts ${LIST_WHERE}
       ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    total: db.prepare<[ListParams], number>(`SELECT COUNT(*) FROM conflicts ${LIST_WHERE}`).pluck(),
  }));

  const insertIfAbsent = db.transaction((conflict: ConflictRecord): ConflictRecord => {
    statements().insert.run({ ...conflict, record: JSON.stringify(conflict.record) });
    const row = statements().byOpId.get(conflict.op_id);
    return row ? toRecord(row) : conflict;
  });

  const resolve = db.transaction((id: string, patch: ResolvePatch): ConflictRecord | null => {
    if (statements().resolve.run({ ...patch, id }).changes === 0) return null;
    const row = statements().byId.get(id);
    return row ? toRecord(row) : null;
  });

  return {
    async insertIfAbsent(conflict) {
      return insertIfAbsent.immediate(conflict);
    },
    async get(id) {
      const row = statements().byId.get(id);
      return row ? toRecord(row) : null;
    },
    async list(query): Promise<Paged<ConflictRecord>> {
      const filter: ListParams = { session: query.session ?? null, status: query.status ?? null };
      const rows = statements().page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toRecord), total: statements().total.get(filter) ?? 0 };
    },
    async resolve(id, patch) {
      return resolve.immediate(id, patch);
    },
  };
}
