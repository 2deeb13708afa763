/**
 * What the expected-at-count tests share (issue #17, docs/design.md §13): the server's start time,
 * a phone five minutes slow, and an ERP movement of the seeded ITM-B in WH-T (a pick of 5 posted
 * 08:30 as entry 1001) that each test varies.
 */
import type { ErpMovement } from '@stockverify/shared';

export const SERVER_START = '2026-12-06T08:39:30.000Z';

/** The phone's clock, five minutes behind the server's. */
export const slowPhone = (serverNow: Date): string =>
  new Date(serverNow.getTime() - 5 * 60_000).toISOString();

export function movement(extra: Partial<ErpMovement>): ErpMovement {
  return {
    item_code: 'ITM-B',
    warehouse: 'WH-T',
    rack: null,
    quantity: -5,
    posted_at: '2026-12-06T08:30:00.000Z',
    doc_type: 'SHIPMENT',
    doc_no: 'SO-1',
    watermark: '1001',
    ...extra,
  };
}
