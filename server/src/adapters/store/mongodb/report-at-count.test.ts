/**
 * The MongoDB variance report's at-count filters (issue #17, docs/design.md §13 "Reports") without
 * a server: what `filters.at_count_status` and `filters.hint` keep, as SQLite's HAVING does.
 */
import { describe, expect, it } from 'vitest';
import { atCountMatches, offAtCount } from './report-items';

const at = (at_status: string, hint_kinds: string) => ({
  at_status,
  vac_m: null,
  vac_low_m: null,
  vac_high_m: null,
  hint_kinds,
});

describe('MongoDB variance report at-count filters', () => {
  it('keep every item when none is asked, the matching ones when asked', () => {
    expect(atCountMatches({}, undefined)).toBe(true);
    expect(atCountMatches({ at_count_status: 'exact' }, at('exact', ''))).toBe(true);
    expect(atCountMatches({ at_count_status: 'exact' }, at('pending', ''))).toBe(false);
    expect(atCountMatches({ at_count_status: 'exact' }, undefined)).toBe(false);
    const kinds = ',pack_multiple,uom_factor,';
    expect(atCountMatches({ hint: 'uom_factor' }, at('exact', kinds))).toBe(true);
    expect(atCountMatches({ hint: 'mirror_adjacent_rack' }, at('exact', kinds))).toBe(false);
    expect(
      atCountMatches({ hint: 'uom_factor', at_count_status: 'ambiguous' }, at('exact', kinds)),
    ).toBe(false);
  });
});

describe('MongoDB variance report: an item off only at count is a row (as SQLite offAtCount)', () => {
  it('exact and not zero, or ambiguous with a range not only zero', () => {
    const of = (at_status: string, vac_m: number | null, low: number | null, high: number | null) =>
      offAtCount({ at_status, vac_m, vac_low_m: low, vac_high_m: high, hint_kinds: '' });
    expect(of('exact', 5000, 5000, 5000)).toBe(true);
    expect(of('exact', 0, 0, 0)).toBe(false);
    expect(of('ambiguous', null, -1000, 0)).toBe(true);
    expect(of('ambiguous', null, 0, 0)).toBe(false);
    expect(of('pending', null, null, null)).toBe(false);
    expect(of('unknown', null, null, null)).toBe(false);
    expect(offAtCount(undefined)).toBe(false);
  });
});
