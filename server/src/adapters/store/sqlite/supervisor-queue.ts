/**
 * The shape conflicts and unknown items share on SQLite: records a phone sent that wait for a
 * supervisor. Stored once per op_id, listed newest first by session and status, resolved once
 * (the `status = 'OPEN'` guard is the compare-and-set: of two racing supervisors one wins).
 */
import type { Paged } from '../../../ports/store';
import { lazy, type Db } from './database';

export interface QueueSpec<Rec, Row> {
  table: string;
  /** Every column, in the order of the INSERT's named parameters. */
  columns: readonly string[];
  /** Column the list is ordered by, newest first. */
  newestBy: string;
  /** `col = @col` assignments a resolution sets. */
  resolveSet: string;
  toRow(record: Rec): Row;
  toRecord(row: Row): Rec;
}

export interface QueueListQuery {
  page: number;
  page_size: number;
  session?: string;
  status?: string;
}

/** insertIfAbsent / get / list / resolve over one queue table. */
export function createSupervisorQueue<Rec extends { op_id: string }, Row, Patch extends object>(
  db: Db,
  spec: QueueSpec<Rec, Row>,
) {
  const cols = spec.columns.join(', ');
  const where = `WHERE (@session IS NULL OR session_id = @session) AND (@status IS NULL OR status = @status)`;
  type ListParams = { session: string | null; status: string | null };
  const statements = lazy(() => ({
    insert: db.prepare<[Row]>(
      `INSERT INTO ${spec.table} (${cols}) VALUES (${spec.columns.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (op_id) DO NOTHING`,
    ),
    byId: db.prepare<[string], Row>(`SELECT ${cols} FROM ${spec.table} WHERE id = ?`),
    byOpId: db.prepare<[string], Row>(`SELECT ${cols} FROM ${spec.table} WHERE op_id = ?`),
    resolve: db.prepare<[Patch & { id: string }]>(
      `UPDATE ${spec.table} SET ${spec.resolveSet} WHERE id = @id AND status = 'OPEN'`,
    ),
    page: db.prepare<[ListParams & { limit: number; offset: number }], Row>(
      `SELECT ${cols} FROM ${spec.table} ${where}
       ORDER BY ${spec.newestBy} DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    total: db.prepare<[ListParams], number>(`SELECT COUNT(*) FROM ${spec.table} ${where}`).pluck(),
  }));

  const insertIfAbsent = db.transaction((record: Rec): Rec => {
    statements().insert.run(spec.toRow(record));
    const row = statements().byOpId.get(record.op_id);
    return row ? spec.toRecord(row) : record;
  });

  const resolve = db.transaction((id: string, patch: Patch): Rec | null => {
    if (statements().resolve.run({ ...patch, id }).changes === 0) return null;
    const row = statements().byId.get(id);
    return row ? spec.toRecord(row) : null;
  });

  return {
    async insertIfAbsent(record: Rec): Promise<Rec> {
      return insertIfAbsent.immediate(record);
    },
    async get(id: string): Promise<Rec | null> {
      const row = statements().byId.get(id);
      return row ? spec.toRecord(row) : null;
    },
    async list(query: QueueListQuery): Promise<Paged<Rec>> {
      const filter = { session: query.session ?? null, status: query.status ?? null };
      const rows = statements().page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(spec.toRecord), total: statements().total.get(filter) ?? 0 };
    },
    async resolve(id: string, patch: Patch): Promise<Rec | null> {
      return resolve.immediate(id, patch);
    },
  };
}
