/**
 * A session's figures at count in the read model (issues #13 and #17, docs/design.md §10): the
 * session detail's `metrics.at_count` read from one row per session, rm_at_count_totals, instead
 * of an aggregate over every rm_items row of the session (about 14 ms at 27,000 items, on every
 * detail request).
 *
 * SQLite triggers on rm_items keep the row in the same transaction as any change of an item row,
 * whoever writes it (the line writes' upsert, the at-count drain, markAtCount / markProvisional,
 * an item deleted, the rebuild, migrations), so no writer needs to know about it. The UPDATE
 * trigger fires only on the columns the totals depend on (at_status, vac_m, cost), and its WHEN
 * clause skips the body unless the item's contribution can change: a line write in a session
 * without an ERP watermark (`unknown` before and after) or of an item already pending costs the
 * WHEN test only. When a session's last item row goes (the rebuild clears them all before it
 * writes them again), its row goes too: the rebuild tool recomputes the totals as well.
 *
 * Exact sums: vac_m is in thousandths (integer) and the value in integer cents, each item's value
 * rounded first by the same `sv_round_money((vac_m / 1000.0) * cost)` as the variance report's
 * rows (registered on every connection by openDatabase, database.ts), so millions of += and −= do
 * not drift as a float sum would.
 */
import type { Db } from './database';

/** An item's part of each total, for the trigger row `r` (`new` or `old`). */
const contribution = (r: string) => ({
  vac_m: `CASE WHEN ${r}.at_status = 'exact' THEN COALESCE(${r}.vac_m, 0) ELSE 0 END`,
  // sv_round_money answers cents / 100: ROUND(… * 100) is that integer exactly.
  value_c: `CASE WHEN ${r}.at_status = 'exact' AND ${r}.vac_m <> 0
    THEN CAST(ROUND(sv_round_money((${r}.vac_m / 1000.0) * ${r}.cost) * 100) AS INTEGER)
    ELSE 0 END`,
  exact: `(${r}.at_status = 'exact')`,
  ambiguous: `(${r}.at_status = 'ambiguous')`,
  unknown: `(${r}.at_status = 'unknown')`,
  pending: `(${r}.at_status = 'pending')`,
});

const COLUMNS = ['vac_m', 'value_c', 'exact', 'ambiguous', 'unknown', 'pending'] as const;
const of = (r: string) => contribution(r);

/** The table and its triggers (migration 27). */
export const AT_COUNT_TOTALS_SCHEMA = `
  CREATE TABLE rm_at_count_totals (
    session_id TEXT PRIMARY KEY,
    -- Σ vac_m of the exact items (thousandths).
    vac_m INTEGER NOT NULL,
    -- Σ of the exact items' values at cost, each rounded to the cent first (integer cents).
    value_c INTEGER NOT NULL,
    -- The session's items by at_status.
    exact INTEGER NOT NULL,
    ambiguous INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    pending INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TRIGGER rm_at_count_totals_insert AFTER INSERT ON rm_items BEGIN
    INSERT INTO rm_at_count_totals (session_id, ${COLUMNS.join(', ')})
      VALUES (new.session_id, ${COLUMNS.map((c) => of('new')[c]).join(', ')})
      ON CONFLICT (session_id) DO UPDATE SET
        ${COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};
  END;
  CREATE TRIGGER rm_at_count_totals_delete AFTER DELETE ON rm_items BEGIN
    UPDATE rm_at_count_totals SET
      ${COLUMNS.map((c) => `${c} = ${c} - ${of('old')[c]}`).join(', ')}
      WHERE session_id = old.session_id;
    -- The session's last item gone (a rebuild clears them all first): no row, so a rebuild starts
    -- the totals from zero again.
    DELETE FROM rm_at_count_totals WHERE session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM rm_items WHERE session_id = old.session_id);
  END;
  -- An item row's key never changes (rm_items' primary key is never updated).
  CREATE TRIGGER rm_at_count_totals_update AFTER UPDATE OF at_status, vac_m, cost ON rm_items
  WHEN old.at_status IS NOT new.at_status
    OR (new.at_status = 'exact' AND (old.vac_m IS NOT new.vac_m OR old.cost IS NOT new.cost))
  BEGIN
    UPDATE rm_at_count_totals SET
      ${COLUMNS.map((c) => `${c} = ${c} - ${of('old')[c]} + ${of('new')[c]}`).join(', ')}
      WHERE session_id = new.session_id;
  END;
`;

/** The totals of every session from its item rows, from scratch (the migration's build). */
const TOTALS_FROM_ITEMS = `
  INSERT INTO rm_at_count_totals (session_id, ${COLUMNS.join(', ')})
  SELECT r.session_id, ${COLUMNS.map((c) => `SUM(${of('r')[c]})`).join(', ')}
  FROM rm_items r GROUP BY r.session_id`;

/** Fills the totals of the sessions already in the model. */
function buildTotals(db: Db): void {
  db.exec(TOTALS_FROM_ITEMS);
}

/**
 * Migration 27: the table, its triggers and the totals of existing sessions. Append it to
 * migrations.ts under the next version.
 */
export const AT_COUNT_TOTALS_MIGRATION = {
  name: "read model: a session's figures at count, kept by triggers on its items (issue #13)",
  up: AT_COUNT_TOTALS_SCHEMA,
  build: buildTotals,
};
