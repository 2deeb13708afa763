/** MonitoringRepo on MongoDB: cross-session figures for /admin/kpis and /metrics. */
import { roundMoney, roundQty } from '@stockverify/shared';
import type { MonitoringRepo } from '../../../ports/evidence';
import type { Collections } from './collections';

interface LineSums {
  lines: number;
  counters: string[];
  abs_variance: number;
  abs_book: number;
  variance_value_at_cost: number;
}

/** Builds the monitoring repository over the claims, count_lines and conflicts collections. */
export function createMongoMonitoringRepo(
  c: Pick<Collections, 'claims' | 'lines' | 'conflicts'>,
): MonitoringRepo {
  return {
    async countOpenClaims(sessionIds) {
      return c.claims.countDocuments({
        status: { $in: ['active', 'paused'] },
        ...(sessionIds ? { session_id: { $in: [...sessionIds] } } : {}),
      });
    },
    async linesSince(iso) {
      const [sums] = await c.lines
        .aggregate<LineSums>([
          // Same "still counts" rule as the line repository's variances.
          {
            $match: {
              received_at: { $gte: iso },
              superseded_by: null,
              status: { $nin: ['REJECTED', 'CANDIDATE'] },
            },
          },
          {
            $group: {
              _id: null,
              lines: { $sum: 1 },
              counters: { $addToSet: '$counted_by' },
              abs_variance: { $sum: { $abs: '$variance' } },
              abs_book: { $sum: { $abs: '$book_qty' } },
              variance_value_at_cost: { $sum: '$value_at_cost' },
            },
          },
        ])
        .toArray();
      return {
        lines: sums?.lines ?? 0,
        counters: sums?.counters.length ?? 0,
        abs_variance: roundQty(sums?.abs_variance ?? 0),
        abs_book: roundQty(sums?.abs_book ?? 0),
        variance_value_at_cost: roundMoney(sums?.variance_value_at_cost ?? 0),
      };
    },
    async openConflicts(sessionIds) {
      return c.conflicts.countDocuments({
        status: 'OPEN',
        ...(sessionIds ? { session_id: { $in: [...sessionIds] } } : {}),
      });
    },
  };
}
