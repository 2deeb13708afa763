import { describe, expect, it } from 'vitest';
import type { CountQualityRow } from '@stockverify/shared';
import { counterQuality, pct, sessionQuality } from './count-quality';

const base: CountQualityRow = {
  level: 'all',
  session_id: null,
  session_name: null,
  warehouse: null,
  zone: null,
  zone_name: null,
  user_id: null,
  username: null,
  bins: 0,
  split_bins: 0,
  open_bins: 0,
  closed_bins: 0,
  confirmed_first_counts: 0,
  first_count_accuracy: null,
  recount_rate: null,
  recounted_bins: 0,
  overturned_bins: 0,
  overturn_rate: null,
  mean_minutes_to_settle: null,
  recount_counts: 0,
};
const row = (o: Partial<CountQualityRow>): CountQualityRow => ({ ...base, ...o });

// The count_quality rows of design §12's worked example, plus a second, empty session.
const ROWS = [
  row({ bins: 6, first_count_accuracy: 60 }),
  row({ level: 'session', session_id: 'S1', session_name: 'March count', bins: 6, open_bins: 1 }),
  row({ level: 'session', session_id: 'S0', session_name: 'Empty' }),
  row({ level: 'zone', zone: 'G', bins: 3 }),
  row({ level: 'counter', user_id: 'a', username: 'ana', bins: 3, first_count_accuracy: 66.67 }),
  row({ level: 'counter', user_id: 'b', username: 'ben', bins: 3, first_count_accuracy: 50 }),
  row({ level: 'counter', user_id: 'c', username: 'cara', bins: 0, recount_counts: 1 }),
];

describe('count-quality charts', () => {
  it('per counter: who counted first, lowest accuracy first', () => {
    expect(counterQuality(ROWS).map((r) => [r.label, r.first_count_accuracy])).toEqual([
      ['ben', 50],
      ['ana', 66.67],
    ]);
  });

  it('per session: those with bins, in the report order', () => {
    expect(sessionQuality(ROWS)).toEqual([
      {
        label: 'March count',
        bins: 6,
        open_bins: 1,
        first_count_accuracy: null,
        recount_rate: null,
        overturn_rate: null,
        mean_minutes_to_settle: null,
      },
    ]);
  });

  it('writes a rate or a dash', () => {
    expect([pct(60), pct(66.67), pct(null)]).toEqual(['60 %', '66.67 %', '—']);
  });
});
