import { describe, expect, it } from 'vitest';
import type { CountInterval } from './clock';
import {
  defaultAdjacency,
  earlierSessionsHint,
  mirrorHints,
  movementNearCount,
  packMultipleHints,
  rackPosition,
  rootCauseHints,
  serialHints,
  uomFactorHints,
  type SerialSeenElsewhere,
} from './hints';
import { MovementInputError } from './input';
import type { ErpMovement } from './movement';

// docs/design.md §13, "Worked examples — root-cause hints".
const at = (hms: string, day = '2026-12-07') => `${day}T${hms}Z`;
const mv = (watermark: number, quantity: number, hms: string, rack: string | null = null) =>
  ({
    item_code: 'SKU-1',
    warehouse: 'WH1',
    rack,
    quantity,
    posted_at: at(hms),
    doc_type: quantity < 0 ? 'SHIPMENT' : 'RECEIPT',
    doc_no: `D-${watermark}`,
    watermark: String(watermark),
  }) satisfies ErpMovement;
const COUNT: CountInterval = {
  earliest: at('09:20:00.000'),
  latest: at('09:20:02.000'),
  status: 'ok',
};
const LINE = { item_code: 'SKU-1', warehouse: 'WH1', at: COUNT };
const LEDGER = [
  mv(1002, 12, '09:10:00.000', 'A-01'),
  mv(1003, -4, '09:40:00.000', 'A-01'),
  mv(1005, -1, '09:20:01.000', 'B-02'),
  { ...mv(1006, -2, '09:20:01.000'), warehouse: 'WH2' },
];
const sighting = (
  serial: string,
  session_id: string,
  rack: string,
  day: string,
  item_code = 'CAM-1',
): SerialSeenElsewhere => ({
  serial,
  item_code,
  session_id,
  rack,
  seen_at: at('10:00:00.000', day),
});

function refusal(fn: () => unknown): [string, string] | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MovementInputError) return [e.code, e.path];
    throw e;
  }
  return undefined;
}

describe('root-cause hints: worked examples (design §13)', () => {
  it('1. movements within 15 minutes of the count, nearest first, any rack of the item', () => {
    const h = movementNearCount(LINE, LEDGER);
    expect(h?.evidence.window_ms).toBe(900_000);
    expect(h?.evidence.movements.map((m) => [m.watermark, m.rack, m.distance_ms])).toEqual([
      ['1005', 'B-02', 0],
      ['1002', 'A-01', 600_000],
    ]);
    expect(movementNearCount(LINE, LEDGER, 60_000)?.evidence.movements).toHaveLength(1);
    expect(movementNearCount({ ...LINE, item_code: 'SKU-9' }, LEDGER)).toBeNull();
    // An open start (a phone without clock samples) is measured from the end.
    const open = movementNearCount({ ...LINE, at: { ...COUNT, earliest: null } }, LEDGER, 1_000);
    expect(open?.evidence.movements.map((m) => [m.watermark, m.distance_ms])).toEqual([
      ['1005', 1_000],
    ]);
  });

  it('2. pack of 12: whole packs, a pack entered as a unit, units scanned as packs', () => {
    expect(packMultipleHints({ variance: -24, counted: 100 }, [12])).toEqual([
      {
        kind: 'pack_multiple',
        evidence: {
          reading: 'whole_packs',
          pack_size_milli: 12_000,
          packs: -2,
          variance_milli: -24_000,
        },
      },
    ]);
    expect(packMultipleHints({ variance: -22, counted: 2 }, [12])).toMatchObject([
      { evidence: { reading: 'pack_counted_as_unit', packs: 2 } },
    ]);
    expect(packMultipleHints({ variance: 33, counted: 36 }, [12])).toMatchObject([
      { evidence: { reading: 'unit_counted_as_pack', packs: 3 } },
    ]);
    // Not plausible: 2 packs entered as units means at least 2 were entered.
    expect(packMultipleHints({ variance: -22, counted: 1 }, [12])).toEqual([]);
    // A pack of 2: only whole packs (p − 1 = 1 divides everything); sizes ≤ 1 are no packs.
    expect(packMultipleHints({ variance: -4, counted: 6 }, [2, 1, 0.5])).toMatchObject([
      { evidence: { reading: 'whole_packs', pack_size_milli: 2_000, packs: -2 } },
    ]);
    expect(packMultipleHints({ variance: 0, counted: 6 }, [2])).toEqual([]);
  });

  it('3. +6 in A-02 and −6 in A-03: a mirror next door; B-02 (across the aisle) and A-01 (−5) are none', () => {
    const bins = [
      { item_code: 'SKU-1', rack: 'A-03', variance: -6 },
      { item_code: 'SKU-1', rack: 'B-02', variance: -6 },
      { item_code: 'SKU-1', rack: 'A-01', variance: -5 },
      { item_code: 'SKU-2', rack: 'A-01', variance: -6 },
    ];
    const here = { item_code: 'SKU-1', rack: 'A-02', variance: 6 };
    expect(mirrorHints(here, bins)).toEqual([
      {
        kind: 'mirror_adjacent_rack',
        evidence: {
          rack: 'A-02',
          variance_milli: 6_000,
          neighbour_rack: 'A-03',
          neighbour_variance_milli: -6_000,
        },
      },
    ]);
    // The caller's layout: racks facing each other across the aisle are neighbours too.
    const facing = (a: string, b: string) =>
      defaultAdjacency(a, b) || rackPosition(a)?.number === rackPosition(b)?.number;
    expect(mirrorHints(here, bins, facing).map((h) => h.evidence.neighbour_rack)).toEqual([
      'A-03',
      'B-02',
    ]);
    expect(rackPosition('a-07')).toEqual({ aisle: 'A-', number: 7 });
    expect(rackPosition('DOCK')).toBeNull();
    expect(defaultAdjacency('B12-3', 'b12-4')).toBe(true);
    expect(defaultAdjacency('A-01', 'A-01')).toBe(false);
    expect(defaultAdjacency('A-01', null as never)).toBe(false);
    expect(rackPosition(7 as never)).toBeNull();
  });

  it('4. serials: counted here and seen elsewhere; seen here before, elsewhere since', () => {
    const sightings = [
      sighting('SN-1', 'S2', 'B-01', '2026-11-01'),
      sighting('SN-3', 'S2', 'A-02', '2026-11-01'),
      sighting('SN-3', 'S3', 'C-05', '2026-12-07'),
      sighting('SN-2', 'S3', 'A-02', '2026-12-07'),
      sighting('SN-4', 'S2', 'A-02', '2026-11-01'), // not seen since: no lead where it went
      sighting('SN-5', 'S2', 'B-01', '2026-11-01', 'OTHER'),
    ];
    const line = { item_code: 'CAM-1', session_id: 'S3', rack: 'A-02', serials: [' sn-1', 'SN-2'] };
    expect(serialHints(line, sightings)).toEqual([
      {
        kind: 'serial_elsewhere',
        evidence: {
          serial: 'SN-1',
          reading: 'counted_here_seen_elsewhere',
          sightings: [sightings[0]],
        },
      },
      {
        kind: 'serial_elsewhere',
        evidence: {
          serial: 'SN-3',
          reading: 'missing_here_seen_elsewhere',
          sightings: [sightings[1], sightings[2]],
        },
      },
    ]);
  });

  it('5. the item was short before: latest first, and how many went the same way', () => {
    const h = earlierSessionsHint(-3, [
      { session_id: 'S1', closed_at: at('18:00:00.000', '2026-09-30'), variance: -2 },
      { session_id: 'S2', closed_at: at('18:00:00.000', '2026-10-31'), variance: 0 },
      { session_id: 'S3', closed_at: at('18:00:00.000', '2026-11-30'), variance: 1 },
    ]);
    expect(h).toEqual({
      kind: 'earlier_sessions',
      evidence: {
        sessions: [
          { session_id: 'S3', closed_at: at('18:00:00.000', '2026-11-30'), variance_milli: 1_000 },
          { session_id: 'S1', closed_at: at('18:00:00.000', '2026-09-30'), variance_milli: -2_000 },
        ],
        same_direction: 1,
      },
    });
    expect(earlierSessionsHint(-3, [])).toBeNull();
  });

  it('6. counted in another unit: dozens, the reverse, grams for kilograms', () => {
    expect(uomFactorHints({ book: 10, counted: 120 }, [12, 1 / 12, 1000])).toEqual([
      {
        kind: 'uom_factor',
        evidence: {
          factor: 12,
          book_milli: 10_000,
          counted_milli: 120_000,
          variance_milli: 110_000,
        },
      },
    ]);
    expect(uomFactorHints({ book: 100, counted: 8.333 }, [12, 1 / 12])).toMatchObject([
      { evidence: { factor: 1 / 12, variance_milli: -91_667 } },
    ]);
    expect(uomFactorHints({ book: 2.5, counted: 2500 }, [1000])).toHaveLength(1);
    expect(uomFactorHints({ book: 100, counted: 8.332 }, [1 / 12])).toEqual([]);
    expect(uomFactorHints({ book: 0, counted: 12 }, [12])).toEqual([]);
  });

  it('7. all hints of a line, in the order of HINT_KINDS', () => {
    const hints = rootCauseHints({
      line: {
        item_code: 'SKU-1',
        warehouse: 'WH1',
        session_id: 'S3',
        rack: 'A-02',
        book: 2,
        counted: 24,
        at: COUNT,
      },
      movements: LEDGER,
      packSizes: [12],
      bins: [{ item_code: 'SKU-1', rack: 'A-03', variance: -22 }],
      serialSightings: [],
      earlierSessions: [
        { session_id: 'S1', closed_at: at('18:00:00.000', '2026-09-30'), variance: 11 },
      ],
      uomFactors: [12],
    });
    expect(hints.map((h) => h.kind)).toEqual([
      'movement_near_count',
      'pack_multiple',
      'mirror_adjacent_rack',
      'earlier_sessions',
      'uom_factor',
    ]);
    expect(hints[1]).toMatchObject({ evidence: { reading: 'unit_counted_as_pack', packs: 2 } });
    expect(
      rootCauseHints({ line: { ...LINE, session_id: 'S3', rack: 'A-02', book: 1, counted: 1 } }),
    ).toEqual([]);
  });
});

describe('root-cause hints: bad input is refused with a code and the field', () => {
  it.each<[string, () => unknown, [string, string]]>([
    [
      'a count interval without its end',
      () => movementNearCount({ ...LINE, at: { ...COUNT, latest: '' } }, LEDGER),
      ['MOVEMENTS_BAD_INPUT', 'line.at.latest'],
    ],
    [
      'a negative window',
      () => movementNearCount(LINE, LEDGER, -1),
      ['MOVEMENTS_BAD_OPTION', 'windowMs'],
    ],
    [
      'a bad movement',
      () => movementNearCount(LINE, [{ ...LEDGER[0]!, quantity: 'x' }]),
      ['MOVEMENTS_BAD_INPUT', 'movements.0.quantity'],
    ],
    [
      'a pack size that is not a number',
      () => packMultipleHints({ variance: -24, counted: 1 }, [12, Number.NaN]),
      ['MOVEMENTS_BAD_INPUT', 'packSizes.1'],
    ],
    [
      'a negative counted quantity',
      () => packMultipleHints({ variance: -24, counted: -1 }, [12]),
      ['MOVEMENTS_BAD_INPUT', 'line.counted'],
    ],
    [
      'a neighbour without a rack',
      () =>
        mirrorHints({ item_code: 'SKU-1', rack: 'A-02', variance: 6 }, [
          { item_code: 'SKU-1', rack: ' ', variance: -6 },
        ]),
      ['MOVEMENTS_BAD_INPUT', 'others.0.rack'],
    ],
    [
      'an adjacency that is not a function',
      () => mirrorHints({ item_code: 'SKU-1', rack: 'A-02', variance: 6 }, [], 'next' as never),
      ['MOVEMENTS_BAD_OPTION', 'adjacent'],
    ],
    [
      'a sighting without a time',
      () =>
        serialHints({ item_code: 'CAM-1', session_id: 'S3', rack: 'A-02', serials: [] }, [
          { ...sighting('SN-1', 'S2', 'B-01', '2026-11-01'), seen_at: 'yesterday' },
        ]),
      ['MOVEMENTS_BAD_INPUT', 'sightings.0.seen_at'],
    ],
    [
      'an empty serial',
      () =>
        serialHints({ item_code: 'CAM-1', session_id: 'S3', rack: 'A-02', serials: ['  '] }, []),
      ['MOVEMENTS_BAD_INPUT', 'line.serials.0'],
    ],
    [
      'an earlier variance that is not a number',
      () =>
        earlierSessionsHint(1, [
          { session_id: 'S1', closed_at: at('18:00:00.000'), variance: Infinity },
        ]),
      ['MOVEMENTS_BAD_INPUT', 'history.0.variance'],
    ],
    [
      'a factor of 1',
      () => uomFactorHints({ book: 1, counted: 2 }, [2, 1]),
      ['MOVEMENTS_BAD_INPUT', 'factors.1'],
    ],
    [
      'a line of rootCauseHints without a book',
      () =>
        rootCauseHints({
          line: { ...LINE, session_id: 'S3', rack: 'A-02', book: undefined as never, counted: 1 },
        }),
      ['MOVEMENTS_BAD_INPUT', 'line.book'],
    ],
  ])('%s', (_name, fn, expected) => {
    expect(refusal(fn)).toEqual(expected);
  });
});
