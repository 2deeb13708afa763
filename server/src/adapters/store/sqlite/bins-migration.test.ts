/**
 * Migration 13 (issue #16): count lines gain `phase` and `recount_task_id`. A line written before
 * it reads back as a first count answering no task; a line written after keeps both; the bin
 * tables exist and one bin holds at most one open recount task.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeLine } from '../../../../test/support/counting-records';
import { openDatabase, type Db } from './database';
import { createSqliteLineRepo } from './lines';
import { migrate, migrations } from './migrations';

describe('bins migration (13)', () => {
  let db: Db;
  afterEach(() => db.close());

  it('reads lines from before it as first counts and stores the recount fields of new ones', async () => {
    db = openDatabase(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 13),
    );
    const { phase: _phase, recount_task_id: _task, ...then } = makeLine('op-old');
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

    migrate(db);
    expect(Number(db.pragma('user_version', { simple: true }))).toBeGreaterThanOrEqual(13);
    const lines = createSqliteLineRepo(db);
    expect(await lines.getByOpId('op-old')).toMatchObject({ phase: 0, recount_task_id: null });

    const recount = makeLine('op-new', {
      phase: 2,
      recount_task_id: 'task-1',
      counted_by: 'u-bob',
    });
    expect(await lines.insert(recount)).toEqual({ ok: true, line: recount });
    expect(await lines.getByOpId('op-new')).toEqual(recount);
  });

  it('keeps at most one open recount task per bin', () => {
    db = openDatabase(':memory:');
    migrate(db);
    const insert = db.prepare(
      `INSERT INTO recount_tasks (id, session_id, rack, item_code, phase, state,
         excluded_counters, reason, created_at, created_by)
       VALUES (?, 's1', 'A-01', 'ITM-A', ?, ?, '[]', 'exceeds_tolerance', '2025-01-01', 'system')`,
    );
    insert.run('t1', 1, 'open');
    expect(() => insert.run('t2', 2, 'open')).toThrow(/UNIQUE/);
    insert.run('t3', 1, 'cancelled');
    expect(
      db.prepare("SELECT COUNT(*) AS n FROM recount_tasks WHERE state = 'open'").get(),
    ).toEqual({ n: 1 });
  });
});
