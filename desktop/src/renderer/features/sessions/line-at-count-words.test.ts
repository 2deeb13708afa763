import { describe, expect, it } from 'vitest';
import type { LineItemAtCount } from '@stockverify/shared';
import { LINE_AT_COUNT_FILTER_LABELS, lineAtCountView } from './line-at-count-words';

const at = (extra: Partial<LineItemAtCount> = {}): LineItemAtCount => ({
  status: 'exact',
  variance_at_count: 0,
  variance_at_count_low: 0,
  variance_at_count_high: 0,
  provisional: false,
  within: true,
  action: 'accept',
  ...extra,
});

describe('the lines panel’s at-count cell', () => {
  it('the worked example: snapshot −5, at count 0 within the rule → explained', () => {
    expect(lineAtCountView(at())).toMatchObject({
      figure: '0',
      chip: 'exact',
      verdict: 'explained',
      verdictWord: 'explained',
      verdictClass: 'badge ok',
    });
    expect(lineAtCountView(at())!.title).toContain('movements explain');
  });

  it('beyond the rule at count: not explained, with its figure', () => {
    const v = lineAtCountView(at({ variance_at_count: 2, within: false, action: 'approve' }))!;
    expect([v.figure, v.tone, v.verdict, v.verdictWord]).toEqual([
      '+2',
      'pos',
      'unexplained',
      'not explained',
    ]);
  });

  it('pending, flagged or unknown: unresolved, no verdict word; the range of a flagged item', () => {
    const pending = lineAtCountView(
      at({ status: 'pending', variance_at_count: null, within: null, action: null }),
    )!;
    expect([pending.figure, pending.chip, pending.verdict, pending.verdictWord]).toEqual([
      '—',
      'pending',
      'unresolved',
      '',
    ]);
    // Within at both ends, still the supervisor's to look at: never "explained" unseen.
    const flagged = lineAtCountView(
      at({
        status: 'ambiguous',
        variance_at_count: null,
        variance_at_count_low: -4,
        variance_at_count_high: 0,
        within: true,
        action: 'review',
      }),
    )!;
    expect([flagged.figure, flagged.verdict]).toEqual(['-4 … 0', 'unresolved']);
    expect(lineAtCountView(at({ provisional: true }))!.provisional).toBe(true);
  });

  it('no figures from the server (no ERP watermark, or an older server): nothing to show', () => {
    expect(lineAtCountView(null)).toBeNull();
    expect(lineAtCountView(undefined)).toBeNull();
  });

  it('a label for every filter, in the server’s order', () => {
    expect(Object.keys(LINE_AT_COUNT_FILTER_LABELS)).toEqual([
      'explained',
      'unexplained',
      'unresolved',
    ]);
  });
});
