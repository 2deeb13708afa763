/**
 * Paged per-item variances on MongoDB (issue #13), read from the session read model: one rm_items
 * document per counted item holds its sums, variance (thousandths) and values (cents), kept in the
 * line-write transaction (read-model.ts), with the sort keys |variance| and |value at cost| stored
 * beside them so a page reads the session's documents in index order and stops at the limit
 * (indexes.ts). As on SQLite (sqlite/variances.ts, the reference), only the filters asked for are
 * compiled: has variance, rack and needs review (review_lines) on the documents themselves, category through the snapshot
 * and item master (looked up for every item only under that filter; otherwise for the page's rows
 * only). The total is a separate count over the same filters. The builders are pure and
 * unit-tested without a server (variances.test.ts).
 */
import type { SessionItemVariance } from '@stockverify/shared';
import type { Collection, Document } from 'mongodb';
import type { SnapshotRow } from '../../../ports/counting';
import type {
  VarianceCursor,
  VariancePageQuery,
  VariancePageResult,
  VarianceRepo,
} from '../../../ports/variances';
import { atCountAnswer, fromCents, fromMilli, toItemAtCount } from '../read-model-plan';
import type { CountLineDocument, ItemDocument } from './collections';
import type { RmItemDocument } from './read-model';

/** The stored field each sort reads, and its direction (ties: item code ascending). */
export const VARIANCE_SORT: Record<VariancePageQuery['sort'], { field: string; desc: boolean }> = {
  '-abs_variance': { field: 'abs_variance_m', desc: true },
  abs_variance: { field: 'abs_variance_m', desc: false },
  '-abs_value': { field: 'abs_cost_c', desc: true },
  abs_value: { field: 'abs_cost_c', desc: false },
  item_code: { field: 'item_code', desc: false },
  '-item_code': { field: 'item_code', desc: true },
  // |variance at count|, items without one last either way (read-model.ts vacKeys).
  '-variance_at_count': { field: 'vac_desc', desc: true },
  variance_at_count: { field: 'vac_asc', desc: false },
};

type Filters = Pick<
  VariancePageQuery,
  'has_variance' | 'needs_review' | 'rack' | 'at_count_status' | 'hint' | 'at_count_within'
>;

/**
 * The filter on the session's rm_items documents, without the category (which needs lookups) and
 * the cursor. Lines waiting for review are counted on each document (review_lines).
 */
export function varianceFilter(sessionId: string, query: Filters): Document {
  const filter: Document = { session_id: sessionId };
  if (query.has_variance !== undefined)
    filter.variance_m = query.has_variance ? { $ne: 0 } : { $eq: 0 };
  if (query.rack !== undefined) filter.rack_codes = query.rack;
  if (query.needs_review !== undefined)
    filter.review_lines = query.needs_review ? { $gt: 0 } : { $eq: 0 };
  if (query.at_count_status !== undefined) filter.at_status = query.at_count_status;
  // hint_kinds is ',kind,kind,' (read-model-plan hintKindsField); kinds are plain words.
  if (query.hint !== undefined) filter.hint_kinds = { $regex: `,${query.hint},` };
  if (query.at_count_within !== undefined) filter.at_within = query.at_count_within ? 1 : 0;
  return filter;
}

/** Rows strictly after the cursor row in the sort's order. */
export function cursorFilter(sort: VariancePageQuery['sort'], after: VarianceCursor): Document {
  const { field, desc } = VARIANCE_SORT[sort];
  if (field === 'item_code')
    return { item_code: desc ? { $lt: after.item_code } : { $gt: after.item_code } };
  return {
    $or: [
      { [field]: desc ? { $lt: after.key } : { $gt: after.key } },
      { [field]: after.key, item_code: { $gt: after.item_code } },
    ],
  };
}

export function varianceSortSpec(sort: VariancePageQuery['sort']): Record<string, 1 | -1> {
  const { field, desc } = VARIANCE_SORT[sort];
  return field === 'item_code'
    ? { item_code: desc ? -1 : 1 }
    : { [field]: desc ? -1 : 1, item_code: 1 };
}

/** Name and category as the variances show them: the snapshot's, else the item master's. */
export function namedStages(
  sessionId: string,
  collections: { snapshot: string; items: string },
): Document[] {
  return [
    {
      $lookup: {
        from: collections.snapshot,
        localField: 'item_code',
        foreignField: 'item_code',
        pipeline: [
          { $match: { session_id: sessionId } },
          { $project: { _id: 0, name: 1, category: 1 } },
        ],
        as: 'snapshot',
      },
    },
    {
      $lookup: {
        from: collections.items,
        localField: 'item_code',
        foreignField: 'item_code',
        pipeline: [{ $project: { _id: 0, name: 1, category: 1 } }],
        as: 'item',
      },
    },
    { $set: { snap: { $first: '$snapshot' }, master: { $first: '$item' } } },
    {
      $set: {
        name: { $ifNull: ['$snap.name', { $ifNull: ['$master.name', '$item_code'] }] },
        category: {
          $cond: [
            { $eq: [{ $type: '$snap' }, 'missing'] },
            { $ifNull: ['$master.category', null] },
            { $ifNull: ['$snap.category', null] },
          ],
        },
      },
    },
    { $project: { snapshot: 0, item: 0, snap: 0, master: 0, users: 0 } },
  ];
}

/**
 * One page: the filtered documents in the sort's order (the $match and $sort lead, so the sort's
 * index serves them unless a category filter puts the lookups first), one row more than the page
 * to tell whether another follows, names and categories for those rows.
 */
export function variancePagePipeline(
  sessionId: string,
  query: VariancePageQuery,
  collections: { snapshot: string; items: string },
): Document[] {
  const filter = varianceFilter(sessionId, query);
  const match = query.after ? { $and: [filter, cursorFilter(query.sort, query.after)] } : filter;
  const named = namedStages(sessionId, collections);
  const byCategory = query.category !== undefined;
  return [
    { $match: match },
    ...(byCategory ? [...named, { $match: { category: query.category } }] : []),
    { $sort: varianceSortSpec(query.sort) },
    { $skip: query.after ? 0 : (query.page - 1) * query.page_size },
    { $limit: query.page_size + 1 },
    ...(byCategory ? [] : named),
  ];
}

/** The filtered total under a category filter (without one, a countDocuments of the filter). */
export function varianceCountPipeline(
  sessionId: string,
  query: VariancePageQuery & { category: string },
  collections: { snapshot: string; items: string },
): Document[] {
  return [
    { $match: varianceFilter(sessionId, query) },
    ...namedStages(sessionId, collections),
    { $match: { category: query.category } },
    { $count: 'n' },
  ];
}

/** A page row: an rm_items document with its name and category. */
export type VarianceDoc = Omit<RmItemDocument, 'users'> & { name: string; category: string | null };

/** One item's figures from its model document (as sqlite/variances.ts's toVariance). */
export function toSessionItemVariance(doc: VarianceDoc): SessionItemVariance {
  return {
    item_code: doc.item_code,
    name: doc.name,
    category: doc.category,
    book_qty: doc.book_qty,
    counted_qty: fromMilli(doc.counted_m),
    damaged_qty: fromMilli(doc.damaged_m),
    non_returnable_damaged_qty: fromMilli(doc.nonret_m),
    variance: fromMilli(doc.variance_m),
    value_at_cost: fromCents(doc.cost_c),
    value_at_price: fromCents(doc.price_c),
    lines: doc.lines,
    racks: doc.racks.map(([rack]) => rack).sort(),
    needs_review: doc.review_lines,
    ...atCountAnswer(toItemAtCount(doc)),
  };
}

/** The row's cursor value in the sort's order. */
export function sortKeyOf(sort: VariancePageQuery['sort'], doc: VarianceDoc): number | string {
  const { field } = VARIANCE_SORT[sort];
  if (field === 'item_code') return doc.item_code;
  if (field === 'vac_desc') return doc.vac_desc;
  if (field === 'vac_asc') return doc.vac_asc;
  return field === 'abs_variance_m' ? Math.abs(doc.variance_m) : Math.abs(doc.cost_c);
}

export function createMongoVarianceRepo(c: {
  lines: Collection<CountLineDocument>;
  snapshot: Collection<SnapshotRow>;
  items: Collection<ItemDocument>;
  rmItems: Collection<RmItemDocument>;
}): VarianceRepo {
  const names = { snapshot: c.snapshot.collectionName, items: c.items.collectionName };
  return {
    async page(sessionId, query): Promise<VariancePageResult> {
      const [rows, total] = await Promise.all([
        c.rmItems.aggregate<VarianceDoc>(variancePagePipeline(sessionId, query, names)).toArray(),
        query.category === undefined
          ? c.rmItems.countDocuments(varianceFilter(sessionId, query))
          : c.rmItems
              .aggregate<{ n: number }>(
                varianceCountPipeline(sessionId, { ...query, category: query.category }, names),
              )
              .toArray()
              .then(([r]) => r?.n ?? 0),
      ]);
      const page = rows.slice(0, query.page_size);
      const last = page[page.length - 1];
      const next: VarianceCursor | null =
        rows.length > query.page_size && last
          ? { key: sortKeyOf(query.sort, last), item_code: last.item_code }
          : null;
      return {
        items: page.map((doc) => toSessionItemVariance(doc)),
        total,
        next,
      };
    },
  };
}
