/** SessionRepo on SQLite: sessions with scope and racks as JSON, snapshot rows in their own table. */
import type { ListSessionsQuery, SessionScope, SessionStatus } from '@stockverify/shared';
import type { Statement } from 'better-sqlite3';
import type {
  SessionRecord,
  SessionRepo,
  SnapshotRack,
  SnapshotRow,
  SnapshotRowInput,
} from '../../../ports/counting';
import type { Paged } from '../../../ports/store';
import { lazy, type Db } from './database';

type SessionRow = Omit<SessionRecord, 'scope' | 'racks' | 'tolerance_rule_set'> & {
  scope: string;
  racks: string;
  tolerance_version: number | null;
  tolerance_hash: string | null;
};

type SessionParams = SessionRow & { name_lower: string };

interface ListParams {
  status: string | null;
  warehouse: string | null;
  staff: string | null;
  from: string | null;
  to: string | null;
  q: string | null;
}

type Sort = ListSessionsQuery['sort'];

const COLUMNS = `id, warehouse, name, mode, scope, status, racks, snapshot_items, created_by,
  created_at, closed_at, reconciled_at, updated_at, tolerance_version, tolerance_hash,
  erp_watermark, erp_watermark_high`;

type SnapshotBinRow = SnapshotRack & { item_code: string };

const SNAPSHOT_COLUMNS = 'session_id, item_code, name, category, book_qty, cost, price';

// Sessions number in the hundreds per site, so one `@x IS NULL OR …` plan per sort is enough.
// `from` is inclusive and `to` exclusive, like every other time range of the API.
const LIST_WHERE = `
  WHERE (@status IS NULL OR status = @status)
    AND (@warehouse IS NULL OR warehouse = @warehouse)
    AND (@from IS NULL OR created_at >= @from)
    AND (@to IS NULL OR created_at < @to)
    AND (@q IS NULL OR instr(name_lower, @q) > 0)
    AND (@staff IS NULL OR EXISTS (
      SELECT 1 FROM count_lines l WHERE l.counted_by = @staff AND l.session_id = sessions.id))`;

// Ties break on id in the sort's own direction, so a page boundary never splits differently.
const ORDER_BY: Record<Sort, string> = {
  created_at: 'created_at, id',
  '-created_at': 'created_at DESC, id DESC',
  name: 'name, id',
  '-name': 'name DESC, id DESC',
  status: 'status, id',
  '-status': 'status DESC, id DESC',
};

/**
 * A session's scope and racks, parsed once per text and shared (frozen) while the text stays the
 * same: a 1,000-rack session's racks are about 12 KB of JSON, and the session is read by every
 * sync batch and nearly every read — parsing them again on each was 2 % of the API's CPU in
 * bench:session (the largest single cost of the rack map and the session detail after their own
 * queries). A text that changes (a session's racks never do once it is created) is parsed anew.
 */
const parsed = new Map<string, unknown>();
/** Texts kept, the least recently read dropped first (a sessions page reads up to 100 sessions). */
const PARSED_MAX = 256;
function parsedOnce<T>(text: string): T {
  const known = parsed.get(text);
  if (known !== undefined) {
    // Most recently read last: a page of other sessions does not push out the one being counted.
    parsed.delete(text);
    parsed.set(text, known);
    return known as T;
  }
  const value = deepFreeze(JSON.parse(text) as T);
  if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, value);
  return value;
}
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function toRecord(row: SessionRow): SessionRecord {
  const { tolerance_version, tolerance_hash, ...rest } = row;
  return {
    ...rest,
    scope: parsedOnce<SessionScope>(row.scope),
    racks: parsedOnce<string[]>(row.racks),
    tolerance_rule_set:
      tolerance_version === null || tolerance_hash === null
        ? null
        : { version: tolerance_version, hash: tolerance_hash },
  };
}

function toParams(session: SessionRecord): SessionParams {
  const { tolerance_rule_set, ...rest } = session;
  return {
    ...rest,
    name_lower: session.name.toLowerCase(),
    scope: JSON.stringify(session.scope),
    racks: JSON.stringify(session.racks),
    tolerance_version: tolerance_rule_set?.version ?? null,
    tolerance_hash: tolerance_rule_set?.hash ?? null,
    erp_watermark: session.erp_watermark ?? null,
    erp_watermark_high: session.erp_watermark_high ?? null,
  };
}

/** Builds the session repository over an open, migrated database. */
export function createSqliteSessionRepo(db: Db): SessionRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[SessionParams]>(
      `INSERT INTO sessions (${COLUMNS}, name_lower) VALUES (@id, @warehouse, @name, @mode,
        @scope, @status, @racks, @snapshot_items, @created_by, @created_at, @closed_at,
        @reconciled_at, @updated_at, @tolerance_version, @tolerance_hash, @erp_watermark,
        @erp_watermark_high, @name_lower)`,
    ),
    insertSnapshot: db.prepare<[SnapshotRow]>(
      `INSERT INTO session_snapshot (${SNAPSHOT_COLUMNS}) VALUES (@session_id, @item_code, @name,
        @category, @book_qty, @cost, @price)`,
    ),
    byId: db.prepare<[string], SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`),
    setStatus: db.prepare<[SessionRow]>(
      `UPDATE sessions SET status = @status, closed_at = @closed_at,
        reconciled_at = @reconciled_at, updated_at = @updated_at
       WHERE id = @id`,
    ),
    total: db.prepare<[ListParams], number>(`SELECT COUNT(*) FROM sessions ${LIST_WHERE}`).pluck(),
    snapshotRow: db.prepare<[string, string], SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM session_snapshot WHERE session_id = ? AND item_code = ?`,
    ),
    snapshotRows: db.prepare<[string], SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM session_snapshot WHERE session_id = ? ORDER BY item_code`,
    ),
    insertBin: db.prepare<[{ session_id: string; item_code: string; rack: string; qty: number }]>(
      `INSERT INTO snapshot_bins (session_id, item_code, rack, qty)
       VALUES (@session_id, @item_code, @rack, @qty)`,
    ),
    // Every item of the session, or the items named: two statements, since `@items IS NULL OR
    // item_code IN (…)` made SQLite read every item of the session for each lookup (the key's
    // prefix serves both).
    snapshotBins: db.prepare<[{ session_id: string }], SnapshotBinRow>(
      `SELECT item_code, rack, qty FROM snapshot_bins
       WHERE session_id = @session_id
       ORDER BY item_code, rack`,
    ),
    snapshotBinsOf: db.prepare<[{ session_id: string; items: string }], SnapshotBinRow>(
      `SELECT item_code, rack, qty FROM snapshot_bins
       WHERE session_id = @session_id AND item_code IN (SELECT value FROM json_each(@items))
       ORDER BY item_code, rack`,
    ),
  }));

  const pages = new Map<Sort, Statement<[object], SessionRow>>();
  const pageFor = (sort: Sort) => {
    let page = pages.get(sort);
    if (!page) {
      page = db.prepare<[object], SessionRow>(
        `SELECT ${COLUMNS} FROM sessions ${LIST_WHERE}
         ORDER BY ${ORDER_BY[sort]} LIMIT @limit OFFSET @offset`,
      );
      pages.set(sort, page);
    }
    return page;
  };

  const create = db.transaction((session: SessionRecord, snapshot: readonly SnapshotRowInput[]) => {
    statements().insert.run(toParams(session));
    for (const { racks, ...row } of snapshot) {
      statements().insertSnapshot.run(row);
      for (const bin of racks ?? []) {
        statements().insertBin.run({
          session_id: row.session_id,
          item_code: row.item_code,
          ...bin,
        });
      }
    }
  });

  // Read-check-write is the compare-and-set: better-sqlite3 is synchronous and the transaction
  // holds the write lock, so no other transition can interleave.
  const transition = db.transaction(
    (
      id: string,
      from: readonly SessionStatus[],
      to: SessionStatus,
      patch: Parameters<SessionRepo['transition']>[3],
    ): SessionRecord | null => {
      const row = statements().byId.get(id);
      if (!row || !from.includes(row.status)) return null;
      const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
      const next: SessionRow = { ...row, ...Object.fromEntries(defined), status: to };
      statements().setStatus.run(next);
      return toRecord(next);
    },
  );

  return {
    async create(session, snapshot) {
      create.immediate(session, snapshot);
    },
    async get(id) {
      const row = statements().byId.get(id);
      return row ? toRecord(row) : null;
    },
    async list(query: ListSessionsQuery): Promise<Paged<SessionRecord>> {
      const filter: ListParams = {
        status: query.status ?? null,
        warehouse: query.warehouse ?? null,
        staff: query.staff ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        q: query.q ? query.q.toLowerCase() : null,
      };
      const rows = pageFor(query.sort).all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toRecord), total: statements().total.get(filter) ?? 0 };
    },
    async transition(id, from, to, patch) {
      return transition.immediate(id, from, to, patch);
    },
    async snapshotRow(sessionId, itemCode) {
      return statements().snapshotRow.get(sessionId, itemCode) ?? null;
    },
    async snapshotRows(sessionId) {
      return statements().snapshotRows.all(sessionId);
    },
    async snapshotRacks(sessionId, itemCodes) {
      const rows = itemCodes
        ? statements().snapshotBinsOf.all({
            session_id: sessionId,
            items: JSON.stringify(itemCodes),
          })
        : statements().snapshotBins.all({ session_id: sessionId });
      const out = new Map<string, SnapshotRack[]>();
      for (const { item_code, ...bin } of rows) {
        const list = out.get(item_code);
        if (list) list.push(bin);
        else out.set(item_code, [bin]);
      }
      return out;
    },
  };
}
