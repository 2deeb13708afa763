/**
 * The worked example of docs/design.md §13 "Decisions for moved items", as the expected route
 * answers it: ITM-B, book 100 at watermark 1000, a pick of 5 (1001) before the count of 93, a
 * receipt of 12 (1002) and a pick of 4 (1003) after it — snapshot −7, at count −2, today's book
 * 103. For tests of what the server and the console make of such an answer.
 */
import type { ItemExpectedAnswer } from '../expected';

type Expected = NonNullable<ItemExpectedAnswer['expected']>;
type Movement = Expected['applied'][number];

/** A movement of ITM-B as the answer lists it (a pick when negative). */
export const workedMovement = (
  watermark: string,
  quantity_milli: number,
  posted_at = '2026-12-06T09:00:00.000Z',
): Movement => ({
  watermark,
  doc_type: quantity_milli < 0 ? 'SHIPMENT' : 'RECEIPT',
  doc_no: `D-${watermark}`,
  posted_at,
  rack: null,
  quantity_milli,
});

/** The answer for ITM-B; `extra` replaces fields of its `expected` (a flagged item, …). */
export function workedExampleAnswer(extra: Partial<Expected> = {}): ItemExpectedAnswer {
  return {
    session_id: 's',
    item_code: 'ITM-B',
    warehouse: 'WH-T',
    erp_watermark: '1000',
    known: true,
    unknown_reason: null,
    book_milli: 100_000,
    counted_milli: 93_000,
    snapshot_variance_milli: -7000,
    expected: {
      item_code: 'ITM-B',
      warehouse: 'WH-T',
      rack: null,
      status: 'exact',
      provisional: false,
      book_milli: 100_000,
      counted_milli: 93_000,
      snapshot_variance_milli: -7000,
      expected_milli: 95_000,
      expected_low_milli: 95_000,
      expected_high_milli: 95_000,
      variance_at_count_milli: -2000,
      variance_at_count_low_milli: -2000,
      variance_at_count_high_milli: -2000,
      applied: [workedMovement('1001', -5000, '2026-12-06T08:30:00.000Z')],
      after_count: [
        workedMovement('1002', 12_000, '2026-12-06T09:10:00.000Z'),
        workedMovement('1003', -4000, '2026-12-06T09:40:00.000Z'),
      ],
      ambiguous: [],
      open_clocks: [],
      ...extra,
    },
    lines: [],
    hints: [],
    truncated: false,
  };
}
