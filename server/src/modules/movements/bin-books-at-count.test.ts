/**
 * A bin's book at count (docs/design.md §13 "Bins judged at count"): which movements belong to a
 * bin, and when the bin has no book at count (flagged, or the snapshot's).
 */
import { prepareMovements, type ErpMovement, type ExpectedLine } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { binBooksAtCount } from './bin-books-at-count';

const line = (id: string, rack: string, qty: number): ExpectedLine => ({
  line_id: id,
  rack,
  device_id: 'phone-1',
  counted_at: '2026-12-06T10:00:00.000Z',
  received_at: '2026-12-06T10:00:01.000Z',
  quantity_milli: qty * 1000,
  earliest: '2026-12-06T10:00:00.000Z',
  latest: '2026-12-06T10:00:01.000Z',
  clock_status: 'ok',
});

const pick = (watermark: string, rack: string | null, qty: number, at = '09:00'): ErpMovement => ({
  item_code: 'ITM-X',
  warehouse: 'WH-1',
  rack,
  quantity: qty,
  posted_at: `2026-12-06T${at}:00.000Z`,
  doc_type: 'SHIPMENT',
  doc_no: `SO-${watermark}`,
  watermark,
});

function books(
  racks: { rack: string; qty: number }[] | null,
  movements: ErpMovement[],
  lines = [line('l1', 'A-01', 55), line('l2', 'A-02', 40)],
) {
  return Object.fromEntries(
    binBooksAtCount({
      item_code: 'ITM-X',
      warehouse: 'WH-1',
      book: 100,
      racks,
      snapshot_watermark: '1000',
      snapshot_watermark_high: null,
      lines,
      movements: prepareMovements(movements),
    }),
  );
}

const TWO_RACKS = [
  { rack: 'A-01', qty: 60 },
  { rack: 'A-02', qty: 40 },
];

describe('binBooksAtCount', () => {
  it('an item in two racks: a movement the ERP posted to one rack moves only that bin', () => {
    expect(books(TWO_RACKS, [pick('1001', 'A-01', -5)])).toEqual({ 'A-01': 55000, 'A-02': null });
  });

  it('an item in two racks: a movement without a rack before the counts is placed in neither', () => {
    expect(books(TWO_RACKS, [pick('1001', null, -5)])).toEqual({ 'A-01': null, 'A-02': null });
  });

  it('after the counts, or in the book already: no book at count', () => {
    expect(books(TWO_RACKS, [pick('1001', 'A-01', -5, '11:00'), pick('999', 'A-01', -3)])).toEqual({
      'A-01': null,
      'A-02': null,
    });
  });

  it('an item the snapshot lists in this rack only: every movement of the item is the bin’s', () => {
    expect(
      books([{ rack: 'A-01', qty: 60 }], [pick('1001', null, -5)], [line('l1', 'A-01', 55)]),
    ).toEqual({ 'A-01': 55000 });
  });

  it('no racks in the snapshot: each bin is judged on the item’s whole book at its counts', () => {
    expect(books(null, [pick('1001', null, 12)])).toEqual({ 'A-01': 112000, 'A-02': 112000 });
  });

  it('a movement inside a count’s uncertainty window: flagged, no book at count', () => {
    expect(
      books(
        [{ rack: 'A-01', qty: 60 }],
        [pick('1001', null, -5, '10:00')],
        [line('l1', 'A-01', 55)],
      ),
    ).toEqual({
      'A-01': null,
    });
  });
});
