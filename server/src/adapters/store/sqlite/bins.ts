/**
 * BinRepo and RecountTaskRepo on SQLite (issue #16, docs/design.md §12): tables bins,
 * bin_decisions and recount_tasks (migration 13). `settle` runs synchronously in one immediate
 * transaction per call: it reads each bin's lines, decisions, open tasks and row, calls the
 * service's pure callback, and applies the outcome — line statuses through the read model's
 * review upkeep (as a supervisor's review is), so the session model stays a sum of the lines that
 * count — the bin row and the tasks.
 */
import type { BinDecision } from '@stockverify/shared';
import type {
  BinKey,
  BinRepo,
  BinLine,
  BinSettleInput,
  BinSettleOutcome,
  RecountTaskRecord,
  RecountTaskRepo,
} from '../../../ports/bins';
import type { CountLineRecord } from '../../../ports/counting';
import {
  acknowledgeLateCounts,
  applicableUpdates,
  computedBinRecord,
  rowlessBinRecord,
  type RowlessBin,
  type StoredBin,
} from '../bins-plan';
import { lazy, toFlag, type Db } from './database';
import { LINE_COLUMNS, toLineRecord, type LineRow } from './lines';
import {
  reviewEvents,
  reviewWriterDelta,
  type LineEvent,
  type WriterDelta,
} from '../read-model-plan';
import { createSqliteReadModel } from './read-model';

type BinRow = Omit<
  StoredBin,
  | 'counters'
  | 'split'
  | 'first_count_confirmed'
  | 'overturned'
  | 'late_count_ids'
  | 'late_acknowledged_ids'
> & {
  counters: string;
  late_count_ids: string;
  late_acknowledged_ids: string;
  split: number;
  first_count_confirmed: number;
  overturned: number;
};

interface DecisionRow {
  decision_id: string;
  session_id: string;
  rack: string;
  item_code: string;
  kind: 'set' | 'recount';
  quantity: number | null;
  count_id: string | null;
  phase: number | null;
  decided_by: string;
  decided_at: string;
  reason: string | null;
}

type TaskRow = Omit<RecountTaskRecord, 'excluded_counters'> & { excluded_counters: string };

/** One bin without a row, summed in SQL (`counters`: a JSON array). */
type RowlessRow = Omit<RowlessBin, 'counters'> & { counters: string };

const BIN_COLUMNS = `session_id, rack, item_code, state, reason, quantity, proposed_quantity,
  phase, split, book_qty, rule_id, rule_version, counters, first_count_qty, first_received_at,
  first_counted_by, first_count_confirmed, settled_at, recounts, overturned, open_task_id,
  late_count_ids, late_acknowledged_ids, late_unacknowledged, updated_at`;
const TASK_COLUMNS = `id, session_id, rack, item_code, phase, state, assigned_to, assigned_at,
  excluded_counters, reason, note, created_at, created_by, closed_at, answered_by_op_id`;
const DECISION_COLUMNS = `decision_id, session_id, rack, item_code, kind, quantity, count_id,
  phase, decided_by, decided_at, reason`;

const params = (columns: string) =>
  columns
    .split(',')
    .map((c) => `@${c.trim()}`)
    .join(', ');
const prefixed = (alias: string, columns: string) =>
  columns
    .split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');

// A key of a list given as JSON ([rack, item_code, …]), read inside a json_each join.
const KEY_RACK = `json_extract(k.value, '$[0]')`;
const KEY_ITEM = `json_extract(k.value, '$[1]')`;

interface KeysParams {
  session_id: string;
  /** JSON array of [rack, item_code]. */
  keys: string;
}

/** What settlement reads of each line of a bin (`BinLine`), in keyed reads. */
const BIN_LINE_COLUMNS = `id, op_id, counted_by, phase, counted_qty, non_returnable_damaged_qty,
  received_at, supersedes, superseded_by, status, recount_task_id, reviewed_by, reviewed_at,
  review_note`;

/** Rows of a keyed read, grouped by the key's position (each group keeps the statement's order). */
function byKey<R extends { _k: number }>(rows: readonly R[]): Map<number, Omit<R, '_k'>[]> {
  const out = new Map<number, Omit<R, '_k'>[]>();
  for (const { _k, ...row } of rows) {
    const group = out.get(_k);
    if (group) group.push(row);
    else out.set(_k, [row]);
  }
  return out;
}

function toBin(row: BinRow): StoredBin {
  return {
    ...row,
    counters: JSON.parse(row.counters) as string[],
    late_count_ids: JSON.parse(row.late_count_ids) as string[],
    late_acknowledged_ids: JSON.parse(row.late_acknowledged_ids) as string[],
    split: row.split === 1,
    first_count_confirmed: row.first_count_confirmed === 1,
    overturned: row.overturned === 1,
  };
}

function toBinRow(bin: StoredBin): BinRow {
  return {
    ...bin,
    counters: JSON.stringify(bin.counters),
    late_count_ids: JSON.stringify(bin.late_count_ids),
    late_acknowledged_ids: JSON.stringify(bin.late_acknowledged_ids),
    split: toFlag(bin.split),
    first_count_confirmed: toFlag(bin.first_count_confirmed),
    overturned: toFlag(bin.overturned),
  };
}

function toTask(row: TaskRow): RecountTaskRecord {
  return { ...row, excluded_counters: JSON.parse(row.excluded_counters) as string[] };
}

function toDecision(row: DecisionRow): BinDecision {
  if (row.kind === 'set') {
    return {
      kind: 'set',
      decision_id: row.decision_id,
      quantity: row.quantity ?? 0,
      decided_by: row.decided_by,
      decided_at: row.decided_at,
      reason: row.reason ?? '',
      count_id: row.count_id,
    };
  }
  return {
    kind: 'recount',
    decision_id: row.decision_id,
    phase: row.phase ?? 1,
    decided_by: row.decided_by,
    decided_at: row.decided_at,
    reason: row.reason,
  };
}

interface BinParams {
  session_id: string;
  rack: string;
  item_code: string;
}

function prepare(db: Db) {
  const bin = 'session_id = @session_id AND rack = @rack AND item_code = @item_code';
  return {
    // count_lines_bin (migration 13) holds (session, item, rack): a bin's lines are one range.
    lineById: db.prepare<[string], LineRow>(`SELECT ${LINE_COLUMNS} FROM count_lines WHERE id = ?`),
    binLines: db.prepare<[BinParams], LineRow>(
      `SELECT ${LINE_COLUMNS} FROM count_lines INDEXED BY count_lines_bin
       WHERE session_id = @session_id AND item_code = @item_code AND rack = @rack
       ORDER BY received_at, id`,
    ),
    review: db.prepare<
      [
        {
          id: string;
          status: string;
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
    binRow: db.prepare<[BinParams], BinRow>(`SELECT ${BIN_COLUMNS} FROM bins WHERE ${bin}`),
    putBin: db.prepare<[BinRow]>(
      `INSERT OR REPLACE INTO bins (${BIN_COLUMNS}) VALUES (${params(BIN_COLUMNS)})`,
    ),
    decisions: db.prepare<[BinParams], DecisionRow>(
      `SELECT ${DECISION_COLUMNS} FROM bin_decisions WHERE ${bin}
       ORDER BY decided_at, decision_id`,
    ),
    addDecision: db.prepare<[DecisionRow]>(
      `INSERT OR IGNORE INTO bin_decisions (${DECISION_COLUMNS})
       VALUES (${params(DECISION_COLUMNS)})`,
    ),
    noteTask: db.prepare<[{ id: string; note: string }]>(
      `UPDATE recount_tasks SET note = @note WHERE id = @id AND state = 'open'`,
    ),
    insertTask: db.prepare<[TaskRow]>(
      `INSERT INTO recount_tasks (${TASK_COLUMNS}) VALUES (${params(TASK_COLUMNS)})`,
    ),
    closeTask: db.prepare<
      [{ id: string; state: string; closed_at: string; answered_by_op_id: string | null }]
    >(
      `UPDATE recount_tasks SET state = @state, closed_at = @closed_at,
         answered_by_op_id = @answered_by_op_id
       WHERE id = @id AND state = 'open'`,
    ),
    // Whether a bin must be settled though its new line cannot change it alone: a row, or a line
    // by somebody else (count_lines_bin answers the second from the index alone). One statement
    // for a whole list of [rack, item_code, counter]: the positions of those that must.
    needs: db
      .prepare<[{ session_id: string; list: string }], number>(
        `SELECT CAST(k.key AS INTEGER) FROM json_each(@list) k
         WHERE EXISTS (SELECT 1 FROM bins b WHERE b.session_id = @session_id
             AND b.rack = ${KEY_RACK} AND b.item_code = ${KEY_ITEM})
           -- Judged on its book at count (docs/design.md §13 "Bins judged at count"): a line
           -- within the snapshot's tolerance may be outside it.
           OR EXISTS (SELECT 1 FROM bin_books_at_count bb WHERE bb.session_id = @session_id
             AND bb.item_code = ${KEY_ITEM} AND bb.rack = ${KEY_RACK})
           OR EXISTS (SELECT 1 FROM count_lines l INDEXED BY count_lines_bin
             WHERE l.session_id = @session_id AND l.item_code = ${KEY_ITEM}
               AND l.rack = ${KEY_RACK} AND l.counted_by <> json_extract(k.value, '$[2]'))
         ORDER BY k.key`,
      )
      .pluck(),
    // What settle reads for a whole list of [rack, item_code] keys, one statement each; `_k` is the
    // key's position in the list. CROSS JOIN keeps the keys the outer loop (SQLite would otherwise
    // read the session's every line and probe the list): one index search per key.
    keysRows: db.prepare<[KeysParams], BinRow & { _k: number }>(
      `SELECT k.key AS _k, ${prefixed('b', BIN_COLUMNS)} FROM json_each(@keys) k
       CROSS JOIN bins b ON b.session_id = @session_id AND b.rack = ${KEY_RACK}
         AND b.item_code = ${KEY_ITEM}`,
    ),
    // Only what settlement reads of a line (BinLine): no serials, photos or figures to parse.
    keysLines: db.prepare<[KeysParams], BinLine & { _k: number }>(
      `SELECT k.key AS _k, ${prefixed('l', BIN_LINE_COLUMNS)} FROM json_each(@keys) k
       CROSS JOIN count_lines l INDEXED BY count_lines_bin ON l.session_id = @session_id
         AND l.item_code = ${KEY_ITEM} AND l.rack = ${KEY_RACK}
       ORDER BY l.received_at, l.id`,
    ),
    keysDecisions: db.prepare<[KeysParams], DecisionRow & { _k: number }>(
      `SELECT k.key AS _k, ${prefixed('d', DECISION_COLUMNS)} FROM json_each(@keys) k
       CROSS JOIN bin_decisions d ON d.session_id = @session_id AND d.rack = ${KEY_RACK}
         AND d.item_code = ${KEY_ITEM}
       ORDER BY d.decided_at, d.decision_id`,
    ),
    // Every task of the bin: the open ones, and the closed ones a late count may name.
    keysTasks: db.prepare<[KeysParams], TaskRow & { _k: number }>(
      `SELECT k.key AS _k, ${prefixed('t', TASK_COLUMNS)} FROM json_each(@keys) k
       CROSS JOIN recount_tasks t INDEXED BY recount_tasks_bin ON t.session_id = @session_id
         AND t.rack = ${KEY_RACK} AND t.item_code = ${KEY_ITEM}
       ORDER BY t.created_at, t.id`,
    ),
    putLate: db.prepare<
      [
        BinParams & {
          late_acknowledged_ids: string;
          late_unacknowledged: number;
          updated_at: string;
        },
      ]
    >(
      `UPDATE bins SET late_acknowledged_ids = @late_acknowledged_ids,
         late_unacknowledged = @late_unacknowledged, updated_at = @updated_at
       WHERE ${bin}`,
    ),
    page: db.prepare<
      [
        {
          session_id: string;
          state: string | null;
          rack: string | null;
          late: number;
          limit: number;
          offset: number;
        },
      ],
      BinRow
    >(
      `SELECT ${BIN_COLUMNS} FROM bins
       WHERE session_id = @session_id AND (@state IS NULL OR state = @state)
         AND (@rack IS NULL OR rack = @rack) AND (@late = 0 OR late_unacknowledged > 0)
       ORDER BY rack, item_code LIMIT @limit OFFSET @offset`,
    ),
    total: db
      .prepare<
        [{ session_id: string; state: string | null; rack: string | null; late: number }],
        number
      >(
        `SELECT COUNT(*) FROM bins
         WHERE session_id = @session_id AND (@state IS NULL OR state = @state)
           AND (@rack IS NULL OR rack = @rack) AND (@late = 0 OR late_unacknowledged > 0)`,
      )
      .pluck(),
    blocking: db.prepare<
      [string, number],
      Pick<BinRow, 'rack' | 'item_code' | 'state' | 'open_task_id' | 'late_unacknowledged'>
    >(
      `SELECT rack, item_code, state, open_task_id, late_unacknowledged FROM bins
       WHERE session_id = ? AND (state = 'needs_supervisor' OR open_task_id IS NOT NULL
         OR late_unacknowledged > 0)
       ORDER BY rack, item_code LIMIT ?`,
    ),
    blockingTotal: db
      .prepare<[string], number>(
        `SELECT COUNT(*) FROM bins
         WHERE session_id = ? AND (state = 'needs_supervisor' OR open_task_id IS NOT NULL
           OR late_unacknowledged > 0)`,
      )
      .pluck(),
    allRows: db.prepare<[string], BinRow>(
      `SELECT ${BIN_COLUMNS} FROM bins WHERE session_id = ? ORDER BY rack, item_code`,
    ),
    // The records of the bins without a row (count-quality measures), computed per bin in SQL
    // rather than from every line in JS (bins-plan.ts computedBinRecord says what they are): the
    // live lines (not superseded, not rejected) of each rowless bin, their sum, counters, the
    // last receipt, and the first line (received first, op_id breaking ties).
    rowless: db.prepare<[{ session_id: string }], RowlessRow>(
      `SELECT rack, item_code, quantity, counters, last_received_at, counted_by AS first_counted_by,
         received_at AS first_received_at, book_qty,
         json_extract(tolerance, '$.rule_id') AS rule_id,
         json_extract(tolerance, '$.rule_version') AS rule_version
       FROM (
         SELECT l.rack, l.item_code, l.counted_by, l.received_at, l.book_qty, l.tolerance,
           SUM(ROUND(l.counted_qty - l.non_returnable_damaged_qty, 3)) OVER bin AS quantity,
           json_group_array(l.counted_by) OVER bin AS counters,
           MAX(l.received_at) OVER bin AS last_received_at,
           ROW_NUMBER() OVER (bin ORDER BY l.received_at, l.op_id) AS n
         FROM count_lines l
         WHERE l.session_id = @session_id AND l.superseded_by IS NULL AND l.status <> 'REJECTED'
           AND NOT EXISTS (SELECT 1 FROM bins b WHERE b.session_id = @session_id
             AND b.rack = l.rack AND b.item_code = l.item_code)
         WINDOW bin AS (PARTITION BY l.item_code, l.rack)
       )
       WHERE n = 1`,
    ),
    task: db.prepare<[string], TaskRow>(`SELECT ${TASK_COLUMNS} FROM recount_tasks WHERE id = ?`),
    taskPage: db.prepare<[TaskFilter & { limit: number; offset: number }], TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM recount_tasks ${TASK_WHERE}
       ORDER BY created_at, id LIMIT @limit OFFSET @offset`,
    ),
    taskTotal: db
      .prepare<[TaskFilter], number>(`SELECT COUNT(*) FROM recount_tasks ${TASK_WHERE}`)
      .pluck(),
    openByAssignee: db.prepare<[string], { assigned_to: string; n: number }>(
      `SELECT assigned_to, COUNT(*) AS n FROM recount_tasks INDEXED BY recount_tasks_assignee
       WHERE session_id = ? AND assigned_to IS NOT NULL AND state = 'open'
       GROUP BY assigned_to`,
    ),
    assign: db.prepare<[{ id: string; user: string | null; at: string }]>(
      `UPDATE recount_tasks SET assigned_to = @user,
         assigned_at = CASE WHEN @user IS NULL THEN NULL ELSE @at END
       WHERE id = @id AND state = 'open'`,
    ),
  };
}

interface TaskFilter {
  session_id: string;
  state: string | null;
  rack: string | null;
  assigned_to: string | null;
  eligible: string | null;
}

// A task is eligible to a user when it is theirs, or offered to everyone and they did not count
// the bin already.
const TASK_WHERE = `WHERE session_id = @session_id AND (@state IS NULL OR state = @state)
  AND (@rack IS NULL OR rack = @rack)
  AND (@assigned_to IS NULL OR assigned_to = @assigned_to)
  AND (@eligible IS NULL OR assigned_to = @eligible OR (assigned_to IS NULL
    AND NOT EXISTS (SELECT 1 FROM json_each(excluded_counters) x WHERE x.value = @eligible)))`;

/** The bin and recount-task repositories over an open, migrated database. */
export function createSqliteBinRepos(
  db: Db,
  options: { skipReadModelUpkeep?: boolean } = {},
): { bins: BinRepo; recountTasks: RecountTaskRepo } {
  const statements = lazy(() => prepare(db));
  const kept = createSqliteReadModel(db);
  const model = options.skipReadModelUpkeep ? { apply: () => undefined } : kept;
  const keyOf = (sessionId: string, key: BinKey): BinParams => ({
    session_id: sessionId,
    rack: key.rack,
    item_code: key.item_code,
  });

  /** What the status changes of one settle call move in the read model, applied once. */
  interface Moves {
    events: LineEvent[];
    writers: WriterDelta[];
  }

  const apply = (
    input: BinSettleInput,
    outcome: BinSettleOutcome,
    moves: Moves,
  ): StoredBin | null => {
    const s = statements();
    for (const u of applicableUpdates(outcome, input.lines)) {
      // The line in full: the read model's events need every figure (settlement reads a few).
      const before = toLineRecord(s.lineById.get(u.id)!);
      s.review.run(u);
      // A review's events, as LineRepo.review moves the model (read-model-plan.ts); settlement
      // never touches a superseded line, so no successor changes what was overturned.
      const after: CountLineRecord = { ...before, ...u };
      moves.events.push(...reviewEvents(before, after));
      const moved = reviewWriterDelta(before, after, null);
      if (moved) moves.writers.push(moved);
    }
    const now = outcome.record?.updated_at ?? new Date().toISOString();
    for (const t of outcome.close_tasks ?? []) {
      s.closeTask.run({
        id: t.id,
        state: t.state,
        closed_at: now,
        answered_by_op_id: t.answered_by_op_id,
      });
    }
    if (outcome.task_note && input.open_tasks.some((t) => t.id === outcome.task_note!.id)) {
      s.noteTask.run(outcome.task_note);
    }
    if (outcome.open_task) {
      const t = outcome.open_task;
      s.insertTask.run({ ...t, excluded_counters: JSON.stringify(t.excluded_counters) });
    }
    if (outcome.record) s.putBin.run(toBinRow(outcome.record));
    return outcome.record;
  };

  const settle = db.transaction(
    (
      sessionId: string,
      keys: readonly (BinKey & { split?: boolean })[],
      callback: (input: BinSettleInput) => BinSettleOutcome,
    ): (StoredBin | null)[] => {
      const s = statements();
      const moves: Moves = { events: [], writers: [] };
      // Each bin once (a key named twice is settled once, its split flags joined), and what every
      // bin needs read in four statements for the whole call, not four per bin: settling one bin
      // never changes another's lines, decisions or tasks.
      const unique = new Map<string, BinKey & { split?: boolean }>();
      for (const key of keys) {
        const id = JSON.stringify([key.rack, key.item_code]);
        const seen = unique.get(id);
        const split = key.split || seen?.split ? { split: true } : {};
        unique.set(id, { rack: key.rack, item_code: key.item_code, ...split });
      }
      const list = [...unique.values()];
      const p = {
        session_id: sessionId,
        keys: JSON.stringify(list.map((k) => [k.rack, k.item_code])),
      };
      const rows = byKey(s.keysRows.all(p));
      const lines = byKey(s.keysLines.all(p));
      const decisions = byKey(s.keysDecisions.all(p));
      const tasks = byKey(s.keysTasks.all(p));
      const written = new Map<string, StoredBin | null>();
      list.forEach((key, k) => {
        const row = rows.get(k)?.[0];
        const previous = row ? toBin(row) : null;
        const binTasks = (tasks.get(k) ?? []).map(toTask);
        const input: BinSettleInput = {
          session_id: sessionId,
          key: { rack: key.rack, item_code: key.item_code },
          lines: (lines.get(k) ?? []).filter((l) => l.status !== 'REJECTED'),
          decisions: (decisions.get(k) ?? []).map(toDecision),
          split: key.split ?? previous?.split ?? false,
          open_tasks: binTasks.filter((t) => t.state === 'open'),
          closed_tasks: binTasks.filter((t) => t.state !== 'open'),
          previous,
        };
        written.set(
          JSON.stringify([key.rack, key.item_code]),
          apply(input, callback(input), moves),
        );
      });
      const out = keys.map((key) => written.get(JSON.stringify([key.rack, key.item_code])) ?? null);
      // One move of the model for the whole call: its rows are read once, after every status
      // change, as a sync batch moves it.
      if (moves.events.length > 0 || moves.writers.length > 0) {
        model.apply(moves.events, [], moves.writers);
      }
      return out;
    },
  );

  const acknowledge = db.transaction(
    (sessionId: string, key: BinKey, countIds: readonly string[] | null, now: string) => {
      const s = statements();
      const row = s.binRow.get(keyOf(sessionId, key));
      if (!row) return null;
      const before = toBin(row);
      const after = acknowledgeLateCounts(before, countIds, now);
      s.putLate.run({
        ...keyOf(sessionId, key),
        late_acknowledged_ids: JSON.stringify(after.late_acknowledged_ids),
        late_unacknowledged: after.late_unacknowledged,
        updated_at: after.updated_at,
      });
      return { before, after };
    },
  );

  const bins: BinRepo = {
    async settle(sessionId, keys, callback) {
      return settle.immediate(sessionId, keys, callback);
    },
    async get(sessionId, key) {
      const p = keyOf(sessionId, key);
      const row = statements().binRow.get(p);
      if (row) return toBin(row);
      return computedBinRecord(sessionId, key, statements().binLines.all(p).map(toLineRecord));
    },
    async list(sessionId, query) {
      const filter = {
        session_id: sessionId,
        state: query.state ?? null,
        rack: query.rack ?? null,
        late: query.attention === 'late' ? 1 : 0,
      };
      const rows = statements().page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toBin), total: statements().total.get(filter) ?? 0 };
    },
    async lines(sessionId, key) {
      return statements().binLines.all(keyOf(sessionId, key)).map(toLineRecord);
    },
    async decisions(sessionId, key) {
      return statements().decisions.all(keyOf(sessionId, key)).map(toDecision);
    },
    async addDecision(sessionId, key, decision) {
      const row: DecisionRow =
        decision.kind === 'set'
          ? {
              ...keyOf(sessionId, key),
              decision_id: decision.decision_id,
              kind: 'set',
              quantity: decision.quantity,
              count_id: decision.count_id ?? null,
              phase: null,
              decided_by: decision.decided_by,
              decided_at: decision.decided_at,
              reason: decision.reason,
            }
          : {
              ...keyOf(sessionId, key),
              decision_id: decision.decision_id,
              kind: 'recount',
              quantity: null,
              count_id: null,
              phase: decision.phase,
              decided_by: decision.decided_by,
              decided_at: decision.decided_at,
              reason: decision.reason ?? null,
            };
      return statements().addDecision.run(row).changes > 0;
    },
    async acknowledgeLate(sessionId, key, countIds, now) {
      return acknowledge.immediate(sessionId, key, countIds, now);
    },
    async needsSettling(sessionId, list) {
      if (list.length === 0) return [];
      const positions = statements().needs.all({
        session_id: sessionId,
        list: JSON.stringify(list.map(({ key, counter }) => [key.rack, key.item_code, counter])),
      });
      return positions.map((i) => ({ rack: list[i]!.key.rack, item_code: list[i]!.key.item_code }));
    },
    async blocking(sessionId, limit) {
      const s = statements();
      return {
        total: s.blockingTotal.get(sessionId) ?? 0,
        items: s.blocking.all(sessionId, limit).map((r) => ({
          rack: r.rack,
          item_code: r.item_code,
          state: r.state,
          task_id: r.open_task_id,
          late_counts: r.late_unacknowledged,
        })),
      };
    },
    async all(sessionId) {
      const s = statements();
      const out = s.allRows.all(sessionId).map(toBin);
      for (const r of s.rowless.all({ session_id: sessionId })) {
        out.push(
          rowlessBinRecord(sessionId, { ...r, counters: JSON.parse(r.counters) as string[] }),
        );
      }
      const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      return out.sort((a, b) => cmp(a.rack, b.rack) || cmp(a.item_code, b.item_code));
    },
  };

  const recountTasks: RecountTaskRepo = {
    async get(id) {
      const row = statements().task.get(id);
      return row ? toTask(row) : null;
    },
    async list(sessionId, query) {
      const filter: TaskFilter = {
        session_id: sessionId,
        state: query.state ?? null,
        rack: query.rack ?? null,
        assigned_to: query.assigned_to ?? null,
        eligible: query.eligible_user ?? null,
      };
      const rows = statements().taskPage.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toTask), total: statements().taskTotal.get(filter) ?? 0 };
    },
    async openCountsByAssignee(sessionId) {
      return new Map(
        statements()
          .openByAssignee.all(sessionId)
          .map((r) => [r.assigned_to, r.n]),
      );
    },
    async assign(id, userId, at) {
      if (statements().assign.run({ id, user: userId, at }).changes === 0) return null;
      const row = statements().task.get(id);
      return row ? toTask(row) : null;
    },
  };

  return { bins, recountTasks };
}
