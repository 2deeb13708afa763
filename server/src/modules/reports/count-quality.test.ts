/**
 * The worked example of docs/design.md §12 "Count quality": seven bins of one session, counted by
 * Ana, Ben and Cara on two floors of WH1.
 */
import { describe, expect, it } from 'vitest';
import {
  countQualityRows,
  measureBins,
  type QualityBin,
  type QualityGrouping,
} from './count-quality';

const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;

function bin(over: Partial<QualityBin> & Pick<QualityBin, 'rack'>): QualityBin {
  return {
    state: 'settled',
    split: false,
    phase: 0,
    recounts: 0,
    overturned: false,
    counters: [],
    first_counted_by: null,
    first_count_confirmed: false,
    first_received_at: at('09:00'),
    settled_at: null,
    ...over,
  };
}

/** The example's bins, in the order of the doc's table. */
const BINS: QualityBin[] = [
  // 1. Ana 10 within tolerance: settled as it stands.
  bin({
    rack: 'A1',
    counters: ['ana'],
    first_counted_by: 'ana',
    first_count_confirmed: true,
    settled_at: at('09:00'),
  }),
  // 2. Ana 50 outside; Ben's blind recount 50 agrees.
  bin({
    rack: 'A1',
    phase: 1,
    recounts: 1,
    counters: ['ana', 'ben'],
    first_counted_by: 'ana',
    first_count_confirmed: true,
    settled_at: at('09:30'),
  }),
  // 3. Ana 12; Ben 20 disagrees; Cara 20 in phase 2 agrees with Ben: settled 20, overturned.
  bin({
    rack: 'A2',
    phase: 2,
    recounts: 2,
    overturned: true,
    counters: ['ana', 'ben', 'cara'],
    first_counted_by: 'ana',
    settled_at: at('10:00'),
  }),
  // 4. Ben 7 outside; Ana 8 agrees within tolerance: the lower median 7 is Ben's.
  bin({
    rack: 'B1',
    phase: 1,
    recounts: 1,
    counters: ['ana', 'ben'],
    first_counted_by: 'ben',
    first_count_confirmed: true,
    first_received_at: at('10:00'),
    settled_at: at('10:15'),
  }),
  // 5. Ben 100 outside: phase 1 open, waiting for a recount.
  bin({
    rack: 'B1',
    state: 'open',
    phase: 1,
    counters: ['ben'],
    first_counted_by: 'ben',
    first_received_at: at('10:00'),
  }),
  // 6. Ben 3 under an `approve` rule: the supervisor decides 5, no recount.
  bin({
    rack: 'B1',
    state: 'decided',
    overturned: true,
    counters: ['ben'],
    first_counted_by: 'ben',
    first_received_at: at('10:00'),
    settled_at: at('11:00'),
  }),
  // 7. A split bin (Ana and Ben each counted a part): no consensus, left out.
  bin({
    rack: 'A2',
    split: true,
    counters: ['ana', 'ben'],
    first_counted_by: 'ana',
    first_count_confirmed: true,
    settled_at: at('09:00'),
  }),
];

const FLOORS: Record<string, { code: string; name: string }> = {
  A1: { code: 'G', name: 'Ground' },
  A2: { code: 'G', name: 'Ground' },
  B1: { code: 'M', name: 'Mezzanine' },
};
const NAMES: Record<string, string> = { ana: 'Ana', ben: 'Ben', cara: 'Cara' };
const grouping: QualityGrouping = {
  username: (id) => NAMES[id] ?? id,
  zoneOf: (warehouse, rack) => (warehouse === 'WH1' ? (FLOORS[rack] ?? null) : null),
};
const session = { id: 'S1', name: 'March count', warehouse: 'WH1' };

describe('count quality measures (design §12 worked example)', () => {
  it('measures the session', () => {
    expect(measureBins(BINS)).toEqual({
      bins: 6,
      split_bins: 1,
      open_bins: 1,
      closed_bins: 5,
      confirmed_first_counts: 3,
      first_count_accuracy: 60,
      recounted_bins: 4,
      recount_rate: 66.67,
      overturned_bins: 1,
      overturn_rate: 33.33,
      mean_minutes_to_settle: 33,
      recount_counts: 4,
    });
  });

  it('leaves open bins out of accuracy and time, and a decision without recount out of overturns', () => {
    const open = measureBins([BINS[4]!]);
    expect(open).toMatchObject({ bins: 1, open_bins: 1, first_count_accuracy: null });
    expect(open).toMatchObject({ recount_rate: 100, mean_minutes_to_settle: null });
    const decided = measureBins([BINS[5]!]);
    expect(decided).toMatchObject({ first_count_accuracy: 0, overturn_rate: null });
    expect(decided).toMatchObject({ overturned_bins: 0, mean_minutes_to_settle: 60 });
  });

  it('rows per session, zone and counter', () => {
    const rows = countQualityRows([{ session, bins: BINS }], grouping);
    const pick = (r: (typeof rows)[number]) => [
      r.level,
      r.session_id ?? r.zone ?? r.username,
      r.bins,
      r.open_bins,
      r.closed_bins,
      r.first_count_accuracy,
      r.recount_rate,
      r.overturn_rate,
      r.mean_minutes_to_settle,
      r.recount_counts,
      r.split_bins,
    ];
    expect(rows.map(pick)).toEqual([
      ['all', null, 6, 1, 5, 60, 66.67, 33.33, 33, 4, 1],
      ['session', 'S1', 6, 1, 5, 60, 66.67, 33.33, 33, 4, 1],
      ['zone', 'G', 3, 0, 3, 66.67, 66.67, 50, 30, 3, 1],
      ['zone', 'M', 3, 1, 2, 50, 66.67, 0, 37.5, 1, 0],
      ['counter', 'Ana', 3, 0, 3, 66.67, 66.67, 50, 30, 1, 1],
      ['counter', 'Ben', 3, 1, 2, 50, 66.67, 0, 37.5, 2, 0],
      ['counter', 'Cara', 0, 0, 0, null, null, null, null, 1, 0],
    ]);
    expect(rows[2]).toMatchObject({ warehouse: 'WH1', zone_name: 'Ground', session_id: null });
    expect(rows[4]).toMatchObject({ user_id: 'ana', session_id: null, zone: null });
  });

  it('a user filter keeps the bins they counted first, and their recounts of others', () => {
    const rows = countQualityRows([{ session, bins: BINS }], { ...grouping, user: 'ben' });
    expect(rows.map((r) => [r.level, r.username ?? r.zone ?? r.session_id, r.bins])).toEqual([
      ['all', null, 3],
      ['session', 'S1', 3],
      ['zone', 'M', 3],
      ['counter', 'Ben', 3],
    ]);
    expect(rows[3]).toMatchObject({ first_count_accuracy: 50, recount_counts: 2 });
  });

  it('does not depend on the order of the bins', () => {
    const reversed = countQualityRows([{ session, bins: [...BINS].reverse() }], grouping);
    expect(reversed).toEqual(countQualityRows([{ session, bins: BINS }], grouping));
  });

  it('a session without bins has a row with no rates; a rack off the layout has a null zone', () => {
    const rows = countQualityRows(
      [
        { session: { id: 'S0', name: 'Empty', warehouse: 'WH1' }, bins: [] },
        { session: { id: 'S2', name: 'Other', warehouse: 'WH2' }, bins: [BINS[0]!] },
      ],
      grouping,
    );
    expect(rows[1]).toMatchObject({ level: 'session', session_id: 'S0', bins: 0 });
    expect(rows[1]!.first_count_accuracy).toBeNull();
    expect(rows[3]).toMatchObject({ level: 'zone', warehouse: 'WH2', zone: null, bins: 1 });
  });
});
