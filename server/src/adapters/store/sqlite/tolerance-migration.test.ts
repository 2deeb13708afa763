/**
 * Migration 9 (issue #16) on a database that already holds sessions: they keep every field, read
 * back with no rule-set version (null), and still parse as the API's session; new sessions record
 * theirs.
 */
import { countSessionSchema } from '@stockverify/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { migrate, migrations } from './migrations';
import { createSqliteSessionRepo } from './sessions';
import { createSqliteToleranceRepo } from './tolerance';

describe('tolerance migration', () => {
  let db: Db;
  afterEach(() => db.close());

  it('leaves sessions created before it without a rule-set version, parsing as before', async () => {
    db = openDatabase(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 9),
    );
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(8);
    db.prepare(
      `INSERT INTO sessions (id, warehouse, name, name_lower, mode, scope, status, racks,
        snapshot_items, created_by, created_at, closed_at, reconciled_at, updated_at)
       VALUES ('s-old', 'WH1', 'Old', 'old', 'blind', '{"floors":[],"racks":["A-01"]}', 'OPEN',
        '["A-01"]', 3, 'u-sup', '2025-03-01T08:00:00.000Z', NULL, NULL,
        '2025-03-01T08:00:00.000Z')`,
    ).run();

    migrate(db);
    const sessions = createSqliteSessionRepo(db);
    const old = await sessions.get('s-old');
    expect(old).toMatchObject({
      id: 's-old',
      mode: 'blind',
      racks: ['A-01'],
      snapshot_items: 3,
      tolerance_rule_set: null,
    });
    expect(countSessionSchema.parse(old).tolerance_rule_set).toBeNull();
    expect(await createSqliteToleranceRepo(db).current()).toBeNull();
  });
});
