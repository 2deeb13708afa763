/**
 * The MongoDB read model's pure part (issue #13): the bulk writes built from a plan. The planner
 * itself is exercised on every adapter by test/contract/read-model.contract.test.ts; this checks,
 * without a server, that each plan row becomes the right keyed upsert, increment or delete.
 */
import { describe, expect, it } from 'vitest';
import { makeLine } from '../../../../test/support/counting-records';
import { plan, type ItemRow, type PlanInputs } from '../read-model-plan';
import { planWrites, rmId } from './read-model';

const line = makeLine('op-1', {
  session_id: 'S1',
  rack: 'A-01',
  item_code: 'ITM-1',
  counted_qty: 7.5,
  non_returnable_damaged_qty: 0.5,
  book_qty: 10,
  variance: -3,
  value_at_cost: -6.15,
  value_at_price: -9,
  received_at: '2025-03-01T08:03:00.000Z',
});

function inputs(old: ItemRow | null) {
  const i: PlanInputs = {
    session_id: 'S1',
    items: new Map([
      [
        'ITM-1',
        {
          old,
          snapshot: { book_qty: 10, cost: 2.05, price: 3 },
        },
      ],
    ]),
    counters: new Map([['u-alice', { old: null, bounds: null }]]),
  };
  return i;
}

describe('MongoDB read model writes', () => {
  it('in a session with an ERP watermark, sets the item pending and marks it for the drain (design §13)', () => {
    const watched = planWrites(
      plan([{ line, sign: 1 }], [line], { ...inputs(null), watermarked: true }),
    );
    const item = watched.items[0] as unknown as {
      replaceOne: { replacement: Record<string, unknown> };
    };
    expect(item.replaceOne.replacement).toMatchObject({
      at_status: 'pending',
      vac_m: null,
      vac_desc: -1,
      vac_asc: Number.MAX_SAFE_INTEGER,
    });
    expect(watched.dirty).toEqual([
      {
        updateOne: {
          filter: { _id: rmId('S1', 'ITM-1') },
          update: { $set: { session_id: 'S1', item_code: 'ITM-1', seq: expect.any(Number) } },
          upsert: true,
        },
      },
    ]);
    // Without a watermark: unknown, and no mark at all.
    const plain = planWrites(plan([{ line, sign: 1 }], [line], inputs(null)));
    expect(plain.dirty).toEqual([]);
    expect(
      (plain.items[0] as unknown as { replaceOne: { replacement: Record<string, unknown> } })
        .replaceOne.replacement,
    ).toMatchObject({ at_status: 'unknown' });
  });

  it('upserts the item, increments rack, session and day, and replaces the counter', () => {
    const w = planWrites(plan([{ line, sign: 1 }], [line], inputs(null)));
    expect(w.items).toEqual([
      {
        replaceOne: {
          filter: { _id: rmId('S1', 'ITM-1') },
          replacement: expect.objectContaining({
            session_id: 'S1',
            item_code: 'ITM-1',
            counted_m: 7500,
            nonret_m: 500,
            lines: 1,
            racks: [['A-01', 1]],
            users: [['u-alice', 1]],
            variance_m: -3000,
            cost_c: -615,
            price_c: -900,
          }),
          upsert: true,
        },
      },
    ]);
    expect(w.sessions).toEqual([
      {
        updateOne: {
          filter: { _id: 'S1' },
          update: {
            $inc: {
              lines: 1,
              items: 1,
              variance_m: -3000,
              abs_variance_m: 3000,
              abs_book_m: 10000,
              cost_c: -615,
              price_c: -900,
            },
          },
          upsert: true,
        },
      },
    ]);
    const rack = w.racks[0] as unknown as { updateOne: { filter: unknown; update: unknown[] } };
    expect(rack.updateOne.filter).toEqual({ _id: rmId('S1', 'A-01') });
    const set = (rack.updateOne.update[0] as { $set: Record<string, unknown> }).$set;
    expect(set.lines).toEqual({ $add: [{ $ifNull: ['$lines', 0] }, { $literal: 1 }] });
    expect(set.variance_items).toEqual({
      $add: [{ $ifNull: ['$variance_items', 0] }, { $literal: 1 }],
    });
    expect(JSON.stringify(set.last_activity_at)).toContain('2025-03-01T08:03:00.000Z');
    expect(w.counters).toEqual([
      {
        replaceOne: {
          filter: { _id: rmId('S1', 'u-alice') },
          replacement: expect.objectContaining({ lines: 1, items: 1, variance_m: -3000 }),
          upsert: true,
        },
      },
    ]);
    expect(w.days).toEqual([
      {
        updateOne: {
          filter: { _id: rmId('2025-03-01', 'S1', 'u-alice') },
          update: {
            $set: { day: '2025-03-01', session_id: 'S1', user_id: 'u-alice' },
            $inc: { lines: 1, abs_variance_m: 3000, abs_book_m: 10000, cost_c: -615 },
          },
          upsert: true,
        },
      },
    ]);
    expect(w.writers).toEqual([
      {
        updateOne: {
          filter: { _id: rmId('S1', 'u-alice') },
          update: {
            $set: { session_id: 'S1', user_id: 'u-alice' },
            $inc: { written: 1, overturned: 0 },
          },
          upsert: true,
        },
      },
    ]);
  });

  it("increments a counter's overturned lines when a correction changes one", () => {
    const correction = makeLine('op-2', {
      ...line,
      id: 'line-op-2',
      op_id: 'op-2',
      counted_qty: 8,
      supersedes: 'op-1',
      counted_by: 'u-bob',
    });
    const i = inputs(plan([{ line, sign: 1 }], [line], inputs(null)).itemPuts[0]!);
    i.counters.set('u-bob', { old: null, bounds: null });
    const w = planWrites(
      plan(
        [
          { line, sign: -1 },
          { line: correction, sign: 1 },
        ],
        [correction],
        i,
      ),
    );
    const incs = w.writers.map((op) => {
      const u = (op as { updateOne: { filter: unknown; update: { $inc: unknown } } }).updateOne;
      return [u.filter, u.update.$inc];
    });
    expect(incs).toEqual([
      [{ _id: rmId('S1', 'u-bob') }, { written: 1, overturned: 0 }],
      [{ _id: rmId('S1', 'u-alice') }, { written: 0, overturned: 1 }],
    ]);
  });

  it('deletes the rows of an item and a counter whose last line stopped counting', () => {
    const added = plan([{ line, sign: 1 }], [line], inputs(null));
    const old = added.itemPuts[0]!;
    const removal = inputs(old);
    removal.counters.set('u-alice', {
      old: added.counterPuts[0]!,
      bounds: null,
    });
    const w = planWrites(plan([{ line, sign: -1 }], [], removal));
    expect(w.items).toEqual([{ deleteOne: { filter: { _id: rmId('S1', 'ITM-1') } } }]);
    expect(w.counters).toEqual([{ deleteOne: { filter: { _id: rmId('S1', 'u-alice') } } }]);
    const inc = (
      w.sessions[0] as unknown as { updateOne: { update: { $inc: Record<string, number> } } }
    ).updateOne.update.$inc;
    expect(inc).toMatchObject({ lines: -1, items: -1, variance_m: 3000, cost_c: 615 });
    // No line written: the rack's last activity is left as it is.
    const rack = w.racks[0] as unknown as {
      updateOne: { update: Array<{ $set: Record<string, unknown> }> };
    };
    expect(rack.updateOne.update[0]!.$set.last_activity_at).toEqual({
      $ifNull: ['$last_activity_at', null],
    });
  });
});
