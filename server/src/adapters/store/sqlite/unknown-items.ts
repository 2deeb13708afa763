/** UnknownItemRepo on SQLite: scanned barcodes missing from the item master (DESIGN §4). */
import type {
  UnknownItemRecord,
  UnknownItemRepo,
  UnknownItemStatus,
} from '../../../ports/counting';
import type { Paged } from '../../../ports/store';
import { lazy, type Db } from './database';

type UnknownItemRow = Omit<UnknownItemRecord, 'photo_ids'> & { photo_ids: string };

type ResolvePatch = Parameters<UnknownItemRepo['resolve']>[1];

interface ListParams {
  session: string | null;
  status: UnknownItemStatus | null;
}

const COLUMNS = `id, op_id, session_id, rack, barcode, description, counted_qty, photo_ids, remark,
  counted_by, counted_by_name, counted_at, received_at, status, mapped_item_code, resolved_by,
  resolved_at`;

const LIST_WHERE = `
  WHERE (@session IS NULL OR session_id = @session)
    AND (@status IS NULL OR status = @status)`;

function toRecord(row: UnknownItemRow): UnknownItemRecord {
  return { ...row, photo_ids: JSON.parse(row.photo_ids) as string[] };
}

/** Builds the unknown-item repository over an open, migrated database. */
export function createSqliteUnknownItemRepo(db: Db): UnknownItemRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[UnknownItemRow]>(
      `INSERT INTO unknown_items (${COLUMNS}) VALUES (@id, @op_id, @session_id, @rack, @barcode,
        @description, @counted_qty, @photo_ids, @remark, @counted_by, @counted_by_name,
        @counted_at, @received_at, @status, @mapped_item_code, @resolved_by, @resolved_at)
       ON CONFLICT (op_id) DO NOTHING`,
    ),
    byId: db.prepare<[string], UnknownItemRow>(`SELECT ${COLUMNS} FROM unknown_items WHERE id = ?`),
    byOpId: db.prepare<[string], UnknownItemRow>(
      `SELECT ${COLUMNS} FROM unknown_items WHERE op_id = ?`,
    ),
    // The status guard is the compare-and-set: an item is mapped or dismissed once.
    resolve: db.prepare<[ResolvePatch & { id: string }]>(
      `UPDATE unknown_items SET status = @status, mapped_item_code = @mapped_item_code,
        resolved_by = @resolved_by, resolved_at = @resolved_at
       WHERE id = @id AND status = 'OPEN'`,
    ),
    page: db.prepare<[ListParams & { limit: number; offset: number }], UnknownItemRow>(
      `SELECT ${COLUMNS} FROM unknown_items ${LIST_WHERE}
       ORDER BY received_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    total: db
      .prepare<[ListParams], number>(`SELECT COUNT(*) FROM unknown_items ${LIST_WHERE}`)
      .pluck(),
    countOpen: db
      .prepare<[string], number>(
        "SELECT COUNT(*) FROM unknown_items WHERE session_id = ? AND status = 'OPEN'",
      )
      .pluck(),
  }));

  const insertIfAbsent = db.transaction((item: UnknownItemRecord): UnknownItemRecord => {
    statements().insert.run({ ...item, photo_ids: JSON.stringify(item.photo_ids) });
    const row = statements().byOpId.get(item.op_id);
    return row ? toRecord(row) : item;
  });

  const resolve = db.transaction((id: string, patch: ResolvePatch): UnknownItemRecord | null => {
    if (statements().resolve.run({ ...patch, id }).changes === 0) return null;
    const row = statements().byId.get(id);
    return row ? toRecord(row) : null;
  });

  return {
    async insertIfAbsent(item) {
      return insertIfAbsent.immediate(item);
    },
    async get(id) {
      const row = statements().byId.get(id);
      return row ? toRecord(row) : null;
    },
    async list(query): Promise<Paged<UnknownItemRecord>> {
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
    async countOpen(sessionId) {
      return statements().countOpen.get(sessionId) ?? 0;
    },
  };
}
