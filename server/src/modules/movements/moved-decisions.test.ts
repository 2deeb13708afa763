/**
 * `movedFigures` (docs/design.md §13 "Decisions for moved items"): what keep counted / keep the
 * difference mean against today's book, and when they are refused. The worked example: book 100,
 * a pick of 5 before the count of 93, a receipt of 12 and a pick of 4 after it.
 */
import { describe, expect, it } from 'vitest';
import { movedFigures } from './moved-decisions.service';
import {
  workedExampleAnswer,
  workedMovement,
} from '../../../../shared/src/movements/worked-example.test-support';

const mv = (watermark: string, quantity_milli: number) => workedMovement(watermark, quantity_milli);
const answer = workedExampleAnswer;

describe('movedFigures', () => {
  it('the worked example: keep counted posts −10, keep the difference −2, against 103', () => {
    expect(movedFigures(answer(), 'keep_counted')).toEqual({
      ok: true,
      figures: {
        counted_milli: 93_000,
        variance_at_count_milli: -2000,
        live_book_milli: 103_000,
        live_book_watermark: '1003',
        target_milli: 93_000,
        delta_milli: -10_000,
      },
    });
    expect(movedFigures(answer(), 'keep_difference')).toMatchObject({
      ok: true,
      figures: { target_milli: 101_000, delta_milli: -2000 },
    });
  });

  it('the live book’s watermark is the greatest by value, not by text', () => {
    const a = answer({ after_count: [mv('999', 1000), mv('1000000', 1000)], applied: [] });
    expect(movedFigures(a, 'keep_counted')).toMatchObject({
      figures: { live_book_watermark: '1000000', live_book_milli: 102_000 },
    });
  });

  it('nothing after the count: not moved; unknown: unknown', () => {
    expect(movedFigures(answer({ after_count: [] }), 'keep_counted')).toMatchObject({
      ok: false,
      code: 'MOVED_DECISION_NOT_MOVED',
    });
    expect(
      movedFigures(
        { ...answer(), known: false, unknown_reason: 'too_many', expected: null },
        'keep_counted',
      ),
    ).toMatchObject({ ok: false, code: 'MOVED_DECISION_UNKNOWN' });
  });

  it('a flagged item keeps its count, not its difference', () => {
    const flagged = answer({
      status: 'ambiguous',
      expected_milli: null,
      variance_at_count_milli: null,
      after_count: [],
      ambiguous: [{ ...mv('1002', 12_000), reason: 'within_uncertainty', line_ids: ['l'] }],
    });
    expect(movedFigures(flagged, 'keep_difference')).toMatchObject({
      ok: false,
      code: 'MOVED_DECISION_AMBIGUOUS',
    });
    expect(movedFigures(flagged, 'keep_counted')).toMatchObject({
      ok: true,
      figures: { live_book_milli: 107_000, delta_milli: -14_000 },
    });
  });

  it('a movement in the snapshot’s window leaves today’s book uncertain: both refused', () => {
    const window = answer({
      status: 'ambiguous',
      expected_milli: null,
      variance_at_count_milli: null,
      ambiguous: [{ ...mv('1001', -5000), reason: 'in_snapshot_window', line_ids: ['l'] }],
      applied: [],
    });
    for (const mode of ['keep_counted', 'keep_difference'] as const) {
      const r = movedFigures(window, mode);
      expect(r).toMatchObject({ ok: false, code: 'MOVED_DECISION_AMBIGUOUS' });
      expect(!r.ok && r.message).toContain('1001');
    }
  });
});
