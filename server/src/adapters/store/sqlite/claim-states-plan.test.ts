/**
 * The rack map and the session's rack progress read a session's claims through `listStates`
 * (issue #13): eight fields, newest first, from the covering index `claims_session_states`
 * (migration 28) in its own order, not every column of every claim from the table and a sort. At
 * 1,000 racks reading the whole claims was most of session detail's time (4–6 ms of 7).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

const { prepared, open } = recordPreparedStatements('sv-claim-states-plan-');

describe('a session’s claim states (SQLite)', () => {
  it('are read from the covering index in their order, with no sort', async () => {
    const { store, file } = await open('plan.db');
    await store.claims.listStates('no-such-session');
    const sql = [...prepared].find((s) => /FROM claims INDEXED BY claims_session_states/.test(s));
    expect(sql).toBeDefined();
    const side = new Database(file, { readonly: true });
    const plan = queryPlan(side, sql!).join('\n');
    expect(plan, sql).toMatch(/USING COVERING INDEX claims_session_states/);
    expect(plan, sql).not.toMatch(/TEMP B-TREE/);
    side.close();
    await store.close();
  });
});
