/** UnknownItemRepo on SQLite: scanned barcodes missing from the item master (design §4). */
import type { UnknownItemRecord, UnknownItemRepo } from '../../../ports/counting';
import { lazy, type Db } from './database';
import { createSupervisorQueue } from './supervisor-queue';

type UnknownItemRow = Omit<UnknownItemRecord, 'photo_ids'> & { photo_ids: string };

/** Builds the unknown-item repository over an open, migrated database. */
export function createSqliteUnknownItemRepo(db: Db): UnknownItemRepo {
  const queue = createSupervisorQueue<
    UnknownItemRecord,
    UnknownItemRow,
    Parameters<UnknownItemRepo['resolve']>[1]
  >(db, {
    table: 'unknown_items',
    columns: [
      'id',
      'op_id',
      'session_id',
      'rack',
      'barcode',
      'description',
      'counted_qty',
      'photo_ids',
      'remark',
      'counted_by',
      'counted_by_name',
      'counted_at',
      'received_at',
      'status',
      'mapped_item_code',
      'resolved_by',
      'resolved_at',
    ],
    newestBy: 'received_at',
    resolveSet:
      'status = @status, mapped_item_code = @mapped_item_code, resolved_by = @resolved_by, resolved_at = @resolved_at',
    toRow: (item) => ({ ...item, photo_ids: JSON.stringify(item.photo_ids) }),
    toRecord: (row) => ({ ...row, photo_ids: JSON.parse(row.photo_ids) as string[] }),
  });
  const countOpen = lazy(() =>
    db
      .prepare<[string], number>(
        "SELECT COUNT(*) FROM unknown_items WHERE session_id = ? AND status = 'OPEN'",
      )
      .pluck(),
  );
  const countOpenByUser = lazy(() =>
    db
      .prepare<[string, string], number>(
        `SELECT COUNT(*) FROM unknown_items
         WHERE session_id = ? AND counted_by = ? AND status = 'OPEN'`,
      )
      .pluck(),
  );
  return {
    ...queue,
    async countOpen(sessionId) {
      return countOpen().get(sessionId) ?? 0;
    },
    async countOpenByUser(sessionId, userId) {
      return countOpenByUser().get(sessionId, userId) ?? 0;
    },
  };
}
