/**
 * Paged per-item variances on MongoDB (issue #13): the per-item sums of `variancesPipeline`
 * (line-pipelines.ts) with the review count and rack test added, the variance and sort value
 * computed in the pipeline, then the filters and one $facet for the page and the filtered total.
 * The SQLite adapter's sqlite/variances.ts is the reference; the contract suite runs both.
 *
 * NOTE: this aggregates the session's lines on each request. The SQLite adapter reads the session
 * read model (rm_items) instead; doing the same here over the MongoDB read model's item documents
 * (mongodb/read-model.ts) is left to do.
 */
import { QTY_DECIMALS, roundMoney, roundQty, type SessionItemVariance } from '@stockverify/shared';
import type { Collection, Document } from 'mongodb';
import type { SnapshotRow } from '../../../ports/counting';
import type {
  VarianceCursor,
  VariancePageQuery,
  VariancePageResult,
  VarianceRepo,
} from '../../../ports/variances';
import type { CountLineDocument, ItemDocument } from './collections';
import { LINES_THAT_COUNT } from './line-pipelines';

/** What the pipeline yields per item, before the shared rounding rules. */
export interface VarianceSums {
  _id: string;
  name: string;
  category: string | null;
  book_qty: number;
  cost: number;
  price: number;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  lines: number;
  racks: string[];
  needs_review: number;
  sort_key: number | string;
}

interface Facet {
  total: Array<{ n: number }>;
  items: VarianceSums[];
}

const round = (expr: unknown, places: number) => ({ $round: [expr, places] });

/** Sort value per sort, over the fields the pipeline has added by then. */
function sortKey(sort: VariancePageQuery['sort']): unknown {
  if (sort === 'item_code' || sort === '-item_code') return '$_id';
  if (sort === '-abs_variance' || sort === 'abs_variance') return { $abs: '$variance' };
  return { $abs: round({ $multiply: ['$variance', '$cost'] }, 2) };
}

/** The whole pipeline for one page: pure, unit-tested without a server. */
export function variancePagePipeline(
  sessionId: string,
  query: VariancePageQuery,
  collections: { snapshot: string; items: string },
): Document[] {
  const desc = query.sort.startsWith('-');
  const byCode = query.sort === 'item_code' || query.sort === '-item_code';
  const filters: Document = {};
  if (query.has_variance !== undefined)
    filters.variance = query.has_variance ? { $ne: 0 } : { $eq: 0 };
  if (query.needs_review !== undefined)
    filters.needs_review = query.needs_review ? { $gt: 0 } : { $eq: 0 };
  if (query.category !== undefined) filters.category = query.category;
  if (query.rack !== undefined) filters.in_rack = 1;
  const after: Document[] = [];
  if (query.after) {
    const { key, item_code: code } = query.after;
    after.push({
      $match: byCode
        ? { _id: desc ? { $lt: code } : { $gt: code } }
        : {
            $or: [
              { sort_key: desc ? { $lt: key } : { $gt: key } },
              { sort_key: key, _id: { $gt: code } },
            ],
          },
    });
  }
  const order: Document = byCode ? { _id: desc ? -1 : 1 } : { sort_key: desc ? -1 : 1, _id: 1 };
  return [
    { $match: { session_id: sessionId, ...LINES_THAT_COUNT } },
    {
      $group: {
        _id: '$item_code',
        counted_qty: { $sum: '$counted_qty' },
        damaged_qty: { $sum: '$damaged_qty' },
        non_returnable_damaged_qty: { $sum: '$non_returnable_damaged_qty' },
        lines: { $sum: 1 },
        racks: { $addToSet: '$rack' },
        needs_review: { $sum: { $cond: [{ $eq: ['$status', 'NEEDS_REVIEW'] }, 1, 0] } },
        in_rack: { $max: { $cond: [{ $eq: ['$rack', query.rack ?? null] }, 1, 0] } },
      },
    },
    {
      $lookup: {
        from: collections.snapshot,
        localField: '_id',
        foreignField: 'item_code',
        pipeline: [{ $match: { session_id: sessionId } }],
        as: 'snapshot',
      },
    },
    {
      $lookup: {
        from: collections.items,
        localField: '_id',
        foreignField: 'item_code',
        pipeline: [{ $project: { _id: 0, name: 1, category: 1 } }],
        as: 'item',
      },
    },
    {
      $set: {
        snap: { $first: '$snapshot' },
        master: { $first: '$item' },
      },
    },
    {
      $set: {
        name: { $ifNull: ['$snap.name', { $ifNull: ['$master.name', '$_id'] }] },
        category: {
          $cond: [
            { $eq: [{ $type: '$snap' }, 'missing'] },
            { $ifNull: ['$master.category', null] },
            { $ifNull: ['$snap.category', null] },
          ],
        },
        book_qty: { $ifNull: ['$snap.book_qty', 0] },
        cost: { $ifNull: ['$snap.cost', 0] },
        price: { $ifNull: ['$snap.price', 0] },
      },
    },
    {
      $set: {
        variance: round(
          {
            $subtract: [
              {
                $subtract: [
                  round('$counted_qty', QTY_DECIMALS),
                  round('$non_returnable_damaged_qty', QTY_DECIMALS),
                ],
              },
              '$book_qty',
            ],
          },
          QTY_DECIMALS,
        ),
      },
    },
    { $set: { sort_key: sortKey(query.sort) } },
    ...(Object.keys(filters).length > 0 ? [{ $match: filters }] : []),
    {
      $facet: {
        total: [{ $count: 'n' }],
        items: [
          ...after,
          { $sort: order },
          { $skip: query.after ? 0 : (query.page - 1) * query.page_size },
          { $limit: query.page_size + 1 },
          { $project: { snapshot: 0, item: 0, snap: 0, master: 0, in_rack: 0, variance: 0 } },
        ],
      },
    },
  ];
}

/** One item's figures from its sums, with the shared rounding rules (as sqlite/variances.ts). */
export function toSessionItemVariance(s: VarianceSums): SessionItemVariance {
  const counted = roundQty(s.counted_qty);
  const writtenOff = roundQty(s.non_returnable_damaged_qty);
  const variance = roundQty(counted - writtenOff - s.book_qty);
  return {
    item_code: s._id,
    name: s.name,
    category: s.category,
    book_qty: s.book_qty,
    counted_qty: counted,
    damaged_qty: roundQty(s.damaged_qty),
    non_returnable_damaged_qty: writtenOff,
    variance,
    value_at_cost: roundMoney(variance * s.cost),
    value_at_price: roundMoney(variance * s.price),
    lines: s.lines,
    racks: [...s.racks].sort(),
    needs_review: s.needs_review,
  };
}

export function createMongoVarianceRepo(c: {
  lines: Collection<CountLineDocument>;
  snapshot: Collection<SnapshotRow>;
  items: Collection<ItemDocument>;
}): VarianceRepo {
  return {
    async page(sessionId, query): Promise<VariancePageResult> {
      const [facet] = await c.lines
        .aggregate<Facet>(
          variancePagePipeline(sessionId, query, {
            snapshot: c.snapshot.collectionName,
            items: c.items.collectionName,
          }),
        )
        .toArray();
      const rows = facet?.items ?? [];
      const page = rows.slice(0, query.page_size);
      const last = page[page.length - 1];
      const next: VarianceCursor | null =
        rows.length > query.page_size && last ? { key: last.sort_key, item_code: last._id } : null;
      return { items: page.map(toSessionItemVariance), total: facet?.total[0]?.n ?? 0, next };
    },
  };
}
