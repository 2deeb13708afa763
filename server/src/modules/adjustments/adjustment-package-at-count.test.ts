/**
 * `buildAdjustmentPackage` on the variance at count (docs/design.md §13 "The wiring": the
 * adjustment package): which figure each row posts (`basis`), the snapshot variance beside it, and
 * the totals. ITM-B is the worked example (book 100, counted 93, at count −2, live book 103).
 */
import { describe, expect, it } from 'vitest';
import { reconciledSession, variance, workedExample } from '../../../test/support/staging-package';
import { buildAdjustmentPackage, type AtCountRow, type PackageInput } from './adjustment-package';

const session = { ...reconciledSession, snapshot_items: 2 };
const EXACT_B: AtCountRow = workedExample;

function build(extra: Partial<PackageInput>) {
  return buildAdjustmentPackage({
    session,
    reconciledBy: 'sup',
    variances: [variance('ITM-A', 10, 8), variance('ITM-B', 100, 93)],
    lines: [],
    usernames: new Map(),
    unitCosts: new Map([
      ['ITM-A', 0.5],
      ['ITM-B', 0.5],
    ]),
    unitPrices: new Map([
      ['ITM-A', 1.25],
      ['ITM-B', 1.25],
    ]),
    generatedAt: '2026-12-06T10:00:00.000Z',
    ...extra,
  });
}

describe('buildAdjustmentPackage on the variance at count', () => {
  it('an exact moved item posts its variance at count; a not moved one its snapshot variance', () => {
    const pkg = build({ atCount: new Map([['ITM-B', EXACT_B]]), notMoved: 'not_moved' });
    const [a, b] = pkg.rows;
    expect(b).toMatchObject({
      item_code: 'ITM-B',
      basis: 'at_count',
      variance: -2,
      snapshot_variance: -7,
      variance_at_count: -2,
      at_count_status: 'exact',
      value_at_cost: -1,
      live_book_qty: 103,
      target_qty: 101,
      moved_adjustment: -2,
      moved_mode: null,
    });
    expect(a).toMatchObject({
      basis: 'snapshot',
      variance: -2,
      snapshot_variance: -2,
      variance_at_count: -2,
      at_count_status: 'not_moved',
    });
    expect(pkg.totals.variance).toBe(-4);
  });

  it('a moved item whose expected at count is unknown (too many movements) stays on the snapshot', () => {
    const unknown: AtCountRow = { status: 'unknown', variance_at_count_milli: null, figures: null };
    const pkg = build({ atCount: new Map([['ITM-B', unknown]]), notMoved: 'not_moved' });
    expect(pkg.rows[1]).toMatchObject({
      basis: 'snapshot',
      variance: -7,
      snapshot_variance: -7,
      variance_at_count: null,
      at_count_status: 'unknown',
      live_book_qty: null,
    });
    expect(pkg.totals.variance).toBe(-9);
  });

  it('a decision wins over the at-count default; without the inputs every row is on the snapshot', () => {
    const decided = build({
      atCount: new Map([['ITM-B', EXACT_B]]),
      moved: new Map([
        [
          'ITM-B',
          {
            mode: 'keep_counted',
            live_book_milli: 103_000,
            live_book_watermark: '1003',
            target_milli: 93_000,
            delta_milli: -10_000,
          },
        ],
      ]),
    });
    expect(decided.rows[1]).toMatchObject({ basis: 'keep_counted', variance: -10 });
    const plain = build({});
    expect(plain.rows.map((r) => [r.basis, r.at_count_status, r.variance])).toEqual([
      ['snapshot', 'unknown', -2],
      ['snapshot', 'unknown', -7],
    ]);
  });
});
