/**
 * Paged per-item variances on SQLite (issue #13), read from the session read model: rm_items holds
 * every counted item's sums, variance (thousandths) and values (cents), kept in the line-write
 * transaction (read-model.ts). One statement per sort filters the session's rm_items rows (its
 * primary key prefix), orders them by an exact integer key, counts the filtered total beside them,
 * and only for the page's rows joins the snapshot and item master for name and category and counts
 * the lines waiting for review (count_lines_item). The category and review filters look those up
 * per item only when they are asked for.
 */
import type { SessionItemVariance } from '@stockverify/shared';
import { fromCents, fromMilli } from '../read-model-plan';
import type {
  VarianceCursor,
  VariancePageQuery,
  VariancePageResult,
  VarianceRepo,
} from '../../../ports/variances';
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

const KEYS: Record<VariancePageQuery['sort'], { key: string; desc: boolean }> = {
  '-abs_variance': { key: 'ABS(r.variance_m)', desc: true },
  abs_variance: { key: 'ABS(r.variance_m)', desc: false },
  '-abs_value': { key: 'ABS(r.cost_c)', desc: true },
  abs_value: { key: 'ABS(r.cost_c)', desc: false },
  item_code: { key: 'r.item_code', desc: false },
  '-item_code': { key: 'r.item_code', desc: true },
};

// The item's category as the variances show it: the snapshot's, or the item master's for an item
// outside the snapshot (as lines.variances does).
const CATEGORY = `(CASE WHEN EXISTS (SELECT 1 FROM session_snapshot s
    WHERE s.session_id = @session_id AND s.item_code = r.item_code)
  THEN (SELECT s.category FROM session_snapshot s
    WHERE s.session_id = @session_id AND s.item_code = r.item_code)
  ELSE (SELECT i.category FROM items i WHERE i.item_code = r.item_code) END)`;
const REVIEW_LINES = `(SELECT COUNT(*) FROM count_lines c
  WHERE c.session_id = @session_id AND c.item_code = r.item_code
    AND c.status = 'NEEDS_REVIEW' AND c.superseded_by IS NULL)`;

function pageSql(sort: VariancePageQuery['sort']): string {
  const { key, desc } = KEYS[sort];
  const byCode = key === 'r.item_code';
  // Strictly after the cursor row in this order; ties on the key go by item code ascending.
  const after = byCode
    ? `f.item_code ${desc ? '<' : '>'} @after_code`
    : `(f.sort_key ${desc ? '<' : '>'} @after_key
        OR (f.sort_key = @after_key AND f.item_code > @after_code))`;
  const order = byCode
    ? `item_code ${desc ? 'DESC' : 'ASC'}`
    : `sort_key ${desc ? 'DESC' : 'ASC'}, item_code ASC`;
  return `
    WITH f AS (
      SELECT r.item_code, ${key} AS sort_key, COUNT(*) OVER () AS total
      FROM rm_items r
      WHERE r.session_id = @session_id
        AND (@has_variance IS NULL OR (r.variance_m <> 0) = @has_variance)
        AND (@rack IS NULL OR EXISTS (SELECT 1 FROM json_each(r.racks) WHERE key = @rack))
        AND (@category IS NULL OR ${CATEGORY} = @category)
        AND (@needs_review IS NULL OR (${REVIEW_LINES} > 0) = @needs_review)
    ),
    p AS (
      SELECT * FROM f
      WHERE @after_code IS NULL OR ${after}
      ORDER BY ${order}
      LIMIT @limit OFFSET @offset
    )
    SELECT r.item_code,
      COALESCE(s.name, i.name, r.item_code) AS name,
      CASE WHEN s.item_code IS NULL THEN i.category ELSE s.category END AS category,
      r.book_qty, r.counted_m, r.damaged_m, r.nonret_m, r.variance_m, r.cost_c, r.price_c,
      r.lines, r.racks, ${REVIEW_LINES} AS needs_review, p.sort_key, p.total
    FROM p
    JOIN rm_items r ON r.session_id = @session_id AND r.item_code = p.item_code
    LEFT JOIN session_snapshot s ON s.session_id = @session_id AND s.item_code = r.item_code
    LEFT JOIN items i ON i.item_code = r.item_code
    ORDER BY ${order.replace(/item_code/g, 'p.item_code').replace('sort_key', 'p.sort_key')}`;
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
