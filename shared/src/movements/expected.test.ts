import { describe, expect, it } from 'vitest';
import type { CountInterval } from './clock';
import {
  expectedAtCount,
  movedLineAdjustment,
  prepareMovements,
  type CountAt,
  type ExpectedTarget,
} from './expected';
import { MovementInputError } from './input';
import type { ErpMovement } from './movement';

// docs/design.md §13, "Worked examples — expected at count". SKU-1 in WH1, book 40 at the
// snapshot, taken at ERP watermark 1000.
const at = (hms: string) => `2026-12-07T${hms}Z`;
const mv = (
  watermark: number,
  quantity: number,
  hms: string,
  rack: string | null = null,
  item_code = 'SKU-1',
): ErpMovement => ({
  item_code,
  warehouse: 'WH1',
  rack,
  quantity,
  posted_at: at(hms),
  doc_type: quantity < 0 ? 'SHIPMENT' : 'RECEIPT',
  doc_no: `D-${watermark}`,
  watermark: String(watermark),
});
const LEDGER = [
  mv(990, -3, '07:50:00.000'), // in the snapshot's book already
  mv(1001, -5, '08:30:00.000'), // the pick of example 1
  mv(1002, 12, '09:10:00.000'),
  mv(1003, -4, '09:40:00.000'),
  mv(1004, 7, '08:45:00.000', null, 'SKU-2'), // another item
];
const iv = (earliest: string | null, latest: string): CountInterval => ({
  earliest: earliest === null ? null : at(earliest),
  latest: at(latest),
  status: earliest === null ? 'unestimated' : 'ok',
});
const count = (line_id: string, quantity: number, i: CountInterval, rack = 'A-01'): CountAt => ({
  line_id,
  rack,
  quantity,
  at: i,
});
const target = (counts: CountAt[], more: Partial<ExpectedTarget> = {}): ExpectedTarget => ({
  item_code: 'SKU-1',
  warehouse: 'WH1',
  rack: null,
  book: 40,
  snapshot_watermark: '1000',
  counts,
  ...more,
});
const wms = (list: { watermark: string }[]) => list.map((m) => m.watermark);

function refusal(fn: () => unknown): [string, string] | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MovementInputError) return [e.code, e.path];
    throw e;
  }
  return undefined;
}

describe('expected at count: worked examples (design §13)', () => {
  it('1. a pick between the snapshot and the count: snapshot −5, at count 0, the pick shown', () => {
    const r = expectedAtCount(
      target([count('L1', 35, iv('09:00:00.000', '09:00:02.000'))]),
      LEDGER,
    );
    expect(r).toMatchObject({
      status: 'exact',
      provisional: false,
      book_milli: 40_000,
      counted_milli: 35_000,
      snapshot_variance_milli: -5_000,
      expected_milli: 35_000,
      expected_low_milli: 35_000,
      expected_high_milli: 35_000,
      variance_at_count_milli: 0,
      ambiguous: [],
      open_clocks: [],
    });
    expect(r.applied).toEqual([
      {
        watermark: '1001',
        doc_type: 'SHIPMENT',
        doc_no: 'D-1001',
        posted_at: at('08:30:00.000'),
        rack: null,
        quantity_milli: -5_000,
      },
    ]);
    expect(wms(r.after_count)).toEqual(['1002', '1003']);
  });

  it('2. later in the day: −5 and +12 before the count, −4 after; found 45 → −2 at count, +5 on the snapshot', () => {
    const r = expectedAtCount(
      target([count('L1', 45, iv('09:20:00.000', '09:20:02.000'))]),
      LEDGER,
    );
    expect(r).toMatchObject({
      status: 'exact',
      expected_milli: 47_000,
      snapshot_variance_milli: 5_000,
      variance_at_count_milli: -2_000,
    });
    expect(wms(r.applied)).toEqual(['1001', '1002']);
    expect(wms(r.after_count)).toEqual(['1003']);
  });

  it('3. the receipt inside the count’s uncertainty: flagged, with the range it spans', () => {
    const r = expectedAtCount(
      target([count('L1', 45, iv('09:09:59.500', '09:10:01.500'))]),
      LEDGER,
    );
    expect(r).toMatchObject({
      status: 'ambiguous',
      expected_milli: null,
      variance_at_count_milli: null,
      expected_low_milli: 35_000,
      expected_high_milli: 47_000,
      variance_at_count_low_milli: -2_000,
      variance_at_count_high_milli: 10_000,
    });
    expect(r.ambiguous).toMatchObject([
      { watermark: '1002', reason: 'within_uncertainty', line_ids: ['L1'] },
    ]);
  });

  it('4. within a second of the interval (ERP clocks and whole seconds) is inside it', () => {
    const interval = iv('09:10:00.900', '09:10:03.000');
    expect(expectedAtCount(target([count('L1', 45, interval)]), LEDGER).status).toBe('ambiguous');
    const r = expectedAtCount(target([count('L1', 45, interval)]), LEDGER, { slackMs: 0 });
    expect(r).toMatchObject({ status: 'exact', expected_milli: 47_000 });
  });

  it('5. an item in two racks, counted an hour apart, with a movement of no rack between', () => {
    const counts = [
      count('L1', 20, iv('09:00:00.000', '09:00:02.000'), 'A-01'),
      count('L2', 25, iv('10:00:00.000', '10:00:02.000'), 'B-02'),
    ];
    const ledger = [mv(1001, -5, '08:30:00.000'), mv(1002, -2, '09:30:00.000')];
    const r = expectedAtCount(target(counts), ledger);
    expect(r).toMatchObject({
      status: 'ambiguous',
      counted_milli: 45_000,
      expected_low_milli: 33_000,
      expected_high_milli: 35_000,
    });
    expect(r.ambiguous).toMatchObject([
      { watermark: '1002', reason: 'between_counts', line_ids: ['L1', 'L2'] },
    ]);
    // Where the ERP names the rack, the pick is compared with that rack's count only.
    const placed = expectedAtCount(target(counts), [
      mv(1001, -5, '08:30:00.000', 'A-01'),
      mv(1002, -2, '09:30:00.000', 'A-01'),
    ]);
    expect(placed).toMatchObject({ status: 'exact', expected_milli: 35_000 });
    expect(wms(placed.after_count)).toEqual(['1002']);
    // A rack with no count of the item: compared with all the item's counts.
    const elsewhere = expectedAtCount(target(counts), [mv(1002, -2, '09:30:00.000', 'C-09')]);
    expect(elsewhere.ambiguous).toMatchObject([{ reason: 'between_counts' }]);
  });

  it('6. a per-rack book: other racks do not count, a movement with no rack cannot be placed', () => {
    const counts = [count('L1', 18, iv('09:00:00.000', '09:00:02.000'))];
    const ledger = [
      mv(1001, -2, '08:30:00.000', 'A-01'),
      mv(1002, -5, '08:40:00.000', 'B-02'),
      mv(1003, -1, '08:50:00.000', null),
      mv(1004, -1, '09:50:00.000', null),
    ];
    const r = expectedAtCount(target(counts, { rack: 'A-01', book: 20 }), ledger);
    expect(r).toMatchObject({ status: 'ambiguous', expected_low_milli: 17_000 });
    expect(r.expected_high_milli).toBe(18_000);
    expect(wms(r.applied)).toEqual(['1001']);
    expect(r.ambiguous).toMatchObject([{ watermark: '1003', reason: 'unplaced' }]);
    expect(wms(r.after_count)).toEqual(['1004']); // after every count: it cannot matter
  });

  it('7. a phone with no clock samples: any movement before its arrival makes the line ambiguous', () => {
    const r = expectedAtCount(target([count('L1', 35, iv(null, '09:00:02.000'))]), LEDGER);
    expect(r).toMatchObject({
      status: 'ambiguous',
      open_clocks: [{ line_id: 'L1', status: 'unestimated' }],
    });
    const quiet = expectedAtCount(target([count('L1', 40, iv(null, '09:00:02.000'))]), []);
    expect(quiet).toMatchObject({ status: 'exact', variance_at_count_milli: 0 });
  });

  it('8. counts later than the movements known so far are provisional', () => {
    const c = [count('L1', 35, iv('09:00:00.000', '09:00:02.000'))];
    expect(
      expectedAtCount(target(c), LEDGER, { completeUntil: at('09:00:02.500') }).provisional,
    ).toBe(true);
    expect(
      expectedAtCount(target(c), LEDGER, { completeUntil: at('09:00:03.000') }).provisional,
    ).toBe(false);
  });

  it('9. keep the counted quantity or keep the difference (today’s book 43 after the −4)', () => {
    const r = expectedAtCount(
      target([count('L1', 45, iv('09:20:00.000', '09:20:02.000'))]),
      LEDGER,
    );
    const live = 43_000; // 40 − 5 + 12 − 4
    expect(movedLineAdjustment('keep_counted', r, live)).toEqual({
      choice: 'keep_counted',
      target_milli: 45_000,
      delta_milli: 2_000,
    });
    expect(movedLineAdjustment('keep_difference', r, live)).toEqual({
      choice: 'keep_difference',
      target_milli: 41_000,
      delta_milli: -2_000,
    });
  });

  it('10. a movement posted while the snapshot read the stock may be in its book or not: flagged', () => {
    // The ledger read 1000 before the stock pass and 1001 after it: 1001 may be in the book.
    const c = [count('L1', 45, iv('09:20:00.000', '09:20:02.000'))];
    const r = expectedAtCount(target(c, { snapshot_watermark_high: '1001' }), LEDGER);
    expect(r).toMatchObject({
      status: 'ambiguous',
      expected_low_milli: 47_000,
      expected_high_milli: 52_000,
    });
    expect(r.ambiguous).toMatchObject([
      { watermark: '1001', reason: 'in_snapshot_window', line_ids: ['L1'] },
    ]);
    expect(wms(r.applied)).toEqual(['1002']);
    // Both read the same watermark: nothing moved during the pass.
    expect(expectedAtCount(target(c, { snapshot_watermark_high: '1000' }), LEDGER).status).toBe(
      'exact',
    );
  });

  it('watermarks compare by value, repeated movements count once, order does not matter', () => {
    const c = [count('L1', 45, iv('09:20:00.000', '09:20:02.000'))];
    const shuffled = [LEDGER[3]!, LEDGER[1]!, LEDGER[2]!, LEDGER[1]!, LEDGER[0]!];
    expect(expectedAtCount(target(c), shuffled)).toEqual(expectedAtCount(target(c), LEDGER));
    // A rowversion watermark after 0x3e8 (1000) is after the snapshot.
    const hex = expectedAtCount(target(c, { snapshot_watermark: '0x3e8' }), [
      { ...mv(0, -5, '08:30:00.000'), watermark: '0x00000000000003E9' },
      { ...mv(0, -3, '07:50:00.000'), watermark: '0x3e8' },
    ]);
    expect(hex).toMatchObject({ expected_milli: 35_000 });
    expect(wms(hex.applied)).toEqual(['0x00000000000003e9']);
    const prepared = prepareMovements(LEDGER);
    expect(prepared.count).toBe(5);
    expect(expectedAtCount(target(c), prepared)).toEqual(expectedAtCount(target(c), LEDGER));
  });

  it('a target as a store reads it and one that needs trimming give the same answer', () => {
    const c = [count('L1', 45, iv('09:20:00.000', '09:20:02.000'))];
    const plain = expectedAtCount(target(c), LEDGER);
    const spaced = expectedAtCount(
      target(
        [
          {
            ...c[0]!,
            line_id: ' L1 ',
            rack: 'A-01 ',
            at: { ...c[0]!.at, latest: '2026-12-07T10:20:02+01:00' },
          },
        ],
        { item_code: ' SKU-1', warehouse: 'WH1 ', snapshot_watermark: '0x3e8' },
      ),
      LEDGER,
    );
    expect(spaced).toEqual(plain);
  });

  it('a movement of another warehouse is not this one’s', () => {
    const c = [count('L1', 40, iv('09:20:00.000', '09:20:02.000'))];
    const r = expectedAtCount(target(c), [{ ...mv(1001, -5, '08:30:00.000'), warehouse: 'WH2' }]);
    expect(r).toMatchObject({ expected_milli: 40_000, applied: [] });
  });

  it('thousandths add up exactly (0.1 + 0.2 is 0.3)', () => {
    const c = [count('L1', 0.3, iv('09:20:00.000', '09:20:02.000'))];
    const r = expectedAtCount(target(c, { book: 0.1 }), [mv(1001, 0.2, '08:30:00.000')]);
    expect(r).toMatchObject({ expected_milli: 300, variance_at_count_milli: 0 });
  });
});

describe('expected at count: bad input is refused with a code and the field', () => {
  const ok = [count('L1', 35, iv('09:00:00.000', '09:00:02.000'))];
  it.each<[string, () => unknown, [string, string]]>([
    [
      'no counts',
      () => expectedAtCount(target([]), LEDGER),
      ['MOVEMENTS_NO_COUNTS', 'target.counts'],
    ],
    [
      'a negative count',
      () => expectedAtCount(target([{ ...ok[0]!, quantity: -1 }]), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.counts.0.quantity'],
    ],
    [
      'a count interval that is not an instant',
      () => expectedAtCount(target([{ ...ok[0]!, at: { ...ok[0]!.at, latest: 'soon' } }]), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.counts.0.at.latest'],
    ],
    [
      'an interval that ends before it begins',
      () => expectedAtCount(target([count('L1', 1, iv('09:00:02.000', '09:00:00.000'))]), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.counts.0.at.earliest'],
    ],
    [
      'one line given twice',
      () => expectedAtCount(target([ok[0]!, { ...ok[0]!, rack: 'B-02' }]), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.counts.1.line_id'],
    ],
    [
      'a snapshot window that ends before it begins',
      () => expectedAtCount(target(ok, { snapshot_watermark_high: '999' }), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.snapshot_watermark_high'],
    ],
    [
      'a count of another rack against a per-rack book',
      () => expectedAtCount(target(ok, { rack: 'B-02' }), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.counts.0.rack'],
    ],
    [
      'a book with more than 3 decimals',
      () => expectedAtCount(target(ok, { book: 1.0001 }), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.book'],
    ],
    [
      'a snapshot watermark that is not one',
      () => expectedAtCount(target(ok, { snapshot_watermark: 'abc' }), LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'target.snapshot_watermark'],
    ],
    [
      'a movement without a posting time',
      () =>
        expectedAtCount(target(ok), [LEDGER[0]!, { ...LEDGER[1]!, posted_at: undefined as never }]),
      ['MOVEMENTS_BAD_INPUT', 'movements.1.posted_at'],
    ],
    [
      'one watermark with two contents',
      () => expectedAtCount(target(ok), [LEDGER[1]!, { ...LEDGER[1]!, quantity: -6 }]),
      ['MOVEMENTS_WATERMARK_REUSED', 'movements.1.watermark'],
    ],
    [
      'movements that are not a list',
      () => prepareMovements('x' as unknown as unknown[]),
      ['MOVEMENTS_BAD_INPUT', 'movements'],
    ],
    [
      'a negative slack',
      () => expectedAtCount(target(ok), LEDGER, { slackMs: -1 }),
      ['MOVEMENTS_BAD_OPTION', 'options.slackMs'],
    ],
    [
      'completeUntil that is not an instant',
      () => expectedAtCount(target(ok), LEDGER, { completeUntil: 'now' }),
      ['MOVEMENTS_BAD_INPUT', 'options.completeUntil'],
    ],
    [
      'keep the difference of an ambiguous line',
      () =>
        movedLineAdjustment(
          'keep_difference',
          { counted_milli: 1_000, variance_at_count_milli: null },
          0,
        ),
      ['MOVEMENTS_AMBIGUOUS', 'line.variance_at_count_milli'],
    ],
    [
      'an unknown choice',
      () =>
        movedLineAdjustment(
          'keep_both' as never,
          { counted_milli: 0, variance_at_count_milli: 0 },
          0,
        ),
      ['MOVEMENTS_BAD_INPUT', 'choice'],
    ],
    [
      'a live book that is not whole thousandths',
      () =>
        movedLineAdjustment('keep_counted', { counted_milli: 0, variance_at_count_milli: 0 }, 0.5),
      ['MOVEMENTS_BAD_INPUT', 'liveBookMilli'],
    ],
  ])('%s', (_name, fn, expected) => {
    expect(refusal(fn)).toEqual(expected);
  });
});
