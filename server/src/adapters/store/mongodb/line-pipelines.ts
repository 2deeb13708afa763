/**
 * The count-line aggregations of the MongoDB Store (per-item variances, per-counter stats) and the
 * mappers that finish them with the shared rounding rules (`shared/src/quantity.ts`), so both
 * adapters agree to the cent; the SQLite adapter's SQL in sqlite/lines.ts is the reference.
 * Pure, so they are unit-tested without a server.
 */
import { roundMoney, roundQty, varianceValue } from '@stockverify/shared';
import type { Document, Filter } from 'mongodb';
import type { CounterStats, ItemVariance, SnapshotRow, StatsQuery } from '../../../ports/counting';
import type { CountLineDocument, ItemDocument } from './collections';

/**
 * design §4, §12: a line counts unless a newer line superseded it, a supervisor rejected it or its
 * bin did not take its figure (CANDIDATE).
 */
export const LINES_THAT_COUNT = {
  superseded_by: null,
  status: { $nin: ['REJECTED', 'CANDIDATE'] },
} as const;

/** What the variances pipeline yields per item, before the shared rounding rules. */
export interface ItemSums {
  _id: string;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  lines: number;
  racks: string[];
  snapshot: SnapshotRow[];
  item: Array<Pick<ItemDocument, 'name' | 'category'>>;
}

/**
 * Sums per item of a session's lines that count, with the item's snapshot row and, for an item
 * outside the snapshot (book 0), its name from the item master. $lookup with both localField and
 * pipeline needs MongoDB 5.0+.
 */
export function variancesPipeline(
  sessionId: string,
  snapshotCollection: string,
  itemsCollection: string,
): Document[] {
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
      },
    },
    {
      $lookup: {
        from: snapshotCollection,
        localField: '_id',
        foreignField: 'item_code',
        pipeline: [{ $match: { session_id: sessionId } }],
        as: 'snapshot',
      },
    },
    {
      $lookup: {
        from: itemsCollection,
        localField: '_id',
        foreignField: 'item_code',
        pipeline: [{ $project: { _id: 0, name: 1, category: 1 } }],
        as: 'item',
      },
    },
    { $sort: { _id: 1 } },
  ];
}

/**
 * One item's variance from its sums: variance = counted − written off − book (design §4), each
 * sum rounded like the SQLite adapter's, values at snapshot cost and price.
 */
export function toItemVariance(s: ItemSums): ItemVariance {
  const snap = s.snapshot[0];
  const item = s.item[0];
  const book = snap?.book_qty ?? 0;
  const counted = roundQty(s.counted_qty);
  const writtenOff = roundQty(s.non_returnable_damaged_qty);
  const variance = roundQty(counted - writtenOff - book);
  const value = varianceValue(variance, { cost: snap?.cost ?? 0, price: snap?.price ?? 0 });
  return {
    item_code: s._id,
    name: snap?.name ?? item?.name ?? s._id,
    category: snap ? snap.category : (item?.category ?? null),
    book_qty: book,
    counted_qty: counted,
    damaged_qty: roundQty(s.damaged_qty),
    non_returnable_damaged_qty: writtenOff,
    variance,
    value_at_cost: value.at_cost,
    value_at_price: value.at_price,
    lines: s.lines,
    racks: [...s.racks].sort(),
  };
}

/** What the stats pipeline yields per (session, counter), before rounding. */
export type CounterSums = Omit<CounterStats, 'session_id' | 'user_id' | 'items'> & {
  _id: { session_id: string; user_id: string };
  item_codes: string[];
};

/** The $match of the stats pipeline: lines that count, in the sessions and counted_at bounds. */
export function statsMatch(query: StatsQuery): Filter<CountLineDocument> {
  const match: Filter<CountLineDocument> = { ...LINES_THAT_COUNT };
  if (query.session_ids) match.session_id = { $in: [...query.session_ids] };
  if (query.from || query.to) {
    match.counted_at = {
      ...(query.from ? { $gte: query.from } : {}),
      ...(query.to ? { $lt: query.to } : {}),
    };
  }
  return match;
}

/**
 * The $group of per (session, counter) sums of count lines, as `store.lines.stats` has them;
 * the distinct item codes go in `itemsAs`.
 */
export function counterSessionSums(itemsAs: string): Document {
  return {
    _id: { session_id: '$session_id', user_id: '$counted_by' },
    username: { $max: '$counted_by_name' },
    lines: { $sum: 1 },
    [itemsAs]: { $addToSet: '$item_code' },
    abs_variance: { $sum: { $abs: '$variance' } },
    abs_book: { $sum: { $abs: '$book_qty' } },
    variance: { $sum: '$variance' },
    value_at_cost: { $sum: '$value_at_cost' },
    value_at_price: { $sum: '$value_at_price' },
    first_counted_at: { $min: '$counted_at' },
    last_counted_at: { $max: '$counted_at' },
  };
}

/** Per bin (item in rack) sums of a session's lines that count (LineRepo.bins). */
export function binsPipeline(sessionId: string): Document[] {
  return [
    { $match: { session_id: sessionId, ...LINES_THAT_COUNT } },
    {
      $group: {
        _id: { item_code: '$item_code', rack: '$rack' },
        counted: { $sum: { $subtract: ['$counted_qty', '$non_returnable_damaged_qty'] } },
        book_qty: { $max: '$book_qty' },
      },
    },
    { $sort: { '_id.item_code': 1, '_id.rack': 1 } },
    {
      $project: { _id: 0, item_code: '$_id.item_code', rack: '$_id.rack', counted: 1, book_qty: 1 },
    },
  ];
}

/** Per (session, counter) sums of the lines that count, ordered by session then user. */
export function statsPipeline(query: StatsQuery): Document[] {
  return [
    { $match: statsMatch(query) },
    { $group: counterSessionSums('item_codes') },
    { $sort: { '_id.session_id': 1, '_id.user_id': 1 } },
  ];
}

/** One counter's stats from its sums, rounded like the SQLite adapter's. */
export function toCounterStats({ _id, item_codes, ...r }: CounterSums): CounterStats {
  return {
    session_id: _id.session_id,
    user_id: _id.user_id,
    username: r.username,
    lines: r.lines,
    items: item_codes.length,
    abs_variance: roundQty(r.abs_variance),
    abs_book: roundQty(r.abs_book),
    variance: roundQty(r.variance),
    value_at_cost: roundMoney(r.value_at_cost),
    value_at_price: roundMoney(r.value_at_price),
    first_counted_at: r.first_counted_at,
    last_counted_at: r.last_counted_at,
  };
}
