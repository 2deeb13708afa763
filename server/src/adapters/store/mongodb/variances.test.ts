/** The MongoDB variances page pipeline, pure (no server): filters, sort, cursor and paging. */
import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { VariancePageQuery } from '../../../ports/variances';
import { toSessionItemVariance, variancePagePipeline } from './variances';

const names = { snapshot: 'session_snapshot', items: 'items' };
const base: VariancePageQuery = { sort: '-abs_variance', page: 1, page_size: 50 };
const stage = (pipeline: Document[], name: string) =>
  pipeline.filter((s) => Object.keys(s)[0] === name);
const facetItems = (pipeline: Document[]) =>
  (stage(pipeline, '$facet')[0]!.$facet as { items: Document[] }).items;

describe('variancePagePipeline', () => {
  it('matches the session lines that count, sorts by |variance| then code, and pages', () => {
    const p = variancePagePipeline('S1', { ...base, page: 3, page_size: 20 }, names);
    expect(p[0]).toEqual({
      $match: { session_id: 'S1', superseded_by: null, status: { $ne: 'REJECTED' } },
    });
    expect(stage(p, '$set').at(-1)).toEqual({ $set: { sort_key: { $abs: '$variance' } } });
    expect(facetItems(p).slice(0, 3)).toEqual([
      { $sort: { sort_key: -1, _id: 1 } },
      { $skip: 40 },
      { $limit: 21 },
    ]);
    // No filter asked, no $match on the sums.
    expect(stage(p, '$match')).toHaveLength(1);
  });

  it('filters by variance, review, category and rack', () => {
    const p = variancePagePipeline(
      'S1',
      { ...base, has_variance: true, needs_review: false, category: 'Paint', rack: 'A-01' },
      names,
    );
    expect(stage(p, '$match')[1]).toEqual({
      $match: { variance: { $ne: 0 }, needs_review: { $eq: 0 }, category: 'Paint', in_rack: 1 },
    });
    const group = stage(p, '$group')[0]!.$group as Document;
    expect(group.in_rack).toEqual({ $max: { $cond: [{ $eq: ['$rack', 'A-01'] }, 1, 0] } });
  });

  it('starts strictly after a cursor row, in the sort order', () => {
    const desc = variancePagePipeline(
      'S1',
      { ...base, sort: '-abs_value', after: { key: 1250, item_code: 'B' } },
      names,
    );
    expect(facetItems(desc)[0]).toEqual({
      $match: { $or: [{ sort_key: { $lt: 1250 } }, { sort_key: 1250, _id: { $gt: 'B' } }] },
    });
    expect(facetItems(desc)[2]).toEqual({ $skip: 0 });
    const byCode = variancePagePipeline(
      'S1',
      { ...base, sort: '-item_code', after: { key: 'B', item_code: 'B' } },
      names,
    );
    expect(facetItems(byCode).slice(0, 2)).toEqual([
      { $match: { _id: { $lt: 'B' } } },
      { $sort: { _id: -1 } },
    ]);
  });
});

describe('toSessionItemVariance', () => {
  it('rounds like the SQLite adapter: variance = counted − written off − book, values in cents', () => {
    expect(
      toSessionItemVariance({
        _id: 'ITM-A',
        name: 'Alpha',
        category: 'Tools',
        book_qty: 10,
        cost: 2,
        price: 3.333,
        counted_qty: 7.0004,
        damaged_qty: 2,
        non_returnable_damaged_qty: 1,
        lines: 2,
        racks: ['B-01', 'A-01'],
        needs_review: 1,
        sort_key: 4,
      }),
    ).toEqual({
      item_code: 'ITM-A',
      name: 'Alpha',
      category: 'Tools',
      book_qty: 10,
      counted_qty: 7,
      damaged_qty: 2,
      non_returnable_damaged_qty: 1,
      variance: -4,
      value_at_cost: -8,
      value_at_price: -13.33,
      lines: 2,
      racks: ['A-01', 'B-01'],
      needs_review: 1,
    });
  });
});
