import type { MovedLineChoice } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import {
  movedBulkDone,
  movedDecisionDone,
  movedDecisionOffer,
  movedRefusalWords,
} from './moved-decision-words';
import {
  workedExampleAnswer,
  workedMovement,
} from '../../../../../shared/src/movements/worked-example.test-support';

const mv = workedMovement;
const answer = workedExampleAnswer;

describe('decisions for moved items', () => {
  it('offers both with the worked example’s figures', () => {
    const o = movedDecisionOffer(answer());
    expect(o.offered).toBe(true);
    expect(o.liveBook).toBe('Book today 103 (snapshot 100 +3 moved)');
    expect(o.keepCounted).toEqual({ enabled: true, text: 'target 93, post -10' });
    expect(o.keepDifference).toEqual({ enabled: true, text: 'target 101, post -2' });
  });

  it('a flagged item can keep its count only', () => {
    const o = movedDecisionOffer(
      answer({
        status: 'ambiguous',
        expected_milli: null,
        variance_at_count_milli: null,
        after_count: [],
        ambiguous: [
          {
            ...mv('1002', 12_000, '2026-12-06T08:39:00.000Z'),
            reason: 'within_uncertainty',
            line_ids: ['l1'],
          },
        ],
      }),
    );
    expect(o.offered).toBe(true);
    expect(o.keepCounted.text).toBe('target 93, post -14');
    expect(o.keepDifference.enabled).toBe(false);
  });

  it('a movement in the snapshot’s window: neither, today’s book is uncertain', () => {
    const o = movedDecisionOffer(
      answer({
        status: 'ambiguous',
        expected_milli: null,
        variance_at_count_milli: null,
        ambiguous: [
          {
            ...mv('1001', -5000, '2026-12-06T07:59:59.000Z'),
            reason: 'in_snapshot_window',
            line_ids: ['l1'],
          },
        ],
        applied: [],
      }),
    );
    expect(o.offered).toBe(true);
    expect(o.keepCounted.enabled).toBe(false);
    expect(o.keepDifference.enabled).toBe(false);
    expect(o.keepCounted.text).toContain('uncertain');
  });

  it('nothing after the count, or unknown: no decision offered', () => {
    expect(movedDecisionOffer(answer({ after_count: [] })).offered).toBe(false);
    expect(
      movedDecisionOffer({
        ...answer(),
        known: false,
        unknown_reason: 'no_watermark',
        expected: null,
      }).offered,
    ).toBe(false);
  });

  it('says what the stored decision posts', () => {
    expect(
      movedDecisionDone({
        item_code: 'ITM-B',
        mode: 'keep_difference',
        reason: null,
        decided_by: 'sup',
        decided_at: '2026-12-06T09:41:00.000Z',
        counted_milli: 93_000,
        variance_at_count_milli: -2000,
        live_book_milli: 103_000,
        live_book_watermark: '1003',
        target_milli: 101_000,
        delta_milli: -2000,
      }),
    ).toBe("Kept the difference: target 101, the package posts -2 against today's book 103.");
  });
});

describe('refusals of decisions for moved items, in words', () => {
  const refusal = (code: string, message: string, mode: MovedLineChoice, item = 'ITM-B') => ({
    status: 409,
    code,
    message,
    details: [{ path: 'items.1.item_code', message }],
    extra: { item_code: item, mode },
  });

  it('keep the difference of a flagged item: no difference at count to keep', () => {
    const text = movedRefusalWords(
      refusal(
        'MOVED_DECISION_AMBIGUOUS',
        'ITM-B is ambiguous (a movement cannot be ordered against its count): no difference at count to keep; keep the count, or settle the ambiguity',
        'keep_difference',
      ),
    );
    expect(text).toBe(
      'ITM-B cannot keep the difference: a movement cannot be ordered against its count, so there is no difference at count to keep. Keep the count instead, or settle the ambiguity first.',
    );
  });

  it('a movement in the snapshot’s window: today’s book is uncertain, either mode', () => {
    for (const mode of ['keep_counted', 'keep_difference'] as const) {
      expect(
        movedRefusalWords(
          refusal(
            'MOVED_DECISION_AMBIGUOUS',
            "ITM-B: today's book is uncertain — movement 1001 may already be in the snapshot's book",
            mode,
          ),
        ),
      ).toBe(
        'ITM-B cannot be decided: today’s book is uncertain, a movement may already be in the snapshot’s book.',
      );
    }
  });

  it('not moved, unknown, reconciled', () => {
    expect(
      movedRefusalWords(
        refusal('MOVED_DECISION_NOT_MOVED', 'ITM-B did not move', 'keep_counted', 'ITM-C'),
      ),
    ).toBe(
      'ITM-C did not move after it was counted: there is nothing to decide, its variance at count stands.',
    );
    expect(
      movedRefusalWords(refusal('MOVED_DECISION_UNKNOWN', 'unknown', 'keep_counted', 'ITM-D')),
    ).toBe(
      'ITM-D has no known variance at count (not counted, no ERP watermark with the session, or too many movements): there is nothing to decide against.',
    );
    expect(
      movedRefusalWords({
        status: 409,
        code: 'SESSION_CLOSED',
        message: 'The session is reconciled',
        details: [],
        extra: {},
      }),
    ).toBe('The session is reconciled: its decisions can no longer change.');
  });

  it('in bulk, says nothing was decided; other errors keep the server’s words', () => {
    expect(
      movedRefusalWords(refusal('MOVED_DECISION_NOT_MOVED', 'ITM-B did not move', 'keep_counted'), {
        bulk: true,
      }),
    ).toBe(
      'Nothing was decided (all or none): ITM-B did not move after it was counted: there is nothing to decide, its variance at count stands.',
    );
    expect(
      movedRefusalWords({
        status: 404,
        code: 'NOT_FOUND',
        message: 'Item X is not in this session',
        details: [{ path: 'items.0.item_code', message: 'not in the snapshot' }],
        extra: {},
      }),
    ).toBe('Item X is not in this session (items.0.item_code: not in the snapshot)');
  });

  it('says what a bulk decision posts', () => {
    const d = (item_code: string, delta_milli: number) => ({
      item_code,
      mode: 'keep_counted' as const,
      reason: 'bulk',
      decided_by: 'sup',
      decided_at: '2026-12-06T09:41:00.000Z',
      counted_milli: 1000,
      variance_at_count_milli: null,
      live_book_milli: 1000 - delta_milli,
      live_book_watermark: '9',
      target_milli: 1000,
      delta_milli,
    });
    expect(movedBulkDone([d('A', 2000), d('B', -3500)])).toBe(
      'Kept the count of 2 items: A posts +2, B posts -3.5.',
    );
    expect(movedBulkDone([{ ...d('A', 0), mode: 'keep_difference' }])).toBe(
      'Kept the difference of 1 item: A posts 0.',
    );
  });
});
