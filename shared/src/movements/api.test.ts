import { describe, expect, it } from 'vitest';
import { expectedAtCountSchema, movedLineAdjustmentSchema, rootCauseHintSchema } from './api';
import type { CountInterval } from './clock';
import { expectedAtCount, movedLineAdjustment } from './expected';
import { rootCauseHints } from './hints';
import type { ErpMovement } from './movement';

// What the functions answer parses with the answer schemas a route will use (design §13).
const at = (hms: string) => `2026-12-07T${hms}Z`;
const mv = (watermark: number, quantity: number, hms: string, rack: string | null = null) =>
  ({
    item_code: 'SKU-1',
    warehouse: 'WH1',
    rack,
    quantity,
    posted_at: at(hms),
    doc_type: 'SHIPMENT',
    doc_no: `D-${watermark}`,
    watermark: String(watermark),
  }) satisfies ErpMovement;
const LEDGER = [mv(1001, -5, '08:30:00.000'), mv(1002, 12.5, '09:10:00.000', 'A-01')];
const ok = (earliest: string, latest: string): CountInterval => ({
  earliest: at(earliest),
  latest: at(latest),
  status: 'ok',
});
const target = (earliest: string, latest: string) => ({
  item_code: 'SKU-1',
  warehouse: 'WH1',
  rack: null,
  book: 40,
  snapshot_watermark: '1000',
  counts: [
    { line_id: 'L1', rack: 'A-01', quantity: 47.5, at: ok(earliest, latest) },
    {
      line_id: 'L2',
      rack: 'B-02',
      quantity: 0,
      at: { earliest: null, latest: at(latest), status: 'unestimated' as const },
    },
  ],
});

describe('movements answer schemas (design §13)', () => {
  it('expected at count, exact and ambiguous, and the adjustments parse', () => {
    const exact = expectedAtCount(target('09:20:00.000', '09:20:02.000'), [LEDGER[1]!]);
    const ambiguous = expectedAtCount(target('09:09:59.000', '09:10:01.000'), LEDGER);
    expect(ambiguous.status).toBe('ambiguous');
    for (const r of [exact, ambiguous]) {
      expect(expectedAtCountSchema.parse(r)).toEqual(r);
    }
    const adjustment = movedLineAdjustment('keep_difference', exact, 43_000);
    expect(movedLineAdjustmentSchema.parse(adjustment)).toEqual(adjustment);
  });

  it('every kind of hint parses', () => {
    const hints = rootCauseHints({
      line: {
        item_code: 'SKU-1',
        warehouse: 'WH1',
        session_id: 'S3',
        rack: 'A-02',
        book: 2,
        counted: 24,
        at: ok('09:10:00.000', '09:10:02.000'),
        serials: ['SN-1'],
      },
      movements: LEDGER,
      packSizes: [12],
      bins: [{ item_code: 'SKU-1', rack: 'A-03', variance: -22 }],
      serialSightings: [
        {
          serial: 'SN-1',
          item_code: 'SKU-1',
          session_id: 'S2',
          rack: 'B-01',
          seen_at: at('10:00:00.000'),
        },
      ],
      earlierSessions: [{ session_id: 'S1', closed_at: at('18:00:00.000'), variance: 11 }],
      uomFactors: [12],
    });
    expect(new Set(hints.map((h) => h.kind)).size).toBe(6);
    for (const h of hints) expect(rootCauseHintSchema.parse(h)).toEqual(h);
  });
});
