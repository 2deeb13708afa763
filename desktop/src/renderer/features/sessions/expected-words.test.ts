import type { ItemExpectedAnswer } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { expectedWords } from './expected-words';

const pick = {
  watermark: '1001',
  doc_type: 'SHIPMENT',
  doc_no: 'SO-1',
  posted_at: '2026-12-06T08:30:00.000Z',
  rack: null,
  quantity_milli: -5000,
};

function answer(expected: ItemExpectedAnswer['expected'], extra: Partial<ItemExpectedAnswer> = {}) {
  return {
    session_id: 's',
    item_code: 'ITM-B',
    warehouse: 'WH-T',
    erp_watermark: '1000',
    known: true,
    unknown_reason: null,
    book_milli: 100_000,
    counted_milli: 95_000,
    snapshot_variance_milli: -5000,
    expected,
    lines: [],
    hints: [],
    truncated: false,
    ...extra,
  } satisfies ItemExpectedAnswer;
}

const base = {
  item_code: 'ITM-B',
  warehouse: 'WH-T',
  rack: null,
  provisional: false,
  book_milli: 100_000,
  counted_milli: 95_000,
  snapshot_variance_milli: -5000,
  after_count: [],
  open_clocks: [],
};

describe('expected at count words', () => {
  it('a pick explains a −5: at count 0, the pick as evidence', () => {
    const w = expectedWords(
      answer({
        ...base,
        status: 'exact',
        expected_milli: 95_000,
        expected_low_milli: 95_000,
        expected_high_milli: 95_000,
        variance_at_count_milli: 0,
        variance_at_count_low_milli: 0,
        variance_at_count_high_milli: 0,
        applied: [pick],
        ambiguous: [],
      }),
    );
    expect(w).toMatchObject({ snapshot: '-5', atCount: '0' });
    expect(w.note).toBe('The book moved -5 between the snapshot and the count.');
    expect(w.evidence).toEqual(['SHIPMENT SO-1 -5 at 08:30:00: before the count']);
  });

  it('flagged: a range, never a figure', () => {
    const w = expectedWords(
      answer({
        ...base,
        status: 'ambiguous',
        expected_milli: null,
        expected_low_milli: 95_000,
        expected_high_milli: 100_000,
        variance_at_count_milli: null,
        variance_at_count_low_milli: -5000,
        variance_at_count_high_milli: 0,
        applied: [],
        ambiguous: [{ ...pick, reason: 'within_uncertainty', line_ids: ['l1'] }],
      }),
    );
    expect(w.atCount).toBe('-5 … 0');
    expect(w.note).toMatch(/^Flagged, not guessed: a movement/);
    expect(w.evidence[0]).toContain('within the count’s time uncertainty');
  });

  it('unknown without a watermark', () => {
    const w = expectedWords(answer(null, { known: false, unknown_reason: 'no_watermark' }));
    expect(w.atCount).toBe('—');
    expect(w.note).toMatch(/no ERP ledger watermark/);
  });
});
