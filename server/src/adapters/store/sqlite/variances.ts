/**
 * Paged per-item variances on SQLite (issue #13): one statement per sort sums the session's lines
 * that count per item (walking count_lines_item, `(session_id, item_code)`), joins the snapshot for
 * book, cost and price, filters, and returns one page with the filtered total beside each row.
 *
 * NOTE: this aggregates the session's lines on each request, like `lines.variances`. The per-item
 * read model of issue #13 (rm_items, adapters/store/sqlite/read-model.ts) had not landed on main
 * when this was written; once it has, `v` below can read rm_items instead (counted, written off,
 * variance and values are there), keeping only `needs_review` and the rack test on count_lines.
 */
import { QTY_DECIMALS, roundMoney, roundQty, type SessionItemVariance } from '@stockverify/shared';
import type {
  VarianceCursor,
  VariancePageQuery,
  VariancePageResult,
  VarianceRepo,
} from '../../../ports/variances';
import type { Db } from './database';

/** DESIGN §4: a line counts unless a newer line superseded it or a supervisor rejected it. */
const COUNTS = `superseded_by IS NULL AND status <> 'REJECTED'`;

interface Row {
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
  needs_review: number;
  sort_key: number | string;
  total: number;
}

interface Params {
  session_id: string;
  has_variance: 0 | 1 | null;
  needs_review: 0 | 1 | null;
  category: string | null;
  rack: string | null;
  after_key: number | string | null;
  after_code: string | null;
  limit: number;
  offset: number;
}

// The variance as shown (each sum rounded, then the difference), and its value at cost.
const VARIANCE = `ROUND(ROUND(l.counted_qty, ${QTY_DECIMALS})
  - ROUND(l.non_returnable_damaged_qty, ${QTY_DECIMALS}) - COALESCE(s.book_qty, 0), ${QTY_DECIMALS})`;

const KEYS: Record<VariancePageQuery['sort'], { key: string; desc: boolean }> = {
  '-abs_variance': { key: 'ABS(variance)', desc: true },
  abs_variance: { key: 'ABS(variance)', desc: false },
  '-abs_value': { key: 'ABS(ROUND(variance * cost, 2))', desc: true },
  abs_value: { key: 'ABS(ROUND(variance * cost, 2))', desc: false },
  item_code: { key: 'item_code', desc: false },
  '-item_code': { key: 'item_code', desc: true },
};

function pageSql(sort: VariancePageQuery['sort']): string {
  const { key, desc } = KEYS[sort];
  const byCode = key === 'item_code';
  // Strictly after the cursor row in this order; ties on the key go by item code ascending.
  const after = byCode
    ? `item_code ${desc ? '<' : '>'} @after_code`
    : `(sort_key ${desc ? '<' : '>'} @after_key
        OR (sort_key = @after_key AND item_code > @after_code))`;
  const order = byCode
    ? `item_code ${desc ? 'DESC' : 'ASC'}`
    : `sort_key ${desc ? 'DESC' : 'ASC'}, item_code ASC`;
  return `
    WITH l AS (
      SELECT item_code,
        SUM(counted_qty) AS counted_qty,
        SUM(damaged_qty) AS damaged_qty,
        SUM(non_returnable_damaged_qty) AS non_returnable_damaged_qty,
        COUNT(*) AS lines,
        json_group_array(DISTINCT rack) AS racks,
        SUM(status = 'NEEDS_REVIEW') AS needs_review,
        MAX(rack = @rack) AS in_rack
      FROM count_lines
      WHERE session_id = @session_id AND ${COUNTS}
      GROUP BY item_code
    ),
    v AS (
      SELECT l.*,
        COALESCE(s.name, i.name, l.item_code) AS name,
        CASE WHEN s.item_code IS NULL THEN i.category ELSE s.category END AS category,
        COALESCE(s.book_qty, 0) AS book_qty,
        COALESCE(s.cost, 0) AS cost,
        COALESCE(s.price, 0) AS price,
        ${VARIANCE} AS variance
      FROM l
      LEFT JOIN session_snapshot s ON s.session_id = @session_id AND s.item_code = l.item_code
      LEFT JOIN items i ON i.item_code = l.item_code
    ),
    f AS (
      SELECT v.*, ${key} AS sort_key, COUNT(*) OVER () AS total FROM v
      WHERE (@has_variance IS NULL OR (variance <> 0) = @has_variance)
        AND (@needs_review IS NULL OR (needs_review > 0) = @needs_review)
        AND (@category IS NULL OR category = @category)
        AND (@rack IS NULL OR in_rack = 1)
    )
    SELECT item_code, name, category, book_qty, cost, price, counted_qty, damaged_qty,
      non_returnable_damaged_qty, lines, racks, needs_review, sort_key, total
    FROM f
    WHERE @after_code IS NULL OR ${after}
    ORDER BY ${order}
    LIMIT @limit OFFSET @offset`;
}

function toVariance(row: Row): SessionItemVariance {
  const counted = roundQty(row.counted_qty);
  const writtenOff = roundQty(row.non_returnable_damaged_qty);
  const variance = roundQty(counted - writtenOff - row.book_qty);
  return {
    item_code: row.item_code,
    name: row.name,
    category: row.category,
    book_qty: row.book_qty,
    counted_qty: counted,
    damaged_qty: roundQty(row.damaged_qty),
    non_returnable_damaged_qty: writtenOff,
    variance,
    value_at_cost: roundMoney(variance * row.cost),
    value_at_price: roundMoney(variance * row.price),
    lines: row.lines,
    racks: (JSON.parse(row.racks) as string[]).sort(),
    needs_review: row.needs_review,
  };
}

const flag = (value: boolean | undefined): 0 | 1 | null =>
  value === undefined ? null : value ? 1 : 0;

/** Builds the variance pages over an open, migrated database. */
export function createSqliteVarianceRepo(db: Db): VarianceRepo {
  const statements = new Map<VariancePageQuery['sort'], ReturnType<typeof prepare>>();
  const prepare = (sort: VariancePageQuery['sort']) => db.prepare<[Params], Row>(pageSql(sort));
  const statement = (sort: VariancePageQuery['sort']) => {
    let found = statements.get(sort);
    if (!found) statements.set(sort, (found = prepare(sort)));
    return found;
  };

  return {
    async page(sessionId, query): Promise<VariancePageResult> {
      const params: Params = {
        session_id: sessionId,
        has_variance: flag(query.has_variance),
        needs_review: flag(query.needs_review),
        category: query.category ?? null,
        rack: query.rack ?? null,
        after_key: query.after?.key ?? null,
        after_code: query.after?.item_code ?? null,
        // One row more than the page tells whether another page follows.
        limit: query.page_size + 1,
        offset: query.after ? 0 : (query.page - 1) * query.page_size,
      };
      const rows = statement(query.sort).all(params);
      let total = rows[0]?.total;
      if (total === undefined) {
        // An empty page past the end (or after the last row): count without paging.
        const all = statement(query.sort).all({
          ...params,
          after_key: null,
          after_code: null,
          limit: 1,
          offset: 0,
        });
        total = all[0]?.total ?? 0;
      }
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
