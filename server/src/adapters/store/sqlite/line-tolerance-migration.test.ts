/**
 * Migration 10 (issue #16): count lines carry the tolerance decision that built them. Lines written
 * before it keep every field and read back without one (absent, as written), still parsing as the
 * API's line; a line written after it reads back with its decision.
 */
import { countLineSchema, type LineTolerance } from '@stockverify/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLine } from '../../../../test/support/counting-records';
import { openDatabase, type Db } from './database';
import { createSqliteLineRepo } from './lines';
import { migrate, migrations } from './migrations';

const DECISION: LineTolerance = {
  rule_id: 'tools',
  rule_version: 4,
  rule_scope: 'category',
  rule_set_version: 6,
  within: false,
  exceeded_by: ['units', 'value'],
  action: 'recount',
  direction: 'overage',
  thresholds: { units: 2, value: 10 },
  allowance: { units: 2, percent: null, value: 4.255 },
};

describe('line tolerance migration', () => {
  let db: Db;
  afterEach(() => db.close());

  it('leaves lines from before it without a decision, and stores the decision of new ones', async () => {
    db = openDatabase(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 10),
    );
    const before = makeLine('op-old', { status: 'NEEDS_REVIEW', review_reasons: ['X'] });
    // Written as the adapter wrote lines before migration 10 (every column but tolerance, and
    // phase and recount_task_id, which migration 13 adds).
    const { phase: _phase, recount_task_id: _task, ...then } = before;
    const row = Object.fromEntries(
      Object.entries(then).map(([k, v]) => [
        k,
        Array.isArray(v) ? JSON.stringify(v) : typeof v === 'boolean' ? Number(v) : v,
      ]),
    );
    const columns = Object.keys(row);
    db.prepare(
      `INSERT INTO count_lines (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    ).run(row);
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(9);

    migrate(db);
    const lines = createSqliteLineRepo(db);
    const old = await lines.getByOpId('op-old');
    expect(old).toEqual(before);
    expect(old).not.toHaveProperty('tolerance');
    expect(
      countLineSchema.parse({ ...old, item_name: null, supersedes_line: null }).tolerance,
    ).toBeUndefined();

    const decided = makeLine('op-new', { tolerance: DECISION });
    expect(await lines.insert(decided)).toEqual({ ok: true, line: decided });
    expect(await lines.getByOpId('op-new')).toEqual(decided);
  });
});
