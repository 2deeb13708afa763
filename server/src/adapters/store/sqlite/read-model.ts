/**
 * The read model on SQLite (issue #13): rm_items, rm_racks, rm_counters, rm_sessions and rm_days
 * (migration 4). `apply` runs inside the line repository's write transactions, so the model
 * commits or rolls back with the lines; the views read it with one indexed query each.
 */
import { randomInt } from 'node:crypto';
import type { CountLineRecord } from '../../../ports/counting';
import type { AtCountMark, ReadModelRepo, WriterFigures } from '../../../ports/read-model';
import {
  atCountFields,
  atCountOf,
  bySession,
  dayOf,
  lineCounts,
  plan,
  reviewEvents,
  reviewWriterDelta,
  toCounterStats,
  toItemAtCount,
  toItemFigures,
  toLineFigures,
  toRackFigures,
  toSessionFigures,
  touched,
  type CounterRow,
  type ItemRow,
  type LineEvent,
  type Plan,
  type PlanInputs,
  type WriterDelta,
} from '../read-model-plan';
import { lazy, type Db } from './database';

/** The columns a line write keeps (ITEM_COLUMNS), as stored. */
type ItemDbRow = Omit<ItemRow, 'racks' | 'users' | keyof typeof UNKNOWN_AT_COUNT> & {
  racks: string;
  users: string;
};
type ItemWrite = ItemDbRow;
const UNKNOWN_AT_COUNT = atCountFields(atCountOf('unknown'));

interface SessionDbRow {
  session_id: string;
  lines: number;
  items: number;
  variance_m: number;
  abs_variance_m: number;
  abs_book_m: number;
  cost_c: number;
  price_c: number;
}

/**
 * The columns a line write keeps. The at-count columns (design §13) are the drain's: a line write
 * leaves them as they are, or sets them pending in a watched session (putItemPending) — reading
 * and rewriting them on every write cost about a tenth of it.
 */
const ITEM_COLUMNS = `session_id, item_code, counted_m, damaged_m, nonret_m, lines, racks, users,
  book_qty, cost, price, variance_m, cost_c, price_c, review_lines`;
const ITEM_VALUES = ITEM_COLUMNS.replace(/(\w+)/g, '@$1');
const ITEM_UPDATES = ITEM_COLUMNS.split(',')
  .map((c) => c.trim())
  .filter((c) => c !== 'session_id' && c !== 'item_code')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');
const AT_COUNT_COLUMNS = `item_code, at_status, expected_m, vac_m, vac_low_m, vac_high_m,
  provisional, hint_kinds, final_at, at_within, at_action`;
const prefixedAtCount = (alias: string): string =>
  AT_COUNT_COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');
/** A new mark's sequence: random, so a mark deleted and made again never repeats one (§13). */
const newSeq = (): number => randomInt(2 ** 47);
const COUNTER_COLUMNS = `session_id, user_id, username, lines, items, abs_variance_m, abs_book_m,
  variance_m, cost_c, price_c, first_counted_at, last_counted_at`;
/** A touched item's model row (all null when it has none yet) beside its snapshot prices. */
type ItemProbe = { [K in keyof ItemDbRow]: ItemDbRow[K] | null } & {
  snap_book: number | null;
  snap_cost: number | null;
  snap_price: number | null;
  /** The row's at-count status (null: no row yet). */
  at_now: string | null;
};

/**
 * The columns of an item row no index of rm_items holds: a write that changes only these (a
 * correction with the same figure, a line moved between racks of the item) updates them alone, and
 * SQLite then leaves the indexes on the variance and value (and, when the row is already pending,
 * the at-count ones) untouched — an UPDATE rewrites every index that holds a column it sets,
 * whether or not the value changed, and each of those is another page written at commit.
 */
const ITEM_UNINDEXED = [
  'counted_m',
  'damaged_m',
  'nonret_m',
  'lines',
  'racks',
  'users',
  'price_c',
  'review_lines',
] as const;
/**
 * The columns such a write leaves as they are: the indexed ones (rm_items_abs_variance,
 * rm_items_abs_value), and the snapshot's book and prices, which an existing row keeps (the
 * planner takes them from it) — not setting `cost` spares the at-count totals' update trigger
 * (at-count-totals.ts) too.
 */
const ITEM_KEPT = ['variance_m', 'cost_c', 'book_qty', 'cost', 'price'] as const;

const COUNTS = `superseded_by IS NULL AND status NOT IN ('REJECTED', 'CANDIDATE')`;

/**
 * Migration 26: a counter's first and last count and name, as the model recomputes them when a
 * line of theirs stops counting (a correction, a rejection), from an index of the lines that
 * count only (`COUNTS`, the same terms, so SQLite may use it; their columns in it too, or SQLite
 * reads the table to test them), covering: a correction read every
 * line the counter had written in the session, superseded ones included, from the table.
 */
export const COUNTER_SPAN_INDEX_MIGRATION = {
  name: "read model: a counter's span of counts from the lines that count (issue #13)",
  up: `CREATE INDEX count_lines_counter_span
    ON count_lines (session_id, counted_by, counted_at, counted_by_name, superseded_by, status)
    WHERE ${COUNTS};`,
};

/** The schema of the read model (migration 4 creates it; kept here beside the code using it). */
export const READ_MODEL_SCHEMA = `
  CREATE TABLE rm_items (
    session_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    counted_m INTEGER NOT NULL,
    damaged_m INTEGER NOT NULL,
    nonret_m INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    -- JSON objects: counting lines per rack and per counter.
    racks TEXT NOT NULL,
    users TEXT NOT NULL,
    book_qty REAL NOT NULL,
    cost REAL NOT NULL,
    price REAL NOT NULL,
    variance_m INTEGER NOT NULL,
    cost_c INTEGER NOT NULL,
    price_c INTEGER NOT NULL,
    PRIMARY KEY (session_id, item_code)
  ) WITHOUT ROWID;
  CREATE TABLE rm_racks (
    session_id TEXT NOT NULL,
    rack TEXT NOT NULL,
    lines INTEGER NOT NULL,
    items INTEGER NOT NULL,
    variance_items INTEGER NOT NULL,
    last_activity_at TEXT,
    PRIMARY KEY (session_id, rack)
  ) WITHOUT ROWID;
  CREATE TABLE rm_counters (
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    lines INTEGER NOT NULL,
    items INTEGER NOT NULL,
    abs_variance_m INTEGER NOT NULL,
    abs_book_m INTEGER NOT NULL,
    variance_m INTEGER NOT NULL,
    cost_c INTEGER NOT NULL,
    price_c INTEGER NOT NULL,
    first_counted_at TEXT NOT NULL,
    last_counted_at TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE rm_sessions (
    session_id TEXT PRIMARY KEY,
    lines INTEGER NOT NULL,
    items INTEGER NOT NULL,
    variance_m INTEGER NOT NULL,
    abs_variance_m INTEGER NOT NULL,
    abs_book_m INTEGER NOT NULL,
    cost_c INTEGER NOT NULL,
    price_c INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- Per UTC day of received_at, session and counter: the KPI figures of "today".
  CREATE TABLE rm_days (
    day TEXT NOT NULL,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    lines INTEGER NOT NULL,
    abs_variance_m INTEGER NOT NULL,
    abs_book_m INTEGER NOT NULL,
    cost_c INTEGER NOT NULL,
    PRIMARY KEY (day, session_id, user_id)
  ) WITHOUT ROWID;
`;

/**
 * Lines written and overturned per (session, counter), for the user_activity report: migration 11
 * (READ_MODEL_WRITERS_MIGRATION) adds it, filled from the lines.
 */
export const READ_MODEL_WRITERS_SCHEMA = `
  CREATE TABLE rm_writers (
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    written INTEGER NOT NULL,
    overturned INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id)
  ) WITHOUT ROWID;
`;

/** Lines written and overturned per (session, counter), counted from the lines matching `where`. */
function writersFromLines(where: string): string {
  return `SELECT l.session_id, l.counted_by AS user_id, COUNT(*) AS written,
    SUM(CASE WHEN l.status = 'REJECTED' OR EXISTS (
      SELECT 1 FROM count_lines n WHERE n.op_id = l.superseded_by
        AND (n.counted_qty <> l.counted_qty OR n.damaged_qty <> l.damaged_qty
          OR n.non_returnable_damaged_qty <> l.non_returnable_damaged_qty)
    ) THEN 1 ELSE 0 END) AS overturned
  FROM count_lines l WHERE ${where}
  GROUP BY l.session_id, l.counted_by`;
}

/**
 * The migration adding rm_writers, filled from every line in one pass (the rest of the model is
 * already built): append it to migrations.ts under the next version.
 */
export const READ_MODEL_WRITERS_MIGRATION = {
  name: 'read model: lines written and overturned per counter',
  up: `${READ_MODEL_WRITERS_SCHEMA}
    INSERT INTO rm_writers (session_id, user_id, written, overturned)
      ${writersFromLines('1')};`,
};

/**
 * The migration giving each item of the model its lines waiting for review (issue #13: the
 * variances' "needs review" filter and column counted them from the lines, 170 ms a page at
 * 100,000 lines), counted in one statement (by item: through the status index it took minutes,
 * each item reading every review line of its session). A database from before the model (migration 5 only
 * creates the tables) has sessions with lines and no model: those are built from their lines
 * by the newest model migration (buildUnbuiltSessions). Append it after READ_MODEL_WRITERS_MIGRATION.
 */
export const READ_MODEL_REVIEW_MIGRATION = {
  name: 'read model: lines waiting for review per item',
  up: `
    ALTER TABLE rm_items ADD COLUMN review_lines INTEGER NOT NULL DEFAULT 0;
    UPDATE rm_items SET review_lines = (
      SELECT COUNT(*) FROM count_lines c INDEXED BY count_lines_item
      WHERE c.session_id = rm_items.session_id AND c.item_code = rm_items.item_code
        AND c.status = 'NEEDS_REVIEW' AND c.superseded_by IS NULL);`,
};

/**
 * Builds the model of sessions with lines and no model (a database from before it): run by the
 * newest migration that changes the model's tables (READ_MODEL_AT_COUNT_RULE_MIGRATION), since
 * the build writes every column this code knows.
 */
function buildUnbuiltSessions(db: Db): void {
  const unbuilt = db
    .prepare<[], string>(
      `SELECT DISTINCT session_id FROM count_lines
       WHERE session_id NOT IN (SELECT session_id FROM rm_sessions)`,
    )
    .pluck()
    .all();
  const model = createSqliteReadModel(db);
  for (const id of unbuilt) model.rebuildSync(id);
}

/**
 * Expected at count in the model (issue #17, docs/design.md §13): the item's at-count columns,
 * and rm_at_count_dirty, the items waiting for the drain (modules/movements/at-count-upkeep.ts).
 * Existing items of sessions with an ERP watermark start pending and marked; the others stay
 * unknown. Append it to migrations.ts under the next version.
 */
export const READ_MODEL_AT_COUNT_MIGRATION = {
  name: 'read model: expected at count per item, and the items waiting for it (issue #17)',
  up: `
    ALTER TABLE rm_items ADD COLUMN at_status TEXT NOT NULL DEFAULT 'unknown';
    ALTER TABLE rm_items ADD COLUMN expected_m INTEGER;
    ALTER TABLE rm_items ADD COLUMN vac_m INTEGER;
    ALTER TABLE rm_items ADD COLUMN vac_low_m INTEGER;
    ALTER TABLE rm_items ADD COLUMN vac_high_m INTEGER;
    ALTER TABLE rm_items ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rm_items ADD COLUMN hint_kinds TEXT NOT NULL DEFAULT '';
    ALTER TABLE rm_items ADD COLUMN final_at TEXT;
    CREATE TABLE rm_at_count_dirty (
      session_id TEXT NOT NULL,
      item_code TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (session_id, item_code)
    ) WITHOUT ROWID;
    -- The variances page's variance_at_count orders (sqlite/variances.ts: the same expressions).
    CREATE INDEX rm_items_at_count_desc
      ON rm_items (session_id, COALESCE(abs(vac_m), -1) DESC, item_code);
    CREATE INDEX rm_items_at_count_asc
      ON rm_items (session_id, COALESCE(abs(vac_m), 9007199254740991), item_code);
    -- Items whose provisional flag the feed's completeness may turn (the drain's markProvisional).
    CREATE INDEX rm_items_final_at ON rm_items (provisional, final_at) WHERE final_at IS NOT NULL;
    UPDATE rm_items SET at_status = 'pending'
      WHERE session_id IN (SELECT id FROM sessions WHERE erp_watermark IS NOT NULL);
    INSERT INTO rm_at_count_dirty (session_id, item_code, seq)
      SELECT session_id, item_code, abs(random() % 140737488355328) FROM rm_items
      WHERE at_status = 'pending';`,
};

/**
 * The item's tolerance rule on its variance at count (design §13): 1 within, 0 beyond, null
 * undecided, and the action. Items computed before it are marked for the drain again. Append it
 * to migrations.ts under the next version.
 */
export const READ_MODEL_AT_COUNT_RULE_MIGRATION = {
  name: 'read model: the tolerance rule on the variance at count (issue #17)',
  up: `
    ALTER TABLE rm_items ADD COLUMN at_within INTEGER;
    ALTER TABLE rm_items ADD COLUMN at_action TEXT;
    INSERT INTO rm_at_count_dirty (session_id, item_code, seq)
      SELECT session_id, item_code, abs(random() % 140737488355328) FROM rm_items
      WHERE at_status IN ('exact', 'ambiguous')
      ON CONFLICT (session_id, item_code) DO UPDATE SET seq = excluded.seq;
    UPDATE rm_items SET at_status = 'pending', expected_m = NULL, vac_m = NULL, vac_low_m = NULL,
      vac_high_m = NULL, provisional = 0, hint_kinds = '', final_at = NULL
      WHERE at_status IN ('exact', 'ambiguous');`,
  build: buildUnbuiltSessions,
};

/**
 * The variance_at_count orders' indexes hold only items with a variance at count (partial): a line
 * write sets an item pending (null), and a session without an ERP watermark never has one, so the
 * sync path maintains them for nothing — the full indexes of migration 21 cost about a tenth of a
 * line write. Items without one come last in both orders, by item code (sqlite/variances.ts reads
 * them through the primary key). Append it to migrations.ts under the next version.
 */
export const READ_MODEL_AT_COUNT_INDEX_MIGRATION = {
  name: 'read model: partial indexes for the variance_at_count orders (issue #17)',
  up: `
    DROP INDEX rm_items_at_count_desc;
    DROP INDEX rm_items_at_count_asc;
    CREATE INDEX rm_items_vac_desc ON rm_items (session_id, abs(vac_m) DESC, item_code)
      WHERE vac_m IS NOT NULL;
    CREATE INDEX rm_items_vac_asc ON rm_items (session_id, abs(vac_m), item_code)
      WHERE vac_m IS NOT NULL;`,
};

function prepare(db: Db) {
  return {
    // One primary-key probe per touched item: its model row and its snapshot prices (a JSON list
    // of keys joined through json_each cost several times more per key at 20 keys).
    itemAndSnapshot: db.prepare<[{ session_id: string; item_code: string }], ItemProbe>(
      `SELECT ${ITEM_COLUMNS.replace(/(\w+)/g, 'r.$1')}, r.at_status AS at_now, s.book_qty AS snap_book,
         s.cost AS snap_cost, s.price AS snap_price
       FROM (SELECT @session_id AS session_id, @item_code AS item_code) k
       LEFT JOIN rm_items r ON r.session_id = k.session_id AND r.item_code = k.item_code
       LEFT JOIN session_snapshot s ON s.session_id = k.session_id AND s.item_code = k.item_code`,
    ),
    // An existing row whose indexed columns stay as they are (ITEM_UNINDEXED).
    updateItemUnindexed: db.prepare<[ItemWrite]>(
      `UPDATE rm_items SET ${ITEM_UNINDEXED.map((c) => `${c} = @${c}`).join(', ')}
       WHERE session_id = @session_id AND item_code = @item_code`,
    ),
    // A new row's at-count columns take their defaults (unknown); an existing row keeps its own.
    putItem: db.prepare<[ItemWrite]>(
      `INSERT INTO rm_items (${ITEM_COLUMNS}) VALUES (${ITEM_VALUES})
       ON CONFLICT (session_id, item_code) DO UPDATE SET ${ITEM_UPDATES}`,
    ),
    // In a session with an ERP watermark: the row waits for the at-count drain.
    putItemPending: db.prepare<[ItemWrite]>(
      `INSERT INTO rm_items (${ITEM_COLUMNS}, at_status) VALUES (${ITEM_VALUES}, 'pending')
       ON CONFLICT (session_id, item_code) DO UPDATE SET ${ITEM_UPDATES}, at_status = 'pending',
         expected_m = NULL, vac_m = NULL, vac_low_m = NULL, vac_high_m = NULL, provisional = 0,
         hint_kinds = '', final_at = NULL, at_within = NULL, at_action = NULL`,
    ),
    // Set once when a session is created, never changed: cached per process (atCountWatched).
    watermark: db
      .prepare<[string], string | null>('SELECT erp_watermark FROM sessions WHERE id = ?')
      .pluck(),
    mark: db.prepare<[string, string, number]>(
      // A waiting mark (seq > 0) stays as it is: rewriting it was a page per item written at
      // every line write's commit. A claimed one (seq < 0, a drain computing the item) gets the
      // new seq, so the drain's figures are not written (AtCountMark).
      `INSERT INTO rm_at_count_dirty (session_id, item_code, seq) VALUES (?, ?, ?)
       ON CONFLICT (session_id, item_code) DO UPDATE SET seq = excluded.seq
       WHERE rm_at_count_dirty.seq < 0`,
    ),
    markPending: db.prepare<[string, string]>(
      `UPDATE rm_items SET at_status = 'pending', expected_m = NULL, vac_m = NULL,
         vac_low_m = NULL, vac_high_m = NULL, provisional = 0, hint_kinds = '', final_at = NULL,
         at_within = NULL, at_action = NULL
       WHERE session_id = ? AND item_code = ?`,
    ),
    dirty: db.prepare<[number], AtCountMark>(
      // Waiting marks only: a claimed one (seq < 0) is another drain's, maybe in another process.
      'SELECT session_id, item_code, seq FROM rm_at_count_dirty WHERE seq > 0 LIMIT ?',
    ),
    releaseClaims: db.prepare('UPDATE rm_at_count_dirty SET seq = -seq WHERE seq < 0'),
    markSeq: db
      .prepare<[string, string], number>(
        'SELECT seq FROM rm_at_count_dirty WHERE session_id = ? AND item_code = ?',
      )
      .pluck(),
    claim: db.prepare<[number, string, string, number]>(
      'UPDATE rm_at_count_dirty SET seq = ? WHERE session_id = ? AND item_code = ? AND seq = ?',
    ),
    unmark: db.prepare<[string, string]>(
      'DELETE FROM rm_at_count_dirty WHERE session_id = ? AND item_code = ?',
    ),
    putAtCount: db.prepare<
      [{ session_id: string; item_code: string } & ReturnType<typeof atCountFields>]
    >(
      `UPDATE rm_items SET at_status = @at_status, expected_m = @expected_m, vac_m = @vac_m,
         vac_low_m = @vac_low_m, vac_high_m = @vac_high_m, provisional = @provisional,
         hint_kinds = @hint_kinds, final_at = @final_at, at_within = @at_within,
         at_action = @at_action
       WHERE session_id = @session_id AND item_code = @item_code`,
    ),
    atCount: db.prepare<[string], Parameters<typeof toItemAtCount>[0]>(
      `SELECT ${AT_COUNT_COLUMNS} FROM rm_items WHERE session_id = ? ORDER BY item_code`,
    ),
    // A page's items (a JSON list of codes), each by the primary key: CROSS JOIN keeps json_each
    // outside, so SQLite never scans the session's items for the list.
    atCountOf: db.prepare<[string, string], Parameters<typeof toItemAtCount>[0]>(
      `SELECT ${prefixedAtCount('r')} FROM json_each(?) k
       CROSS JOIN rm_items r ON r.session_id = ? AND r.item_code = k.value`,
    ),
    provisionalPast: db.prepare<[{ cu: string }], { session_id: string; item_code: string }>(
      `SELECT session_id, item_code FROM rm_items INDEXED BY rm_items_final_at
       WHERE provisional = 1 AND final_at IS NOT NULL AND final_at <= @cu
       UNION ALL
       SELECT session_id, item_code FROM rm_items INDEXED BY rm_items_final_at
       WHERE provisional = 0 AND final_at IS NOT NULL AND final_at > @cu`,
    ),
    provisionalAll: db.prepare<[], { session_id: string; item_code: string }>(
      `SELECT session_id, item_code FROM rm_items INDEXED BY rm_items_final_at
       WHERE provisional = 1 AND final_at IS NOT NULL`,
    ),
    deleteItem: db.prepare<[string, string]>(
      'DELETE FROM rm_items WHERE session_id = ? AND item_code = ?',
    ),
    counter: db.prepare<[string, string], CounterRow>(
      `SELECT ${COUNTER_COLUMNS} FROM rm_counters WHERE session_id = ? AND user_id = ?`,
    ),
    bounds: db.prepare<
      [string, string],
      { first: string | null; last: string | null; username: string | null }
    >(
      // A walk over all of the counter's lines that count, used only when the name their model row
      // keeps is on none of them any more (spanOf). Through the partial index of those lines,
      // covering (migration 26; SQLite picks it, counter-span-plan.test.ts): before it, SQLite read
      // every line the counter ever wrote in the session from the table. No INDEXED BY:
      // migrations before 26 prepare this too.
      `SELECT MIN(counted_at) AS first, MAX(counted_at) AS last, MAX(counted_by_name) AS username
       FROM count_lines WHERE counted_by = ? AND session_id = ? AND ${COUNTS}`,
    ),
    // The first and last count by the same index, one seek each: the index is in counted_at order
    // within the counter (a walk of all their lines, as `bounds` does, took 0.5 ms per write of a
    // counter with 5,000 lines that count, and grew with them).
    spanFirst: db
      .prepare<[string, string], string>(
        `SELECT counted_at FROM count_lines WHERE session_id = ? AND counted_by = ? AND ${COUNTS}
         ORDER BY counted_at LIMIT 1`,
      )
      .pluck(),
    spanLast: db
      .prepare<[string, string], string>(
        `SELECT counted_at FROM count_lines WHERE session_id = ? AND counted_by = ? AND ${COUNTS}
         ORDER BY counted_at DESC LIMIT 1`,
      )
      .pluck(),
    // Whether a name is still on one of the counter's lines that count (its first such line, as
    // a rule: a counter's lines carry one name unless the user was renamed).
    nameCounts: db
      .prepare<[string, string, string], number>(
        `SELECT 1 FROM count_lines WHERE session_id = ? AND counted_by = ? AND ${COUNTS}
         AND counted_by_name = ? LIMIT 1`,
      )
      .pluck(),
    putCounter: db.prepare<[CounterRow]>(
      `INSERT OR REPLACE INTO rm_counters (${COUNTER_COLUMNS}) VALUES (@session_id, @user_id,
        @username, @lines, @items, @abs_variance_m, @abs_book_m, @variance_m, @cost_c, @price_c,
        @first_counted_at, @last_counted_at)`,
    ),
    deleteCounter: db.prepare<[string, string]>(
      'DELETE FROM rm_counters WHERE session_id = ? AND user_id = ?',
    ),
    addRack: db.prepare<
      [
        {
          session_id: string;
          rack: string;
          lines: number;
          items: number;
          variance_items: number;
          activity: string | null;
        },
      ]
    >(
      `INSERT INTO rm_racks (session_id, rack, lines, items, variance_items, last_activity_at)
       VALUES (@session_id, @rack, @lines, @items, @variance_items, @activity)
       ON CONFLICT (session_id, rack) DO UPDATE SET
         lines = lines + excluded.lines,
         items = items + excluded.items,
         variance_items = variance_items + excluded.variance_items,
         last_activity_at = CASE
           WHEN excluded.last_activity_at IS NULL THEN last_activity_at
           WHEN last_activity_at IS NULL OR excluded.last_activity_at > last_activity_at
             THEN excluded.last_activity_at
           ELSE last_activity_at END`,
    ),
    addSession: db.prepare<[SessionDbRow]>(
      `INSERT INTO rm_sessions (session_id, lines, items, variance_m, abs_variance_m, abs_book_m,
         cost_c, price_c)
       VALUES (@session_id, @lines, @items, @variance_m, @abs_variance_m, @abs_book_m, @cost_c,
         @price_c)
       ON CONFLICT (session_id) DO UPDATE SET
         lines = lines + excluded.lines,
         items = items + excluded.items,
         variance_m = variance_m + excluded.variance_m,
         abs_variance_m = abs_variance_m + excluded.abs_variance_m,
         abs_book_m = abs_book_m + excluded.abs_book_m,
         cost_c = cost_c + excluded.cost_c,
         price_c = price_c + excluded.price_c`,
    ),
    addDay: db.prepare<
      [
        {
          day: string;
          session_id: string;
          user_id: string;
          lines: number;
          abs_variance_m: number;
          abs_book_m: number;
          cost_c: number;
        },
      ]
    >(
      `INSERT INTO rm_days (day, session_id, user_id, lines, abs_variance_m, abs_book_m, cost_c)
       VALUES (@day, @session_id, @user_id, @lines, @abs_variance_m, @abs_book_m, @cost_c)
       ON CONFLICT (day, session_id, user_id) DO UPDATE SET
         lines = lines + excluded.lines,
         abs_variance_m = abs_variance_m + excluded.abs_variance_m,
         abs_book_m = abs_book_m + excluded.abs_book_m,
         cost_c = cost_c + excluded.cost_c`,
    ),
    dropEmptyDays: db.prepare<[string]>('DELETE FROM rm_days WHERE session_id = ? AND lines = 0'),
    sessionRow: db.prepare<[string], SessionDbRow>(
      `SELECT session_id, lines, items, variance_m, abs_variance_m, abs_book_m, cost_c, price_c
       FROM rm_sessions WHERE session_id = ?`,
    ),
    racks: db.prepare<
      [string],
      {
        rack: string;
        lines: number;
        items: number;
        variance_items: number;
        last_activity_at: string | null;
      }
    >(
      `SELECT rack, lines, items, variance_items, last_activity_at FROM rm_racks
       WHERE session_id = ? ORDER BY rack`,
    ),
    items: db.prepare<[string], ItemDbRow>(
      `SELECT ${ITEM_COLUMNS} FROM rm_items WHERE session_id = ? ORDER BY item_code`,
    ),
    counters: db.prepare<[string], CounterRow>(
      `SELECT ${COUNTER_COLUMNS} FROM rm_counters
       WHERE session_id IN (SELECT value FROM json_each(?))
       ORDER BY session_id, user_id`,
    ),
    daySums: db.prepare<
      [string],
      { lines: number; abs_variance_m: number; abs_book_m: number; cost_c: number }
    >(
      `SELECT COALESCE(SUM(lines), 0) AS lines,
              COALESCE(SUM(abs_variance_m), 0) AS abs_variance_m,
              COALESCE(SUM(abs_book_m), 0) AS abs_book_m,
              COALESCE(SUM(cost_c), 0) AS cost_c
       FROM rm_days WHERE day >= ?`,
    ),
    dayCounters: db
      .prepare<[string], number>(
        'SELECT COUNT(DISTINCT user_id) FROM rm_days WHERE day >= ? AND lines > 0',
      )
      .pluck(),
    daySumsOf: db.prepare<
      [string, string],
      { lines: number; abs_variance_m: number; abs_book_m: number; cost_c: number }
    >(
      `SELECT COALESCE(SUM(lines), 0) AS lines,
              COALESCE(SUM(abs_variance_m), 0) AS abs_variance_m,
              COALESCE(SUM(abs_book_m), 0) AS abs_book_m,
              COALESCE(SUM(cost_c), 0) AS cost_c
       FROM rm_days WHERE day >= ? AND session_id IN (SELECT value FROM json_each(?))`,
    ),
    dayCountersOf: db
      .prepare<[string, string], number>(
        `SELECT COUNT(DISTINCT user_id) FROM rm_days
         WHERE day >= ? AND lines > 0 AND session_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck(),
    clear: [
      'rm_items',
      'rm_racks',
      'rm_counters',
      'rm_sessions',
      'rm_days',
      'rm_writers',
      'rm_at_count_dirty',
    ].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE session_id = ?`)),
    allLines: db.prepare<[string], Omit<CountLineRecord, 'serials' | 'photo_ids'>>(
      // Only the columns the planner reads; the rest of the record is filled below.
      `SELECT id, op_id, session_id, rack, item_code, counted_qty, damaged_qty,
         non_returnable_damaged_qty, superseded_by, book_qty, variance, value_at_cost,
         value_at_price, status, counted_by, counted_by_name, counted_at, received_at
       FROM count_lines WHERE session_id = ?`,
    ),
    writers: db.prepare<[string], WriterFigures>(
      `SELECT session_id, user_id, written, overturned FROM rm_writers
       WHERE session_id IN (SELECT value FROM json_each(?)) ORDER BY session_id, user_id`,
    ),
    addWriter: db.prepare<[WriterDelta]>(
      `INSERT INTO rm_writers (session_id, user_id, written, overturned)
       VALUES (@session_id, @user_id, @written, @overturned)
       ON CONFLICT (session_id, user_id) DO UPDATE SET
         written = written + excluded.written, overturned = overturned + excluded.overturned`,
    ),
    sessionIds: db
      .prepare<[], string>(
        'SELECT id FROM sessions UNION SELECT DISTINCT session_id FROM count_lines',
      )
      .pluck(),
    successor: db.prepare<
      [string],
      Pick<CountLineRecord, 'counted_qty' | 'damaged_qty' | 'non_returnable_damaged_qty'>
    >(
      `SELECT counted_qty, damaged_qty, non_returnable_damaged_qty FROM count_lines
       WHERE op_id = ?`,
    ),
  };
}

export interface SqliteReadModel {
  /** Keeps the model in step with a change; call inside the transaction of the line writes. */
  apply(
    events: readonly LineEvent[],
    written: readonly CountLineRecord[],
    reviews?: readonly WriterDelta[],
  ): void;
  /** Keeps the model in step with a line's review (inside the review's transaction). */
  review(before: CountLineRecord, after: CountLineRecord): void;
  /** Recomputes a session's model from its lines (synchronous; inside a transaction). */
  rebuildSync(sessionId: string): void;
  /** Recomputes every session's model (synchronous; inside a transaction). */
  rebuildAllSync(): number;
  repo: ReadModelRepo;
}

/** The SQLite read model over an open, migrated database. */
export function createSqliteReadModel(db: Db): SqliteReadModel {
  const statements = lazy(() => prepare(db));

  // The at-count fields are not read on a line write (the statements keep or set them):
  // placeholders. One literal in the planner's field order: spreading the placeholders into the
  // row made every item row of a line write another shape, a fifth more CPU per write (measured).
  const toItemRow = (row: ItemDbRow): ItemRow => ({
    session_id: row.session_id,
    item_code: row.item_code,
    counted_m: row.counted_m,
    damaged_m: row.damaged_m,
    nonret_m: row.nonret_m,
    lines: row.lines,
    racks: JSON.parse(row.racks) as Record<string, number>,
    users: JSON.parse(row.users) as Record<string, number>,
    book_qty: row.book_qty,
    cost: row.cost,
    price: row.price,
    variance_m: row.variance_m,
    cost_c: row.cost_c,
    price_c: row.price_c,
    review_lines: row.review_lines,
    at_status: UNKNOWN_AT_COUNT.at_status,
    expected_m: null,
    vac_m: null,
    vac_low_m: null,
    vac_high_m: null,
    provisional: 0,
    hint_kinds: '',
    final_at: null,
    at_within: null,
    at_action: null,
  });

  /**
   * The touched items' rows as stored before the change (null: none yet), kept by inputsFor for
   * write, which then sets only what changed.
   */
  const before = new Map<string, (ItemDbRow & { at_now: string | null }) | null>();

  /** The rows a change moves, before it: one keyed read per touched item and counter. */
  const inputsFor = (sessionId: string, events: readonly LineEvent[]): PlanInputs => {
    before.clear();
    const s = statements();
    const t = touched(events);
    const items: PlanInputs['items'] = new Map();
    for (const code of t.items) {
      const row = s.itemAndSnapshot.get({ session_id: sessionId, item_code: code })!;
      const { snap_book, snap_cost, snap_price, at_now, ...old } = row;
      before.set(code, old.session_id === null ? null : { ...(old as ItemDbRow), at_now });
      items.set(code, {
        // An item's row keeps its snapshot figures; the snapshot matters to items new to the model.
        old: old.session_id === null ? null : toItemRow(old as ItemDbRow),
        snapshot:
          snap_book === null
            ? null
            : { book_qty: snap_book, cost: snap_cost ?? 0, price: snap_price ?? 0 },
      });
    }
    const counters: PlanInputs['counters'] = new Map();
    for (const [userId, c] of t.counters) {
      const old = s.counter.get(sessionId, userId) ?? null;
      const bounds = c.removal ? spanOf(sessionId, userId, old, events) : null;
      counters.set(userId, { old, bounds });
    }
    return { session_id: sessionId, items, counters, watermarked: watched(sessionId) };
  };

  /**
   * A counter's first and last count and name (the largest, as a rebuild finds it) over their
   * lines that count after a change that took some away, read after the change's line writes.
   * The name is the one their row kept unless it is on none of those lines any more; then the
   * lines are walked once. Null when none of their lines counts.
   */
  const spanOf = (
    sessionId: string,
    userId: string,
    old: CounterRow | null,
    events: readonly LineEvent[],
  ): { first: string; last: string; username: string } | null => {
    const s = statements();
    const first = s.spanFirst.get(sessionId, userId);
    if (first === undefined) return null;
    const last = s.spanLast.get(sessionId, userId)!;
    if (old && old.username !== '' && s.nameCounts.get(sessionId, userId, old.username)) {
      // Every line that counted before had a name ≤ the kept one, and it is still there; only
      // the change's own new lines may carry a larger one.
      let username = old.username;
      for (const { line, sign } of events) {
        if (sign > 0 && line.counted_by === userId && line.counted_by_name > username)
          username = line.counted_by_name;
      }
      return { first, last, username };
    }
    const b = s.bounds.get(userId, sessionId);
    if (!b || b.first === null || b.last === null || b.username === null) return null;
    return { first: b.first, last: b.last, username: b.username };
  };

  // Whether a session has an ERP watermark: set when it is created and never changed, so a
  // session's answer is cached once it exists (one primary-key read per session and process).
  const watermarks = new Map<string, boolean>();
  const watched = (sessionId: string): boolean => {
    const known = watermarks.get(sessionId);
    if (known !== undefined) return known;
    const value = statements().watermark.get(sessionId);
    if (value === undefined) return false; // no session (yet): not cached
    if (watermarks.size >= 10_000) watermarks.clear();
    watermarks.set(sessionId, value !== null);
    return value !== null;
  };

  const write = (p: Plan): void => {
    const s = statements();
    for (const code of p.dirty) s.mark.run(p.session_id, code, newSeq());
    for (const row of p.itemPuts) {
      const was = before.get(row.item_code);
      const pending = row.at_status === 'pending';
      const values: ItemWrite = {
        session_id: row.session_id,
        item_code: row.item_code,
        counted_m: row.counted_m,
        damaged_m: row.damaged_m,
        nonret_m: row.nonret_m,
        lines: row.lines,
        racks: JSON.stringify(row.racks),
        users: JSON.stringify(row.users),
        book_qty: row.book_qty,
        cost: row.cost,
        price: row.price,
        variance_m: row.variance_m,
        cost_c: row.cost_c,
        price_c: row.price_c,
        review_lines: row.review_lines,
      };
      if (was && ITEM_KEPT.every((c) => was[c] === values[c])) {
        // Nothing of the row changes (a counter re-counting a bin with the same figure): no write.
        if (ITEM_UNINDEXED.some((c) => was[c] !== values[c])) s.updateItemUnindexed.run(values);
        // Pending already: the at-count columns (and their indexes) are as a pending row has them.
        if (pending && was.at_now !== 'pending') s.markPending.run(p.session_id, row.item_code);
      } else (pending ? s.putItemPending : s.putItem).run(values);
    }
    for (const code of p.itemDeletes) s.deleteItem.run(p.session_id, code);
    for (const [rack, d] of p.racks) s.addRack.run({ session_id: p.session_id, rack, ...d });
    s.addSession.run({ session_id: p.session_id, ...p.session });
    for (const row of p.counterPuts) s.putCounter.run(row);
    for (const userId of p.counterDeletes) s.deleteCounter.run(p.session_id, userId);
    let emptied = false;
    for (const d of p.days) {
      s.addDay.run({ session_id: p.session_id, ...d });
      emptied ||= d.lines < 0;
    }
    if (emptied) s.dropEmptyDays.run(p.session_id);
    for (const d of p.writers) s.addWriter.run(d);
  };

  const apply = (
    events: readonly LineEvent[],
    written: readonly CountLineRecord[],
    reviews: readonly WriterDelta[] = [],
  ): void => {
    const changes = bySession(events, written);
    for (const r of reviews) {
      if (!changes.has(r.session_id)) changes.set(r.session_id, { events: [], written: [] });
    }
    for (const [sessionId, change] of changes) {
      const mine = reviews.filter((r) => r.session_id === sessionId);
      write(plan(change.events, change.written, inputsFor(sessionId, change.events), mine));
    }
  };

  const review = (before: CountLineRecord, after: CountLineRecord): void => {
    const events = reviewEvents(before, after);
    const successor =
      after.superseded_by === null
        ? null
        : (statements().successor.get(after.superseded_by) ?? null);
    const moved = reviewWriterDelta(before, after, successor);
    if (events.length > 0 || moved) apply(events, [], moved ? [moved] : []);
  };

  const rebuildSync = (sessionId: string): void => {
    const s = statements();
    for (const clear of s.clear) clear.run(sessionId);
    const lines = s.allLines.all(sessionId).map((row): CountLineRecord => ({
      ...row,
      barcode: null,
      serials: [],
      batch_no: null,
      mfg_date: null,
      expiry_date: null,
      condition: '',
      variance_reason: null,
      variance_confirmed: false,
      remark: null,
      photo_ids: [],
      supersedes: null,
      review_reasons: [],
      reviewed_by: null,
      reviewed_at: null,
      review_note: null,
      device_id: null,
      claim_id: null,
      fencing_token: null,
      phase: 0,
      recount_task_id: null,
    }));
    const events = lines.filter(lineCounts).map((line): LineEvent => ({ line, sign: 1 }));
    // With every old row cleared, the change "all counting lines start counting" is the model.
    if (lines.length > 0) apply(events, lines);
  };

  const rebuild = db.transaction((sessionId: string) => rebuildSync(sessionId));
  const putAtCount = db.transaction(
    (mark: AtCountMark, columns: Parameters<ReadModelRepo['putAtCount']>[1]): boolean => {
      const s = statements();
      if (s.markSeq.get(mark.session_id, mark.item_code) !== mark.seq) return false;
      s.putAtCount.run({
        session_id: mark.session_id,
        item_code: mark.item_code,
        ...atCountFields(columns),
      });
      s.unmark.run(mark.session_id, mark.item_code);
      return true;
    },
  );
  const markAtCount = db.transaction((sessionId: string, codes: readonly string[]): number => {
    const s = statements();
    let n = 0;
    for (const code of codes) {
      if (s.markPending.run(sessionId, code).changes === 0) continue;
      s.mark.run(sessionId, code, newSeq());
      n++;
    }
    return n;
  });
  const markProvisional = db.transaction((completeUntil: string | null): number => {
    const s = statements();
    const rows =
      completeUntil === null
        ? s.provisionalAll.all()
        : s.provisionalPast.all({ cu: completeUntil });
    for (const r of rows) {
      s.markPending.run(r.session_id, r.item_code);
      s.mark.run(r.session_id, r.item_code, newSeq());
    }
    return rows.length;
  });
  const rebuildAllSync = (): number => {
    const ids = statements().sessionIds.all();
    for (const id of ids) rebuildSync(id);
    return ids.length;
  };
  const rebuildAll = db.transaction(rebuildAllSync);

  const repo: ReadModelRepo = {
    async session(sessionId) {
      const row = statements().sessionRow.get(sessionId);
      return toSessionFigures(
        sessionId,
        row ?? {
          lines: 0,
          items: 0,
          variance_m: 0,
          abs_variance_m: 0,
          abs_book_m: 0,
          cost_c: 0,
          price_c: 0,
        },
      );
    },
    async racks(sessionId) {
      return statements().racks.all(sessionId).map(toRackFigures);
    },
    async items(sessionId) {
      return statements()
        .items.all(sessionId)
        .map((row) => toItemFigures(toItemRow(row)));
    },
    async counters(sessionIds) {
      return statements().counters.all(JSON.stringify(sessionIds)).map(toCounterStats);
    },
    async writers(sessionIds) {
      return statements().writers.all(JSON.stringify(sessionIds));
    },
    async linesSinceDay(midnightIso, sessionIds) {
      const day = dayOf(midnightIso);
      if (sessionIds) {
        const ids = JSON.stringify(sessionIds);
        const sums = statements().daySumsOf.get(day, ids)!;
        return toLineFigures(sums, statements().dayCountersOf.get(day, ids) ?? 0);
      }
      const sums = statements().daySums.get(day)!;
      return toLineFigures(sums, statements().dayCounters.get(day) ?? 0);
    },
    async atCount(sessionId) {
      return statements().atCount.all(sessionId).map(toItemAtCount);
    },
    async atCountOf(sessionId, itemCodes) {
      if (itemCodes.length === 0) return [];
      const list = JSON.stringify([...new Set(itemCodes)]);
      return statements().atCountOf.all(list, sessionId).map(toItemAtCount);
    },
    async dirtyAtCount(limit) {
      return statements().dirty.all(limit);
    },
    async releaseAtCountClaims() {
      return statements().releaseClaims.run().changes;
    },
    async claimAtCount(mark) {
      const seq = -1 - newSeq();
      const claimed = statements().claim.run(seq, mark.session_id, mark.item_code, mark.seq);
      return claimed.changes === 1 ? { ...mark, seq } : null;
    },
    async putAtCount(mark, columns) {
      return putAtCount.immediate(mark, columns);
    },
    async markAtCount(sessionId, itemCodes) {
      return itemCodes.length === 0 ? 0 : markAtCount.immediate(sessionId, itemCodes);
    },
    async markProvisional(completeUntil) {
      return markProvisional.immediate(completeUntil);
    },
    async rebuild(sessionId) {
      rebuild.immediate(sessionId);
    },
    async rebuildAll() {
      return rebuildAll.immediate();
    },
  };

  return { apply, review, rebuildSync, rebuildAllSync, repo };
}
