/**
 * count_lines' indexes (issue #13): every line write keeps each of them, so each must serve a
 * query, and no query the store runs on count_lines may fall back to reading the whole table.
 * The test records every statement the SQLite store prepares while the line, read-model, variance,
 * session and bin reads run (not the reports: a report over every session reads every line by
 * design), and asks SQLite for each one's query plan: a plan that scans count_lines fails it, and
 * so does a query in NEEDS not using its index — which is what dropping an index a query needs
 * does (SQLite then reads a session's every line). Migration 14 dropped count_lines_received_at: its one reader is
 * `monitoring.linesSince`, which nothing but the read-model contract's oracle calls any more (the
 * KPIs read the model's days, rm_days).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listSessionsQuerySchema } from '@stockverify/shared';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

/** Statements allowed to read all of count_lines, and why. */
const WHOLE_TABLE: Array<{ sql: RegExp; why: string }> = [
  {
    sql: /WHERE received_at >= \?/,
    why: 'monitoring.linesSince: only the read-model contract oracle calls it (KPIs read rm_days)',
  },
  {
    sql: /GROUP BY session_id, counted_by\s+ORDER BY session_id, counted_by/,
    why: 'lines.stats: only the read-model contract oracle calls it (analytics read rm_counters)',
  },
  {
    sql: /SELECT id FROM sessions UNION SELECT DISTINCT session_id FROM count_lines/,
    why: 'rebuildAll: the rebuild tool goes over every line by design',
  },
  {
    sql: /WHERE session_id NOT IN \(SELECT session_id FROM rm_sessions\)/,
    why: 'migration 12 finds sessions without a model once',
  },
  {
    sql: /photo_ids LIKE \?/,
    why: "a photo's session, read when a photo is opened: photos are few and not on the sync path",
  },
];

/**
 * Queries on count_lines with the index each must use: without it SQLite still finds a plan, but
 * one that reads every line of the session (a full scan at 250,000 lines).
 */
const NEEDS: Array<{ sql: RegExp; index: string; why: string }> = [
  {
    sql: /ORDER BY received_at DESC, id DESC LIMIT/,
    index: 'count_lines_received',
    why: 'the lines page, newest first',
  },
  {
    sql: /WHERE counted_by = \? AND session_id = \? AND superseded_by IS NULL/,
    // Migration 26: the partial index of the lines that count, covering (counter-span-plan.test).
    index: 'count_lines_counter_span',
    why: "a counter's first and last count after a correction (read model)",
  },
  {
    sql: /l\.counted_by = @staff AND l\.session_id = sessions\.id/,
    index: 'count_lines_user',
    why: 'sessions a staff user counted in',
  },
  {
    sql: /status IN \('REJECTED', 'CANDIDATE'\) AND superseded_by IS NULL/,
    index: 'count_lines_status',
    why: "the lines page's total: the listed lines that do not count",
  },
  {
    sql: /SELECT DISTINCT item_code FROM count_lines INDEXED BY count_lines_rack/,
    index: 'count_lines_rack',
    why: "one rack's variances",
  },
];

const recorder = recordPreparedStatements('sv-line-indexes-');
const prepared = recorder.prepared;

/** A store on a file, and a second connection to the same file to ask for query plans. */
async function open(name: string) {
  const { store, file } = await recorder.open(name);
  return { store, side: new Database(file, { readonly: true }) };
}

/** Names count_lines goes by in a statement: itself and its aliases. */
function linesNames(sql: string): string[] {
  const names = new Set(['count_lines']);
  for (const m of sql.matchAll(
    /count_lines\s+(?:AS\s+)?(?!WHERE|INDEXED|JOIN|ON|ORDER|GROUP)(\w+)/gi,
  ))
    names.add(m[1]!);
  return [...names];
}

describe('count_lines indexes (SQLite)', () => {
  it('are the ones the queries use, after migration 14', async () => {
    const { store, side } = await open('indexes.db');
    const names = side
      .prepare<[], string>(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'count_lines'
         ORDER BY name`,
      )
      .pluck()
      .all();
    expect(names).toEqual([
      'count_lines_bin',
      'count_lines_counter_span',
      'count_lines_rack',
      'count_lines_received',
      'count_lines_status',
      'count_lines_user',
      'sqlite_autoindex_count_lines_1',
      'sqlite_autoindex_count_lines_2',
    ]);
    side.close();
    await store.close();
  });

  it('serve every query the store runs on count_lines: none reads the whole table', async () => {
    const { store, side } = await open('plans.db');
    await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'ITM-1')]);
    await store.lines.insertMany([
      makeLine('op-1', { variance: -3, counted_qty: 7, status: 'NEEDS_REVIEW' }),
      makeLine('op-2', { id: 'line-op-2', supersedes: 'op-1', counted_qty: 8, variance: -2 }),
    ]);
    // Every repository reading count_lines, each shape of the statements built per request.
    await store.lines.list('S1', { page: 1, page_size: 10 });
    await store.lines.list('S1', { page: 1, page_size: 10, status: 'NEEDS_REVIEW', rack: 'A-01' });
    await store.lines.get('line-op-1');
    await store.lines.getManyByOpId(['op-1', 'op-2', 'op-none']);
    await store.lines.review('line-op-2', {
      status: 'REJECTED',
      reviewed_by: 'u-sup',
      reviewed_at: '2025-03-01T09:00:00.000Z',
      review_note: null,
    });
    await store.lines.variances('S1');
    await store.lines.bins('S1');
    await store.lines.stats({ session_ids: ['S1'] });
    await store.lines.countByUserAndItem('S1', 'u-alice', 'ITM-1');
    await store.lines.sightings('SN-1');
    await store.readModel.session('S1');
    await store.readModel.counters(['S1']);
    await store.readModel.writers(['S1']);
    await store.readModel.rebuild('S1');
    await store.monitoring.linesSince('2025-03-01T00:00:00.000Z');
    for (const sort of ['-abs_variance', '-abs_value', 'item_code'] as const) {
      for (const filters of [{}, { needs_review: true }, { rack: 'A-01' }, { category: 'X' }]) {
        await store.variances.page('S1', { sort, page: 1, page_size: 5, ...filters });
        await store.variances.page('S1', {
          sort,
          page: 1,
          page_size: 5,
          after: { key: 0, item_code: 'ITM-0' },
          ...filters,
        });
      }
    }
    await store.sessions.list(listSessionsQuerySchema.parse({ staff: 'u-alice' }));
    await store.bins.all('S1');
    await store.bins.lines('S1', { rack: 'A-01', item_code: 'ITM-1' });

    const plans: Array<{ sql: string; scans: string[] }> = [];
    const all = [...prepared];
    const planOf = (sql: string) => queryPlan(side, sql);
    const missing: string[] = [];
    for (const need of NEEDS) {
      const statements = all.filter((sql) => need.sql.test(sql));
      if (statements.length === 0) missing.push(`no statement matches ${need.sql} (${need.why})`);
      for (const sql of statements) {
        const uses = planOf(sql).some((d) =>
          new RegExp(`USING (COVERING )?INDEX ${need.index}\\b`).test(d),
        );
        if (!uses)
          missing.push(`${need.why} does not use ${need.index}: ${planOf(sql).join('; ')}`);
      }
    }
    expect(missing).toEqual([]);
    for (const sql of all) {
      if (!/count_lines/i.test(sql) || /^\s*(CREATE|ALTER|DROP|INSERT|PRAGMA)/i.test(sql)) continue;
      if (WHOLE_TABLE.some((w) => w.sql.test(sql))) continue;
      const names = linesNames(sql);
      const scans = planOf(sql).filter((d) =>
        names.some((n) => new RegExp(`^SCAN ${n}\\b`).test(d)),
      );
      plans.push({ sql: sql.replace(/\s+/g, ' ').slice(0, 160), scans });
    }
    expect(plans.length).toBeGreaterThan(20);
    expect(plans.filter((p) => p.scans.length > 0)).toEqual([]);
    side.close();
    await store.close();
  });

  it("find one item's book per rack through the snapshot's key, not by reading the session's every item", async () => {
    const { store, side } = await open('snapshot-bins.db');
    await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'ITM-1')]);
    await store.sessions.snapshotRacks('S1', ['ITM-1']);
    const statements = [...prepared].filter((sql) =>
      /FROM snapshot_bins[\s\S]*json_each/.test(sql),
    );
    expect(statements).toHaveLength(1);
    const plan = queryPlan(side, statements[0]!);
    // Was `SEARCH snapshot_bins USING PRIMARY KEY (session_id=?)`: every item of the session, for
    // each line a sync batch built (a third of the API's time in bench:session).
    expect(
      plan.some((d) => /SEARCH snapshot_bins .*\(session_id=\? AND item_code=\?\)/.test(d)),
    ).toBe(true);
    side.close();
    await store.close();
  });
});
