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

  it('finds the first and last count with one seek each, not a walk of all the lines', async () => {
    // A correction moved the span with MIN/MAX over the counter's lines that count: SQLite walks
    // every entry of the counter for three aggregates at once (0.5 ms a write for a counter with
    // 5,000 such lines, growing with them). ORDER BY … LIMIT 1 on the index's own order is a seek.
    const { store, file } = await open('seek.db');
    await store.readModel.session('no-such-session');
    const side = new Database(file, { readonly: true });
    for (const order of ['ORDER BY counted_at LIMIT 1', 'ORDER BY counted_at DESC LIMIT 1']) {
      const sql = [...prepared].find((s) => s.replace(/\s+/g, ' ').includes(order));
      expect(sql, order).toBeDefined();
      const plan = queryPlan(side, sql!);
      expect(plan, sql).toEqual([
        expect.stringMatching(
          /^SEARCH count_lines USING COVERING INDEX count_lines_counter_span \(session_id=\? AND counted_by=\?\)$/,
        ),
      ]);
    }
    side.close();
    await store.close();
  });
});
