import { describe, expect, it } from 'vitest';
import { atCountCell, hintsText } from './at-count-words';

const item = (extra: Partial<Parameters<typeof atCountCell>[0]> = {}) => ({
  at_count_status: 'exact' as const,
  variance_at_count: 0,
  variance_at_count_low: 0,
  variance_at_count_high: 0,
  at_count_provisional: false,
  ...extra,
});

describe('the variances list’s at-count cell', () => {
  it('an exact figure, signed like the snapshot variance', () => {
    expect(atCountCell(item())).toMatchObject({ figure: '0', tone: '', chip: 'exact' });
    const short = atCountCell(item({ variance_at_count: -2.5 }));
    expect(short).toMatchObject({ figure: '-2.5', tone: 'neg', chipClass: 'badge ok' });
    expect(atCountCell(item({ variance_at_count: 3 }))).toMatchObject({
      figure: '+3',
      tone: 'pos',
    });
  });

  it('a flagged item shows the range its movements allow, never a figure', () => {
    const c = atCountCell(
      item({
        at_count_status: 'ambiguous',
        variance_at_count: null,
        variance_at_count_low: -2,
        variance_at_count_high: 10,
      }),
    );
    expect(c).toMatchObject({ figure: '-2 … +10', tone: '', chip: 'ambiguous' });
    expect(c.title).toContain('Flagged, not guessed');
  });

  it('pending and unknown: no figure; provisional said', () => {
    const none = {
      variance_at_count: null,
      variance_at_count_low: null,
      variance_at_count_high: null,
    };
    expect(atCountCell(item({ at_count_status: 'pending', ...none }))).toMatchObject({
      figure: '—',
      chip: 'pending',
    });
    expect(atCountCell(item({ at_count_status: 'unknown', ...none })).chip).toBe('unknown');
    const p = atCountCell(item({ at_count_provisional: true }));
    expect(p.provisional).toBe(true);
    expect(p.title).toContain('may still arrive');
  });

  it('hint kinds in words', () => {
    expect(hintsText(['movement_near_count', 'pack_multiple'])).toEqual({
      short: 'movement, pack',
      long: 'Movement near the count, Pack multiple',
    });
    expect(hintsText([])).toEqual({ short: '', long: '' });
  });
});
