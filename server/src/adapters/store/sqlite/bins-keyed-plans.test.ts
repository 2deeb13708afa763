/**
 * The bin repository reads a whole settle call's bins in one statement per table (and asks
 * `needsSettling` for a whole list in one), joining a JSON list of keys (issue #16: settle once
 * per sync batch, cheaper). SQLite must run each as one index search per key — the list the outer
 * loop — never as a read of the session's every line, row, decision or task probed against the
 * list, which is the plan it picks for a plain JOIN.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

const { prepared, open } = recordPreparedStatements('sv-bins-plans-');

describe('keyed bin reads (SQLite)', () => {
  it('search each key through an index on the whole key, the key list outermost', async () => {
    const { store, file } = await open('plans.db');
    // Preparing the repository's statements is enough: a plan does not depend on the data.
    await store.bins.needsSettling('S1', [{ key: { rack: 'A-01', item_code: 'I' }, counter: 'u' }]);
    const side = new Database(file, { readonly: true });
    const keyed = [...prepared].filter((sql) => /json_each\(@(keys|list)\)/.test(sql));
    expect(keyed.length).toBeGreaterThanOrEqual(5);
    for (const sql of keyed) {
      const plan = queryPlan(side, sql);
      const why = `${sql}\n→ ${plan.join('\n→ ')}`;
      expect(plan[0], why).toMatch(/^SCAN k VIRTUAL TABLE/);
      const searches = plan.filter((d) => d.startsWith('SEARCH'));
      expect(searches.length, why).toBeGreaterThan(0);
      for (const search of searches) {
        expect(search, why).toMatch(/\(session_id=\? AND \w+=\? AND \w+=\?/);
      }
      expect(
        plan.some((d) => /^SCAN (?!k )/.test(d)),
        why,
      ).toBe(false);
    }
    side.close();
    await store.close();
  });

  it('read of a bin’s lines only what settlement weighs, not every column of each', async () => {
    const { store } = await open('columns.db');
    await store.bins.needsSettling('S1', [{ key: { rack: 'A-01', item_code: 'I' }, counter: 'u' }]);
    const sql = [...prepared].find((s) => /json_each\(@keys\) k\s+CROSS JOIN count_lines/.test(s));
    expect(sql).toBeDefined();
    const selected = sql!.slice(0, sql!.indexOf(' FROM '));
    // A settle call read 40 columns of each line of each bin and parsed four JSON texts per line
    // (serials, photos, review reasons, tolerance): a sixth of settlement's cost in bench:session.
    for (const column of ['serials', 'photo_ids', 'review_reasons', 'tolerance', 'remark']) {
      expect(selected, sql).not.toMatch(new RegExp(`\\b${column}\\b`));
    }
    for (const column of ['op_id', 'counted_by', 'phase', 'counted_qty', 'received_at', 'status']) {
      expect(selected, sql).toMatch(new RegExp(`\\bl\\.${column}\\b`));
    }
    await store.close();
  });
});
