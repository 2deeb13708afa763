import { describe, expect, it } from 'vitest';
import { atCountTotalsText } from './at-count-totals';

const rows = (exact: number, ambiguous: number, unknown: number, pending: number) => ({
  exact,
  ambiguous,
  unknown,
  pending,
});

describe('the words beside a variance total at count', () => {
  it('the worked example: the exact items summed, the ambiguous one named as left out', () => {
    const text = atCountTotalsText({
      variance_at_count: -4,
      value_at_count_cost: -5,
      rows: rows(2, 1, 0, 0),
    });
    expect(text.figures).toEqual([
      ['Variance at count (exact items)', '-4'],
      ['Value at count (cost, exact items)', '-5.00'],
      ['Items not resolved at count', '1 of 3'],
    ]);
    expect(text.note).toBe(
      'The variance at count sums the 2 exact items only; left out: 1 item ambiguous (a movement ' +
        'could not be ordered against the count).',
    );
  });

  it('a session without an ERP watermark: the snapshot variance is the only one', () => {
    const text = atCountTotalsText({
      variance_at_count: 0,
      value_at_count_cost: 0,
      rows: rows(0, 0, 3, 0),
    });
    expect(text.figures[2]).toEqual(['Items not resolved at count', '3 of 3']);
    expect(text.note).toMatch(/without an ERP watermark no movements were read/);
  });

  it('every item exact: no note; pending and unknown items are named', () => {
    expect(
      atCountTotalsText({ variance_at_count: 2, value_at_count_cost: 1, rows: rows(4, 0, 0, 0) })
        .note,
    ).toBeNull();
    expect(
      atCountTotalsText({ variance_at_count: 2, value_at_count_cost: 1, rows: rows(1, 0, 1, 2) })
        .note,
    ).toBe(
      'The variance at count sums the 1 exact item only; left out: 1 item unknown (no ERP ' +
        'watermark, or too much to compute); 2 items still being computed.',
    );
    expect(
      atCountTotalsText({ variance_at_count: 0, value_at_count_cost: 0, rows: rows(0, 0, 0, 0) })
        .note,
    ).toBeNull();
  });
});
