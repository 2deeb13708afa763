/**
 * Paged per-item variances on SQLite (issue #13), read from the session read model: rm_items holds
 * every counted item's sums, variance (thousandths) and values (cents), kept in the line-write
 * transaction (read-model.ts). A page reads the session's rm_items rows in the sort's order
 * through an expression index (migration 8) and stops at the limit; only the filters asked for
 * are compiled into the statement (a rack's items as one set-based lookup by rack; lines waiting
 * for review are counted on each row, migration 12), and name and category are looked up for the
 * page's rows only.
 * The total is a separate count over the same filters.
 */
import type { SessionItemVariance } from '@stockverify/shared';
import {
  AT_COUNT_LAST_ASC,
  AT_COUNT_LAST_DESC,
  atCountAnswer,
  fromCents,
  fromMilli,
  toItemAtCount,
} from '../read-model-plan';
import type { AtCountAction, AtCountStatus } from '@stockverify/shared';
import type {
  VarianceCursor,
  VariancePageQuery,
  VariancePageResult,
  VarianceRepo,
} from '../../../ports/variances';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

interface Row {
  item_code: string;
  name: string;
  category: string | null;
  book_qty: number;
  counted_m: number;
  damaged_m: number;
  nonret_m: number;
  variance_m: number;
  cost_c: number;
  price_c: number;
  lines: number;
  racks: string;
  needs_review: number;
  at_status: AtCountStatus;
  expected_m: number | null;
  vac_m: number | null;
  vac_low_m: number | null;
  vac_high_m: number | null;
  provisional: number;
  hint_kinds: string;
  at_within: 0 | 1 | null;
  at_action: AtCountAction | null;
  sort_key: number | string;
}

interface Params {
  session_id: string;
  category?: string;
  rack?: string;
  at_status?: string;
  hint?: string;
  after_key?: number | string;
  after_code?: string;
  limit?: number;
  offset?: number;
}

type Filters = Pick<
  VariancePageQuery,
  | 'has_variance'
  | 'needs_review'
  | 'category'
  | 'rack'
  | 'at_count_status'
  | 'hint'
  | 'at_count_within'
>;

const KEYS: Record<VariancePageQuery['sort'], { key: string; desc: boolean }> = {
  '-abs_variance': { key: 'abs(r.variance_m)', desc: true },
  abs_variance: { key: 'abs(r.variance_m)', desc: false },
  '-abs_value': { key: 'abs(r.cost_c)', desc: true },
  abs_value: { key: 'abs(r.cost_c)', desc: false },
  item_code: { key: 'r.item_code', desc: false },
  '-item_code': { key: 'r.item_code', desc: true },
  // |variance at count|; items without one last either way, by item code, their cursor key the
  // order's last (read-model-plan AT_COUNT_LAST_*): see atCountPageSql.
  '-variance_at_count': { key: 'COALESCE(abs(r.vac_m), -1)', desc: true },
  variance_at_count: { key: 'COALESCE(abs(r.vac_m), 9007199254740991)', desc: false },
};

/** The variance_at_count orders: the key's value for items without a variance at count. */
const AT_COUNT_LAST: Partial<Record<VariancePageQuery['sort'], number>> = {
  '-variance_at_count': AT_COUNT_LAST_DESC,
  variance_at_count: AT_COUNT_LAST_ASC,
};

// The index that reads a session's items in the sort's order (migration 8). Named, because with a
// filter SQLite may otherwise start from the filter's few thousand items and sort them, computing
// every row's review count before the limit.
const INDEX: Partial<Record<VariancePageQuery['sort'], string>> = {
  '-abs_variance': 'rm_items_abs_variance',
  '-abs_value': 'rm_items_abs_value',
  '-variance_at_count': 'rm_items_vac_desc',
  variance_at_count: 'rm_items_vac_asc',
};

// Items with a line that still counts in one rack, as rm_items.racks lists them: the rack's few
// hundred lines by count_lines_rack (SQLite picked the item index for the DISTINCT otherwise).
const RACK_ITEMS = `SELECT DISTINCT item_code FROM count_lines INDEXED BY count_lines_rack
  WHERE session_id = @session_id AND rack = @rack
    AND superseded_by IS NULL AND status NOT IN ('REJECTED', 'CANDIDATE')`;
// The item's category as the variances show it: the snapshot's, else the item master's.
const CATEGORY = `COALESCE(
  (SELECT s.category FROM session_snapshot s
    WHERE s.session_id = @session_id AND s.item_code = r.item_code),
  CASE WHEN EXISTS (SELECT 1 FROM session_snapshot s
    WHERE s.session_id = @session_id AND s.item_code = r.item_code) THEN NULL
  ELSE (SELECT i.category FROM items i WHERE i.item_code = r.item_code) END)`;

/**
 * Where a page's rows come from: the session's items through the sort's index — unless a rack is
 * asked: a rack holds a few hundred of the session's items, found by the rack's lines first and
 * sorted in memory (0.3 ms), where reading the whole session in order to find them took 65 ms at
 * 33,000 items (issue #13 benchmark). `sort` null: no order (the total).
 */
function source(sort: VariancePageQuery['sort'] | null, filters: Filters): string {
  if (filters.rack !== undefined) {
    return `(${RACK_ITEMS}) k
    CROSS JOIN rm_items r ON r.session_id = @session_id AND r.item_code = k.item_code`;
  }
  const index = sort === null ? undefined : INDEX[sort];
  return index ? `rm_items r INDEXED BY ${index}` : 'rm_items r';
}

/**
 * The WHERE clause of the filters asked for, and only those: a filter that is not asked costs
 * nothing (issue #13: at 50,000 items every per-item subquery is seconds).
 */
function where(filters: Filters): string {
  const parts = ['r.session_id = @session_id'];
  if (filters.has_variance !== undefined)
    parts.push(filters.has_variance ? 'r.variance_m <> 0' : 'r.variance_m = 0');
  if (filters.needs_review !== undefined)
    parts.push(filters.needs_review ? 'r.review_lines > 0' : 'r.review_lines = 0');
  if (filters.category !== undefined) parts.push(`${CATEGORY} = @category`);
  if (filters.at_count_status !== undefined) parts.push('r.at_status = @at_status');
  // hint_kinds is ',kind,kind,' (read-model-plan hintKindsField).
  if (filters.hint !== undefined) parts.push('instr(r.hint_kinds, @hint) > 0');
  if (filters.at_count_within !== undefined)
    parts.push(filters.at_count_within ? 'r.at_within = 1' : 'r.at_within = 0');
  return parts.join('\n        AND ');
}

/** Cache key of a statement: the sort and which filters it compiles. */
function shapeOf(sort: VariancePageQuery['sort'], filters: Filters, cursor: boolean): string {
  return [
    sort,
    filters.has_variance ?? '-',
    filters.needs_review ?? '-',
    filters.rack !== undefined,
    filters.category !== undefined,
    filters.at_count_status !== undefined,
    filters.hint !== undefined,
    filters.at_count_within ?? '-',
    cursor,
  ].join('|');
}

/**
 * One page in the sort's order. The sort keys have expression indexes (migration 8), so a page
 * reads its rows in order and stops at the limit instead of sorting the session's items.
 */
function pageSql(sort: VariancePageQuery['sort'], filters: Filters, cursor: boolean): string {
  if (AT_COUNT_LAST[sort] !== undefined) return atCountPageSql(sort, filters, cursor, false);
  const { key, desc } = KEYS[sort];
  const byCode = key === 'r.item_code';
  // Strictly after the cursor row in this order; ties on the key go by item code ascending.
  const after = !cursor
    ? ''
    : byCode
      ? `AND r.item_code ${desc ? '<' : '>'} @after_code`
      : // The first bound lets the index seek to the cursor; the second breaks the tie.
        `AND ${key} ${desc ? '<=' : '>='} @after_key
          AND (${key} ${desc ? '<' : '>'} @after_key OR r.item_code > @after_code)`;
  const order = byCode
    ? `r.item_code ${desc ? 'DESC' : 'ASC'}`
    : `${key} ${desc ? 'DESC' : 'ASC'}, r.item_code ASC`;
  if (cursor && !byCode) return tiedCursorPageSql(sort, filters);
  return `
    SELECT ${PAGE_COLUMNS},
      ${key} AS sort_key
    FROM ${source(sort, filters)}
    LEFT JOIN session_snapshot s ON s.session_id = @session_id AND s.item_code = r.item_code
    LEFT JOIN items i ON i.item_code = r.item_code
    WHERE ${where(filters)}
      ${after}
    ORDER BY ${order}
    LIMIT @limit OFFSET @offset`;
}

/**
 * A cursor page of a sort by a key many items share (most items of a session have no variance:
 * |variance| 0), in two parts each read by a seek in the sort's index: the rest of the cursor's
 * key, by item code, then the keys beyond it. One condition for both,
 * `key ≤ k AND (key < k OR code > c)`, let SQLite seek to the key only, and it then stepped over
 * every item of that key up to the cursor's code: page 135 of 270 took 16 ms alone at 250,000
 * lines, page 1 7 ms (bench:session).
 */
function tiedCursorPageSql(sort: VariancePageQuery['sort'], filters: Filters): string {
  const { key, desc } = KEYS[sort];
  const joins = `LEFT JOIN session_snapshot s ON s.session_id = @session_id AND s.item_code = r.item_code
    LEFT JOIN items i ON i.item_code = r.item_code`;
  return `
    SELECT * FROM (
      SELECT ${PAGE_COLUMNS}, ${key} AS sort_key, 0 AS part
      FROM ${source(sort, filters)}
      ${joins}
      WHERE ${where(filters)} AND ${key} = @after_key AND r.item_code > @after_code
      ORDER BY r.item_code ASC
      LIMIT @limit)
    UNION ALL
    SELECT * FROM (
      SELECT ${PAGE_COLUMNS}, ${key} AS sort_key, 1 AS part
      FROM ${source(sort, filters)}
      ${joins}
      WHERE ${where(filters)} AND ${key} ${desc ? '<' : '>'} @after_key
      ORDER BY ${key} ${desc ? 'DESC' : 'ASC'}, r.item_code ASC
      LIMIT @limit)
    ORDER BY part, sort_key ${desc ? 'DESC' : 'ASC'}, item_code ASC
    LIMIT @limit OFFSET @offset`;
}

/**
 * The sort key and item code of the row at @offset in the page's order, read from the sort's index
 * alone (no names, categories or figures): an OFFSET page starts right after it, as a cursor page
 * does. OFFSET on the page statement itself built and dropped every skipped row, joins included
 * (84 ms at page 165 in bench:session).
 */
function seekSql(sort: VariancePageQuery['sort'], filters: Filters): string {
  if (AT_COUNT_LAST[sort] !== undefined) return atCountPageSql(sort, filters, false, true);
  const { key, desc } = KEYS[sort];
  const order =
    key === 'r.item_code'
      ? `r.item_code ${desc ? 'DESC' : 'ASC'}`
      : `${key} ${desc ? 'DESC' : 'ASC'}, r.item_code ASC`;
  return `SELECT ${key} AS sort_key, r.item_code AS item_code FROM ${source(sort, filters)}
    WHERE ${where(filters)}
    ORDER BY ${order}
    LIMIT 1 OFFSET @offset`;
}

const PAGE_COLUMNS = `r.item_code,
      COALESCE(s.name, i.name, r.item_code) AS name,
      CASE WHEN s.item_code IS NULL THEN i.category ELSE s.category END AS category,
      r.book_qty, r.counted_m, r.damaged_m, r.nonret_m, r.variance_m, r.cost_c, r.price_c,
      r.lines, r.racks,
      r.review_lines AS needs_review,
      r.at_status, r.expected_m, r.vac_m, r.vac_low_m, r.vac_high_m, r.provisional, r.hint_kinds,
      r.at_within, r.at_action`;

/**
 * A page (or, `seek`, the key of the row at @offset) of a variance_at_count order: the items with
 * a variance at count through the order's partial index (migration 23), then those without one by
 * item code through the primary key, their key the order's last. A cursor in the second part
 * leaves the first empty (no |variance| is beyond the last key) and starts the second after its
 * item code; a cursor in the first leaves the second whole.
 */
function atCountPageSql(
  sort: VariancePageQuery['sort'],
  filters: Filters,
  cursor: boolean,
  seek: boolean,
): string {
  const { desc } = KEYS[sort];
  const last = AT_COUNT_LAST[sort]!;
  const key = 'abs(r.vac_m)';
  const columns = seek ? 'r.item_code' : PAGE_COLUMNS;
  const joins = seek
    ? ''
    : `LEFT JOIN session_snapshot s ON s.session_id = @session_id AND s.item_code = r.item_code
    LEFT JOIN items i ON i.item_code = r.item_code`;
  const after1 = cursor
    ? `AND ${key} ${desc ? '<=' : '>='} @after_key
          AND (${key} ${desc ? '<' : '>'} @after_key OR r.item_code > @after_code)`
    : '';
  const after2 = cursor ? `AND (@after_key <> ${last} OR r.item_code > @after_code)` : '';
  const limit = seek ? '@offset + 1' : '@limit';
  const rack = filters.rack !== undefined;
  return `
    SELECT * FROM (
      SELECT ${columns}, ${key} AS sort_key, 0 AS part
      FROM ${source(sort, filters)}
      ${joins}
      WHERE ${where(filters)} AND r.vac_m IS NOT NULL
        ${after1}
      ORDER BY ${key} ${desc ? 'DESC' : 'ASC'}, r.item_code ASC
      LIMIT ${limit})
    UNION ALL
    SELECT * FROM (
      SELECT ${columns}, ${last} AS sort_key, 1 AS part
      FROM ${rack ? source(sort, filters) : 'rm_items r'}
      ${joins}
      WHERE ${where(filters)} AND r.vac_m IS NULL
        ${after2}
      ORDER BY r.item_code ASC
      LIMIT ${limit})
    ORDER BY part, sort_key ${desc ? 'DESC' : 'ASC'}, item_code ASC
    LIMIT ${seek ? '1 OFFSET @offset' : '@limit OFFSET @offset'}`;
}

function countSql(filters: Filters): string {
  return `SELECT COUNT(*) FROM ${source(null, filters)} WHERE ${where(filters)}`;
}

function toVariance(row: Row): SessionItemVariance {
  return {
    item_code: row.item_code,
    name: row.name,
    category: row.category,
    book_qty: row.book_qty,
    counted_qty: fromMilli(row.counted_m),
    damaged_qty: fromMilli(row.damaged_m),
    non_returnable_damaged_qty: fromMilli(row.nonret_m),
    variance: fromMilli(row.variance_m),
    value_at_cost: fromCents(row.cost_c),
    value_at_price: fromCents(row.price_c),
    lines: row.lines,
    racks: Object.keys(JSON.parse(row.racks) as Record<string, number>).sort(),
    needs_review: row.needs_review,
    ...atCountAnswer(
      toItemAtCount({ ...row, provisional: row.provisional === 1 ? 1 : 0, final_at: null }),
    ),
  };
}

/** Builds the variance pages over an open, migrated database. */
export function createSqliteVarianceRepo(db: Db): VarianceRepo {
  const pages = new Map<string, Statement<[Params], Row>>();
  const seeks = new Map<
    string,
    Statement<[Params], { sort_key: number | string; item_code: string }>
  >();
  const counts = new Map<string, Statement<[Params], number>>();

  const countOf = (filters: Filters, named: Params): number => {
    const countShape = shapeOf('item_code', filters, false);
    let countStatement = counts.get(countShape);
    if (!countStatement) {
      countStatement = db.prepare<[Params], number>(countSql(filters)).pluck();
      counts.set(countShape, countStatement);
    }
    return countStatement.get(named) ?? 0;
  };

  return {
    async page(sessionId, query): Promise<VariancePageResult> {
      const filters: Filters = {
        has_variance: query.has_variance,
        needs_review: query.needs_review,
        category: query.category,
        rack: query.rack,
        at_count_status: query.at_count_status,
        hint: query.hint,
        at_count_within: query.at_count_within,
      };
      const named: Params = { session_id: sessionId };
      if (query.category !== undefined) named.category = query.category;
      if (query.rack !== undefined) named.rack = query.rack;
      if (query.at_count_status !== undefined) named.at_status = query.at_count_status;
      if (query.hint !== undefined) named.hint = `,${query.hint},`;
      // A page by number past the first starts after the last row of the page before it, found
      // in the sort's index: then it is read as a cursor page.
      let after = query.after;
      if (after === undefined && query.page > 1) {
        const seekShape = shapeOf(query.sort, filters, false);
        let seek = seeks.get(seekShape);
        if (!seek) {
          seek = db.prepare(seekSql(query.sort, filters));
          seeks.set(seekShape, seek);
        }
        const before = seek.get({ ...named, offset: (query.page - 1) * query.page_size - 1 });
        after = before ? { key: before.sort_key, item_code: before.item_code } : undefined;
        if (!after) {
          const total = countOf(filters, named);
          return { items: [], total, next: null };
        }
      }
      const cursor = after !== undefined;
      const shape = shapeOf(query.sort, filters, cursor);
      let pageStatement = pages.get(shape);
      if (!pageStatement) {
        pageStatement = db.prepare<[Params], Row>(pageSql(query.sort, filters, cursor));
        pages.set(shape, pageStatement);
      }
      const rows = pageStatement.all({
        ...named,
        ...(after ? { after_key: after.key, after_code: after.item_code } : {}),
        // One row more than the page tells whether another page follows.
        limit: query.page_size + 1,
        offset: 0,
      });
      const total = countOf(filters, named);
      const page = rows.slice(0, query.page_size);
      const last = page[page.length - 1];
      const next: VarianceCursor | null =
        rows.length > query.page_size && last
          ? { key: last.sort_key, item_code: last.item_code }
          : null;
      return { items: page.map(toVariance), total, next };
    },
  };
}
