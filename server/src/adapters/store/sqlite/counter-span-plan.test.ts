/**
 * A counter's first and last count (the read model's rm_counters span, design §10) after a line of
 * theirs stops counting — a correction superseding it, a review rejecting it — are read from the
 * partial index of the lines that count (`count_lines_counter_span`, migration 26), covering, not
 * by visiting every line the counter ever wrote in the session: in `bench:session`, where phones
 * correct their standing lines, that walk was a quarter of the API's CPU (each correction batch
 * read all of the counter's lines, superseded ones included, from the table).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

const { prepared, open } = recordPreparedStatements('sv-counter-span-plan-');

describe('a counter’s span of counts (SQLite)', () => {
  it('is read from the covering partial index of the lines that count', async () => {
    const { store, file } = await open('plan.db');
    // The read model prepares its statements on first use.
    await store.readModel.session('no-such-session');
    const sql = [...prepared].find((s) => /MIN\(counted_at\)/.test(s));
    expect(sql).toBeDefined();
    const side = new Database(file, { readonly: true });
    const plan = queryPlan(side, sql!).join('\n');
    expect(plan, sql).toMatch(/USING COVERING INDEX count_lines_counter_span/);
    side.close();
    await store.close();
  });
});
