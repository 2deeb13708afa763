/**
 * LineRepo on SQLite: count lines, the serials each active line holds within its session, and
 * every serial sighting. `insert` runs all its checks and writes in one immediate transaction.
 */
import { roundMoney, roundQty, type LineStatus, type LineTolerance } from '@stockverify/shared';
import type {
  BinSum,
  CounterStats,
  CountLineRecord,
  InsertLineOutcome,
  ItemVariance,
  LineListQuery,
  LineRepo,
  SerialSighting,
} from '../../../ports/counting';
import type { Paged } from '../../../ports/store';
import { lazy, toFlag, type Db } from './database';
import {
  correctedCandidateDelta,
  lineCounts,
  type LineEvent,
  type WriterDelta,
} from '../read-model-plan';
import { createSqliteReadModel } from './read-model';
import { LINE_AT_COUNT_PAGE, LINE_AT_COUNT_TOTAL } from './lines-at-count';

type LineRow = Omit<
  CountLineRecord,
  'serials' | 'photo_ids' | 'review_reasons' | 'variance_confirmed' | 'tolerance'
> & {
  serials: string;
  photo_ids: string;
  review_reasons: string;
  variance_confirmed: number;
  /** JSON of the tolerance decision; NULL on lines from before rule sets (migration 10). */
  tolerance: string | null;
};

interface ListParams {
  session_id: string;
  status: string | null;
  rack: string | null;
  has_variance: 0 | 1 | null;
  include_superseded: 0 | 1;
  at_count: string | null;
}

interface VarianceRow {
  item_code: string;
  name: string;
  category: string | null;
  book_qty: number;
  cost: number;
  price: number;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  lines: number;
  racks: string;
}

const COLUMNS = `id, op_id, session_id, rack, item_code, barcode, counted_qty, damaged_qty,
  non_returnable_damaged_qty, serials, batch_no, mfg_date, expiry_date, condition,
  variance_reason, variance_confirmed, remark, photo_ids, supersedes, superseded_by, book_qty,
  variance, value_at_cost, value_at_price, status, review_reasons, reviewed_by, reviewed_at,
  review_note, counted_by, counted_by_name, device_id, claim_id, fencing_token, counted_at,
  received_at, tolerance, phase, recount_task_id`;

const SIGHTING_COLUMNS = `serial, item_code, session_id, rack, line_id, op_id, counted_by,
  counted_by_name, condition, counted_at`;

// A line counts unless a newer line corrected it, a supervisor rejected it (design §4) or its bin
// did not take its figure (CANDIDATE, design §12).
const COUNTS = `superseded_by IS NULL AND status NOT IN ('REJECTED', 'CANDIDATE')`;

const LIST_WHERE = `
  WHERE session_id = @session_id
    AND (@include_superseded = 1 OR superseded_by IS NULL)
    AND (@status IS NULL OR status = @status)
    AND (@rack IS NULL OR rack = @rack)
    AND (@has_variance IS NULL OR (variance <> 0) = @has_variance)`;

// Book quantity, cost and price come from the session's snapshot; an item outside it has book 0
// and takes its name from the item master, or shows its code when not even there.
const VARIANCES = `
  SELECT l.item_code AS item_code,
    COALESCE(s.name, i.name, l.item_code) AS name,
    CASE WHEN s.item_code IS NULL THEN i.category ELSE s.category END AS category,
    COALESCE(s.book_qty, 0) AS book_qty,
    COALESCE(s.cost, 0) AS cost,
    COALESCE(s.price, 0) AS price,
    l.counted_qty, l.damaged_qty, l.non_returnable_damaged_qty, l.lines, l.racks
  FROM (
    SELECT item_code,
      SUM(counted_qty) AS counted_qty,
      SUM(damaged_qty) AS damaged_qty,
      SUM(non_returnable_damaged_qty) AS non_returnable_damaged_qty,
      COUNT(*) AS lines,
      json_group_array(DISTINCT rack) AS racks
    FROM count_lines
    WHERE session_id = @session_id AND ${COUNTS}
    GROUP BY item_code
  ) l
  LEFT JOIN session_snapshot s ON s.session_id = @session_id AND s.item_code = l.item_code
  LEFT JOIN items i ON i.item_code = l.item_code
  ORDER BY l.item_code`;

function toRecord(row: LineRow): CountLineRecord {
  const { tolerance, ...rest } = row;
  const record: CountLineRecord = {
    ...rest,
    serials: JSON.parse(row.serials) as string[],
    photo_ids: JSON.parse(row.photo_ids) as string[],
    review_reasons: JSON.parse(row.review_reasons) as string[],
    variance_confirmed: row.variance_confirmed === 1,
  };
  // Absent, not null, on a line without a decision: as the line was written.
  if (tolerance !== null) record.tolerance = JSON.parse(tolerance) as LineTolerance;
  return record;
}

function toRow(line: CountLineRecord): LineRow {
  return {
    ...line,
    serials: JSON.stringify(line.serials),
    photo_ids: JSON.stringify(line.photo_ids),
    review_reasons: JSON.stringify(line.review_reasons),
    variance_confirmed: toFlag(line.variance_confirmed),
    tolerance: line.tolerance ? JSON.stringify(line.tolerance) : null,
  };
}

// The bins repository reads a bin's lines as this one does (sqlite/bins.ts).
export { COLUMNS as LINE_COLUMNS, toRecord as toLineRecord, type LineRow };

function toVariance(row: VarianceRow): ItemVariance {
  const counted = roundQty(row.counted_qty);
  const nonReturnable = roundQty(row.non_returnable_damaged_qty);
  const variance = roundQty(counted - nonReturnable - row.book_qty);
  return {
    item_code: row.item_code,
    name: row.name,
    category: row.category,
    book_qty: row.book_qty,
    counted_qty: counted,
    damaged_qty: roundQty(row.damaged_qty),
    non_returnable_damaged_qty: nonReturnable,
    variance,
    value_at_cost: roundMoney(variance * row.cost),
    value_at_price: roundMoney(variance * row.price),
    lines: row.lines,
    racks: (JSON.parse(row.racks) as string[]).sort(),
  };
}

function prepareLineStatements(db: Db) {
  return {
    insert: db.prepare<[LineRow]>(
      `INSERT INTO count_lines (${COLUMNS}) VALUES (@id, @op_id, @session_id, @rack, @item_code,
        @barcode, @counted_qty, @damaged_qty, @non_returnable_damaged_qty, @serials, @batch_no,
        @mfg_date, @expiry_date, @condition, @variance_reason, @variance_confirmed, @remark,
        @photo_ids, @supersedes, @superseded_by, @book_qty, @variance, @value_at_cost,
        @value_at_price, @status, @review_reasons, @reviewed_by, @reviewed_at, @review_note,
        @counted_by, @counted_by_name, @device_id, @claim_id, @fencing_token, @counted_at,
        @received_at, @tolerance, @phase, @recount_task_id)`,
    ),
    byId: db.prepare<[string], LineRow>(`SELECT ${COLUMNS} FROM count_lines WHERE id = ?`),
    byOpId: db.prepare<[string], LineRow>(`SELECT ${COLUMNS} FROM count_lines WHERE op_id = ?`),
    // One search of the op_id index per id (line-indexes.test.ts).
    byOpIds: db.prepare<[string], LineRow>(
      `SELECT ${COLUMNS} FROM count_lines WHERE op_id IN (SELECT value FROM json_each(?))`,
    ),
    newestClaim: db
      .prepare<[string, string], string>(
        `SELECT id FROM claims WHERE session_id = ? AND rack = ?
         ORDER BY token DESC, claimed_at DESC, id DESC LIMIT 1`,
      )
      .pluck(),
    // Split claims held together share the rack's token (docs/design.md §12 "Split bins").
    holdsNewestToken: db
      .prepare<[string, string, string], number>(
        `SELECT 1 FROM claims c WHERE c.id = ? AND c.split = 1 AND c.token =
           (SELECT MAX(token) FROM claims WHERE session_id = ? AND rack = ?)`,
      )
      .pluck(),
    supersedable: db
      .prepare<[{ op_id: string; session_id: string; rack: string; item_code: string }], string>(
        `SELECT id FROM count_lines WHERE op_id = @op_id AND session_id = @session_id
          AND rack = @rack AND item_code = @item_code AND superseded_by IS NULL`,
      )
      .pluck(),
    // One statement per line, not per serial (issue #12: a batch of 100 000 serials held the event
    // loop 12.6 s): the line's first serial, in its order, that another counting line holds.
    serialHolder: db.prepare<
      [
        {
          session_id: string;
          item_code: string;
          rack: string;
          phase: number;
          serials: string;
          except: string;
        },
      ],
      { serial: string; op_id: string }
    >(
      // CROSS JOIN keeps json_each outside: the planner would otherwise scan every serial of the
      // item in the session once per serial of the line. A recount names the units its bin's
      // first count found: within one bin, a recount's serials and its first count's do not
      // collide (design §12).
      `SELECT j.value AS serial, ls.op_id AS op_id FROM json_each(@serials) j
         CROSS JOIN line_serials ls ON ls.session_id = @session_id AND ls.item_code = @item_code
           AND ls.serial = j.value AND ls.active = 1 AND ls.op_id <> @except
         CROSS JOIN count_lines l ON l.op_id = ls.op_id
       WHERE l.status <> 'REJECTED' AND NOT (l.rack = @rack AND (@phase > 0 OR l.phase > 0))
       ORDER BY j.key LIMIT 1`,
    ),
    markSuperseded: db.prepare<[{ op_id: string; by: string }]>(
      'UPDATE count_lines SET superseded_by = @by WHERE op_id = @op_id',
    ),
    releaseSerials: db.prepare<[string]>('UPDATE line_serials SET active = 0 WHERE op_id = ?'),
    holdSerials: db.prepare<
      [
        {
          session_id: string;
          item_code: string;
          rack: string;
          serials: string;
          line_id: string;
          op_id: string;
        },
      ]
    >(
      // One holder per serial, as MongoDB's unique index has it: a serial a line of the same bin
      // holds already (the first count a recount repeats) stays that line's.
      `INSERT OR IGNORE INTO line_serials (session_id, item_code, serial, line_id, op_id, active)
       SELECT @session_id, @item_code, j.value, @line_id, @op_id, 1 FROM json_each(@serials) j
       WHERE NOT EXISTS (SELECT 1 FROM line_serials ls
         CROSS JOIN count_lines l ON l.op_id = ls.op_id
         WHERE ls.session_id = @session_id AND ls.item_code = @item_code AND ls.serial = j.value
           AND ls.active = 1 AND l.rack = @rack AND l.status <> 'REJECTED')`,
    ),
    insertSightings: db.prepare<[Omit<SerialSighting, 'serial'> & { serials: string }]>(
      `INSERT INTO serial_sightings (${SIGHTING_COLUMNS})
       SELECT j.value, @item_code, @session_id, @rack, @line_id, @op_id, @counted_by,
         @counted_by_name, @condition, @counted_at
       FROM json_each(@serials) j ORDER BY j.key`,
    ),
    review: db.prepare<
      [
        {
          id: string;
          status: LineStatus;
          reviewed_by: string | null;
          reviewed_at: string | null;
          review_note: string | null;
        },
      ]
    >(
      `UPDATE count_lines SET status = @status, reviewed_by = @reviewed_by,
        reviewed_at = @reviewed_at, review_note = @review_note
       WHERE id = @id`,
    ),
    page: db.prepare<[ListParams & { limit: number; offset: number }], LineRow>(
      `SELECT ${COLUMNS} FROM count_lines ${LIST_WHERE} AND ${LINE_AT_COUNT_PAGE}
       ORDER BY received_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    total: db
      .prepare<[ListParams], number>(
        `SELECT COUNT(*) FROM count_lines ${LIST_WHERE} AND ${LINE_AT_COUNT_TOTAL}`,
      )
      .pluck(),
    // The unfiltered list is every line not superseded: the ones that count (kept by the read
    // model) plus the rejected and candidate ones (few; found by the status index). Counting them
    // from the lines meant a row lookup per line for superseded_by: 55 ms at 100,000 lines.
    countingLines: db
      .prepare<[string], number>('SELECT lines FROM rm_sessions WHERE session_id = ?')
      .pluck(),
    rejectedListed: db
      .prepare<[string], number>(
        `SELECT COUNT(*) FROM count_lines
         WHERE session_id = ? AND status IN ('REJECTED', 'CANDIDATE') AND superseded_by IS NULL`,
      )
      .pluck(),
    variances: db.prepare<[{ session_id: string }], VarianceRow>(VARIANCES),
    bins: db.prepare<[string], BinSum>(
      `SELECT item_code, rack, SUM(counted_qty - non_returnable_damaged_qty) AS counted,
         MAX(book_qty) AS book_qty
       FROM count_lines WHERE session_id = ? AND ${COUNTS}
       GROUP BY item_code, rack ORDER BY item_code, rack`,
    ),
    sightings: db.prepare<[string], SerialSighting>(
      `SELECT ${SIGHTING_COLUMNS} FROM serial_sightings WHERE serial = ?
       ORDER BY counted_at, seq`,
    ),
    stats: db.prepare<[{ sessions: string | null; from: string; to: string }], CounterStats>(
      `SELECT session_id, counted_by AS user_id, MAX(counted_by_name) AS username,
         COUNT(*) AS lines, COUNT(DISTINCT item_code) AS items,
         SUM(ABS(variance)) AS abs_variance, SUM(ABS(book_qty)) AS abs_book,
         SUM(variance) AS variance, SUM(value_at_cost) AS value_at_cost,
         SUM(value_at_price) AS value_at_price,
         MIN(counted_at) AS first_counted_at, MAX(counted_at) AS last_counted_at
       FROM count_lines
       WHERE ${COUNTS}
         AND (@sessions IS NULL OR session_id IN (SELECT value FROM json_each(@sessions)))
         AND counted_at >= @from AND (@to = '' OR counted_at < @to)
       GROUP BY session_id, counted_by
       ORDER BY session_id, counted_by`,
    ),
    countByUserAndItem: db
      .prepare<[string, string, string], number>(
        `SELECT COUNT(*) FROM count_lines
         WHERE counted_by = ? AND session_id = ? AND item_code = ? AND ${COUNTS}`,
      )
      .pluck(),
  };
}

/** Builds the count-line repository over an open, migrated database. */
export function createSqliteLineRepo(
  db: Db,
  options: { skipReadModelUpkeep?: boolean } = {},
): LineRepo {
  const statements = lazy(() => prepareLineStatements(db));
  // The read model (issue #13) is kept in the same transaction as every line write below
  // (a benchmark may turn that off to measure its cost: config BENCH_SKIP_READ_MODEL).
  const kept = createSqliteReadModel(db);
  const model: Pick<typeof kept, 'apply' | 'review'> = options.skipReadModelUpkeep
    ? { apply: () => undefined, review: () => undefined }
    : kept;

  /** What one write transaction changed, for the read model. */
  interface Change {
    events: LineEvent[];
    written: CountLineRecord[];
    /** Writers' moves no event carries (a corrected CANDIDATE). */
    moved: WriterDelta[];
  }

  /** The first reason the line may not be stored, or null when every check passes. */
  const refusal = (line: CountLineRecord): Exclude<InsertLineOutcome, { ok: true }> | null => {
    const s = statements();
    const existing = s.byOpId.get(line.op_id);
    if (existing) return { ok: false, reason: 'DUPLICATE_OP', existing: toRecord(existing) };
    if (line.claim_id !== null) {
      // Fencing (design §4): a write under any claim but the rack's newest is from a lost lease.
      // Split claims held together share the newest token: each of them fences (§12 "Split bins").
      const current = s.newestClaim.get(line.session_id, line.rack) ?? null;
      if (
        current !== line.claim_id &&
        s.holdsNewestToken.get(line.claim_id, line.session_id, line.rack) === undefined
      ) {
        return { ok: false, reason: 'STALE_TOKEN', current_claim_id: current };
      }
    }
    if (line.supersedes !== null) {
      const target = s.supersedable.get({ ...line, op_id: line.supersedes });
      if (target === undefined) return { ok: false, reason: 'SUPERSEDES_UNKNOWN' };
    }
    // The line being corrected may hold the same serials: the correction takes them over.
    const except = line.supersedes ?? line.op_id;
    if (line.serials.length > 0) {
      const holder = s.serialHolder.get({
        session_id: line.session_id,
        item_code: line.item_code,
        rack: line.rack,
        phase: line.phase,
        serials: JSON.stringify(line.serials),
        except,
      });
      if (holder !== undefined) {
        return {
          ok: false,
          reason: 'DUPLICATE_SERIAL',
          serial: holder.serial,
          other_op_id: holder.op_id,
        };
      }
    }
    return null;
  };

  const write = (line: CountLineRecord, change: Change): void => {
    const s = statements();
    // A line is born counting; only a later correction sets superseded_by.
    const born = { ...line, superseded_by: null };
    s.insert.run(toRow(born));
    change.written.push(born);
    if (lineCounts(born)) change.events.push({ line: born, sign: 1 });
    if (line.supersedes !== null) {
      const row = s.byOpId.get(line.supersedes);
      const target = row ? toRecord(row) : null;
      if (target && lineCounts(target)) change.events.push({ line: target, sign: -1 });
      const moved = target && correctedCandidateDelta(target, line);
      if (moved) change.moved.push(moved);
      s.markSuperseded.run({ op_id: line.supersedes, by: line.op_id });
      s.releaseSerials.run(line.supersedes);
    }
    if (line.serials.length > 0) {
      const serials = JSON.stringify([...new Set(line.serials)]);
      const sighting = {
        item_code: line.item_code,
        session_id: line.session_id,
        rack: line.rack,
        line_id: line.id,
        op_id: line.op_id,
        counted_by: line.counted_by,
        counted_by_name: line.counted_by_name,
        condition: line.condition,
        counted_at: line.counted_at,
      };
      s.holdSerials.run({
        session_id: line.session_id,
        item_code: line.item_code,
        rack: line.rack,
        serials,
        line_id: line.id,
        op_id: line.op_id,
      });
      s.insertSightings.run({ ...sighting, serials });
    }
  };

  const insertLine = db.transaction((line: CountLineRecord, change: Change): InsertLineOutcome => {
    const refused = refusal(line);
    if (refused) return refused;
    write(line, change);
    return { ok: true, line: { ...line, superseded_by: null } };
  });

  // Each line runs in a savepoint of the one batch transaction: one commit for a whole batch, and
  // the read model moves once for the batch, in that transaction.
  const insertMany = db.transaction((lines: readonly CountLineRecord[]): InsertLineOutcome[] => {
    const change: Change = { events: [], written: [], moved: [] };
    const outcomes = lines.map((line) => insertLine(line, change));
    model.apply(change.events, change.written, change.moved);
    return outcomes;
  });

  const review = db.transaction(
    (id: string, patch: Parameters<LineRepo['review']>[1]): CountLineRecord | null => {
      const before = statements().byId.get(id);
      if (statements().review.run({ ...patch, id }).changes === 0) return null;
      const row = statements().byId.get(id);
      if (!row) return null;
      const after = toRecord(row);
      if (before) model.review(toRecord(before), after);
      return after;
    },
  );

  return {
    async insert(line) {
      return insertMany.immediate([line])[0]!;
    },
    async insertMany(lines) {
      return insertMany.immediate(lines);
    },
    async get(id) {
      const row = statements().byId.get(id);
      return row ? toRecord(row) : null;
    },
    async getByOpId(opId) {
      const row = statements().byOpId.get(opId);
      return row ? toRecord(row) : null;
    },
    async getManyByOpId(opIds) {
      if (opIds.length === 0) return [];
      return statements()
        .byOpIds.all(JSON.stringify([...new Set(opIds)]))
        .map(toRecord);
    },
    async list(sessionId, query: LineListQuery): Promise<Paged<CountLineRecord>> {
      const filter: ListParams = {
        session_id: sessionId,
        status: query.status ?? null,
        rack: query.rack ?? null,
        has_variance: query.has_variance === undefined ? null : toFlag(query.has_variance),
        include_superseded: toFlag(query.include_superseded ?? false),
        at_count: query.at_count ?? null,
      };
      const rows = statements().page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      const unfiltered =
        !options.skipReadModelUpkeep &&
        filter.status === null &&
        filter.rack === null &&
        filter.has_variance === null &&
        filter.include_superseded === 0 &&
        filter.at_count === null;
      const total = unfiltered
        ? (statements().countingLines.get(sessionId) ?? 0) +
          (statements().rejectedListed.get(sessionId) ?? 0)
        : (statements().total.get(filter) ?? 0);
      return { items: rows.map(toRecord), total };
    },
    async review(id, patch) {
      return review.immediate(id, patch);
    },
    async variances(sessionId) {
      return statements().variances.all({ session_id: sessionId }).map(toVariance);
    },
    async bins(sessionId) {
      return statements()
        .bins.all(sessionId)
        .map((b) => ({ ...b, counted: roundQty(b.counted) }));
    },
    async sightings(serial) {
      return statements().sightings.all(serial);
    },
    async stats(query) {
      const rows = statements().stats.all({
        sessions: query.session_ids ? JSON.stringify(query.session_ids) : null,
        from: query.from ?? '',
        to: query.to ?? '',
      });
      return rows.map((r) => ({
        ...r,
        abs_variance: roundQty(r.abs_variance),
        abs_book: roundQty(r.abs_book),
        variance: roundQty(r.variance),
        value_at_cost: roundMoney(r.value_at_cost),
        value_at_price: roundMoney(r.value_at_price),
      }));
    },
    async countByUserAndItem(sessionId, userId, itemCode) {
      return statements().countByUserAndItem.get(userId, sessionId, itemCode) ?? 0;
    },
  };
}
