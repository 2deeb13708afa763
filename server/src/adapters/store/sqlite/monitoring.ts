/** MonitoringRepo on SQLite: cross-session figures for /admin/kpis and /metrics. */
import { roundMoney, roundQty } from '@stockverify/shared';
import type { LineFigures, MonitoringRepo } from '../../../ports/evidence';
import { lazy, type Db } from './database';

/** Builds the monitoring repository over an open, migrated database. */
export function createSqliteMonitoringRepo(db: Db): MonitoringRepo {
  const statements = lazy(() => ({
    openClaims: db
      .prepare<[], number>(`SELECT COUNT(*) FROM claims WHERE status IN ('active', 'paused')`)
      .pluck(),
    // Same "still counts" rule as the line repository's variances.
    linesSince: db.prepare<[string], LineFigures>(
      `SELECT COUNT(*) AS lines,
              COUNT(DISTINCT counted_by) AS counters,
              COALESCE(SUM(ABS(variance)), 0) AS abs_variance,
              COALESCE(SUM(ABS(book_qty)), 0) AS abs_book,
              COALESCE(SUM(value_at_cost), 0) AS variance_value_at_cost
       FROM count_lines
       WHERE received_at >= ? AND superseded_by IS NULL
         AND status NOT IN ('REJECTED', 'CANDIDATE')`,
    ),
    openConflicts: db
      .prepare<[], number>(`SELECT COUNT(*) FROM conflicts WHERE status = 'OPEN'`)
      .pluck(),
    openClaimsOf: db
      .prepare<[string], number>(
        `SELECT COUNT(*) FROM claims WHERE status IN ('active', 'paused')
         AND session_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck(),
    openConflictsOf: db
      .prepare<[string], number>(
        `SELECT COUNT(*) FROM conflicts WHERE status = 'OPEN'
         AND session_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck(),
  }));

  return {
    async countOpenClaims(sessionIds) {
      if (sessionIds) return statements().openClaimsOf.get(JSON.stringify(sessionIds)) ?? 0;
      return statements().openClaims.get() ?? 0;
    },
    async linesSince(iso) {
      const row = statements().linesSince.get(iso);
      return {
        lines: row?.lines ?? 0,
        counters: row?.counters ?? 0,
        abs_variance: roundQty(row?.abs_variance ?? 0),
        abs_book: roundQty(row?.abs_book ?? 0),
        variance_value_at_cost: roundMoney(row?.variance_value_at_cost ?? 0),
      };
    },
    async openConflicts(sessionIds) {
      if (sessionIds) return statements().openConflictsOf.get(JSON.stringify(sessionIds)) ?? 0;
      return statements().openConflicts.get() ?? 0;
    },
  };
}
