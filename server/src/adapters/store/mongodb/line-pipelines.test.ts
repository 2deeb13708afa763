/**
 * The MongoDB count-line aggregations' shape and the mappers that finish them, checked against
 * design §4's worked examples and the SQLite adapter's rounding (no server needed).
 */
import { describe, expect, it } from 'vitest';
import {
  statsMatch,
  statsPipeline,
  toCounterStats,
  toItemVariance,
  variancesPipeline,
  type ItemSums,
} from './line-pipelines';

function sums(extra: Partial<ItemSums>): ItemSums {
  return {
    _id: 'ITM-1',
    counted_qty: 0,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    lines: 1,
    racks: ['A-01'],
    snapshot: [],
    item: [],
    ...extra,
  };
}

const snap = (book: number, cost = 2, price = 3) => [
  {
    session_id: 'S1',
    item_code: 'ITM-1',
    name: 'Snapshot name',
    category: 'Tools',
    book_qty: book,
    cost,
    price,
  },
];

describe('toItemVariance', () => {
  it.each([
    // good 5 + returnable 2 vs book 10 → −3
    [7, 2, 0, 10, -3],
    // good 90 + returnable 5 vs book 100 → −5
    [95, 5, 0, 100, -5],
    // 12 found of which 2 written off vs book 10 → 0
    [12, 0, 2, 10, 0],
  ])(
    'counted %d (returnable %d, written off %d) vs book %d → %d',
    (counted, returnable, writtenOff, book, expected) => {
      const v = toItemVariance(
        sums({
          counted_qty: counted,
          damaged_qty: returnable,
          non_returnable_damaged_qty: writtenOff,
          snapshot: snap(book),
        }),
      );
      expect(v.variance).toBe(expected);
      expect(v.value_at_cost).toBe(expected * 2);
      expect(v.value_at_price).toBe(expected * 3);
      expect(v.book_qty).toBe(book);
    },
  );

  it('rounds float sums like the SQLite adapter (3 decimals for quantities, cents for values)', () => {
    const v = toItemVariance(
      sums({ counted_qty: 0.1 + 0.2, snapshot: snap(0.1, 1.005, 0.333), racks: ['B', 'A'] }),
    );
    expect(v.counted_qty).toBe(0.3);
    expect(v.variance).toBe(0.2);
    expect(v.value_at_cost).toBe(0.2);
    expect(v.value_at_price).toBe(0.07);
    expect(v.racks).toEqual(['A', 'B']);
    expect(v.name).toBe('Snapshot name');
  });

  it('takes an item outside the snapshot at book 0 with its master name, or its code', () => {
    const known = toItemVariance(
      sums({ counted_qty: 4, item: [{ name: 'Master name', category: null }] }),
    );
    expect(known).toMatchObject({ name: 'Master name', category: null, book_qty: 0, variance: 4 });
    expect(known.value_at_cost).toBe(0);
    expect(toItemVariance(sums({ counted_qty: 1 })).name).toBe('ITM-1');
  });
});

describe('variancesPipeline', () => {
  it('sums only lines that count in the session, joins its snapshot, sorted by item code', () => {
    const pipeline = variancesPipeline('S1', 'session_snapshot', 'items');
    expect(pipeline[0]).toEqual({
      $match: {
        session_id: 'S1',
        superseded_by: null,
        status: { $nin: ['REJECTED', 'CANDIDATE'] },
      },
    });
    expect(pipeline[2]).toMatchObject({
      $lookup: { from: 'session_snapshot', pipeline: [{ $match: { session_id: 'S1' } }] },
    });
    expect(pipeline.at(-1)).toEqual({ $sort: { _id: 1 } });
  });
});

describe('stats', () => {
  it('matches lines that count within the sessions and the counted_at bounds', () => {
    expect(statsMatch({})).toEqual({
      superseded_by: null,
      status: { $nin: ['REJECTED', 'CANDIDATE'] },
    });
    expect(
      statsMatch({ session_ids: ['S1', 'S2'], from: '2026-01-01T00:00:00.000Z', to: '2026-02-01' }),
    ).toEqual({
      superseded_by: null,
      status: { $nin: ['REJECTED', 'CANDIDATE'] },
      session_id: { $in: ['S1', 'S2'] },
      counted_at: { $gte: '2026-01-01T00:00:00.000Z', $lt: '2026-02-01' },
    });
    expect(statsMatch({ to: 'T' }).counted_at).toEqual({ $lt: 'T' });
    expect(statsPipeline({}).at(-1)).toEqual({ $sort: { '_id.session_id': 1, '_id.user_id': 1 } });
  });

  it('maps a group to CounterStats with distinct items and rounded sums', () => {
    expect(
      toCounterStats({
        _id: { session_id: 'S1', user_id: 'u1' },
        username: 'alice',
        lines: 3,
        item_codes: ['A', 'B'],
        abs_variance: 0.1 + 0.2,
        abs_book: 10,
        variance: -0.1 - 0.2,
        value_at_cost: 0.1 + 0.2,
        value_at_price: 1.005,
        first_counted_at: 'a',
        last_counted_at: 'b',
      }),
    ).toEqual({
      session_id: 'S1',
      user_id: 'u1',
      username: 'alice',
      lines: 3,
      items: 2,
      abs_variance: 0.3,
      abs_book: 10,
      variance: -0.3,
      value_at_cost: 0.3,
      value_at_price: 1.01,
      first_counted_at: 'a',
      last_counted_at: 'b',
    });
  });
});
