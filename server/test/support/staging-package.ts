/**
 * A reconciled package with a row on every basis (issue #17, docs/design.md §13), built by
 * `buildAdjustmentPackage` from the worked example (ITM-B: book 100 at watermark 1000, counted
 * 93 after a pick of 5, then a receipt of 12 and a pick of 4: snapshot −7, at count −2, live book
 * 103), for the staging writer's boundary and contract tests.
 */
import type { CountSession } from '@stockverify/shared';
import type { ItemVariance } from '../../src/ports/counting';
import {
  buildAdjustmentPackage,
  type AtCountRow,
  type MovedRow,
} from '../../src/modules/adjustments/adjustment-package';

/** A reconciled session of the worked example (watermark 1000, one rack). */
export const reconciledSession: CountSession = {
  id: 's1',
  warehouse: 'WH-T',
  name: 'Cycle count',
  mode: 'standard',
  scope: { floors: [], racks: [] },
  status: 'RECONCILED',
  racks: ['A-01'],
  snapshot_items: 5,
  created_by: 'u',
  created_at: '2026-12-06T08:00:00.000Z',
  closed_at: '2026-12-06T09:00:00.000Z',
  reconciled_at: '2026-12-06T09:01:00.000Z',
  updated_at: '2026-12-06T09:01:00.000Z',
  erp_watermark: '1000',
};

/** An item's variance row: one line in A-01, unit cost 0.5, price 1.25. */
export const variance = (item_code: string, book: number, counted: number): ItemVariance => ({
  item_code,
  name: item_code,
  category: null,
  book_qty: book,
  counted_qty: counted,
  damaged_qty: 0,
  non_returnable_damaged_qty: 0,
  variance: counted - book,
  value_at_cost: (counted - book) * 0.5,
  value_at_price: (counted - book) * 1.25,
  lines: 1,
  racks: ['A-01'],
});

/** The worked example's item at count: exact, −2, live book 103 (watermark 1003). */
export const workedExample: AtCountRow = {
  status: 'exact',
  variance_at_count_milli: -2000,
  figures: {
    live_book_milli: 103_000,
    live_book_watermark: '1003',
    target_milli: 101_000,
    delta_milli: -2000,
  },
};

/**
 * ITM-A never moved (snapshot); ITM-B the worked example with no decision (at_count); ITM-K and
 * ITM-D the worked example kept counted and kept the difference; ITM-U moved, at count unknown.
 */
export function workedPackage() {
  const codes = ['ITM-A', 'ITM-B', 'ITM-K', 'ITM-D', 'ITM-U'];
  const decided = (mode: MovedRow['mode'], target: number): MovedRow => ({
    mode,
    live_book_milli: 103_000,
    live_book_watermark: '1003',
    target_milli: target,
    delta_milli: target - 103_000,
  });
  return buildAdjustmentPackage({
    session: reconciledSession,
    reconciledBy: 'sup',
    variances: [variance('ITM-A', 10, 8), ...codes.slice(1).map((code) => variance(code, 100, 93))],
    lines: [],
    usernames: new Map(),
    unitCosts: new Map(codes.map((c) => [c, 0.5])),
    unitPrices: new Map(codes.map((c) => [c, 1.25])),
    generatedAt: '2026-12-06T10:00:00.000Z',
    notMoved: 'not_moved',
    atCount: new Map([
      ['ITM-B', workedExample],
      ['ITM-K', workedExample],
      ['ITM-D', workedExample],
      ['ITM-U', { status: 'unknown', variance_at_count_milli: null, figures: null }],
    ]),
    moved: new Map([
      ['ITM-K', decided('keep_counted', 93_000)],
      ['ITM-D', decided('keep_difference', 101_000)],
    ]),
  });
}

/** The columns issue #17 added to the staging table, in the writer's order. */
export const NEW_COLUMNS = [
  'basis',
  'snapshot_variance',
  'variance_at_count',
  'at_count_status',
  'moved_mode',
  'live_book_qty',
  'target_qty',
];
