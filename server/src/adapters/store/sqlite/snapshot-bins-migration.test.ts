/**
 * Migration 20 (a bin's book, docs/design.md §4) on a database that already holds a session with
 * its snapshot: the session keeps its snapshot rows and reads back with no rack-level book (its
 * bins are judged on the item's whole book, as before); a session created after keeps its racks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { openDatabase, type Db } from './database';
import { migrate, migrations } from './migrations';
import { createSqliteSessionRepo } from './sessions';

describe('snapshot per rack migration (20)', () => {
  let db: Db;
  afterEach(() => db.close());

  it('reads sessions from before as having no rack-level book; new ones keep theirs', async () => {
    db = openDatabase(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 20),
    );
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(19);
    db.prepare(
      `INSERT INTO sessions (id, warehouse, name, name_lower, mode, scope, status, racks,
        snapshot_items, created_by, created_at, closed_at, reconciled_at, updated_at)
       VALUES ('s-old', 'WH1', 'Old', 'old', 'standard', '{"floors":[],"racks":[]}', 'OPEN',
        '["A-01","A-02"]', 1, 'u-sup', '2025-03-01T08:00:00.000Z', NULL, NULL,
        '2025-03-01T08:00:00.000Z')`,
    ).run();
    db.prepare(
      `INSERT INTO session_snapshot (session_id, item_code, name, category, book_qty, cost, price)
       VALUES ('s-old', 'ITM-A', 'Alpha', NULL, 16, 2, 3)`,
    ).run();

    migrate(db);
    // Every migration after it ran too (the newest is the last of the list).
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(
      migrations[migrations.length - 1]!.version,
    );
    const sessions = createSqliteSessionRepo(db);
    expect(await sessions.snapshotRow('s-old', 'ITM-A')).toMatchObject({ book_qty: 16 });
    expect(await sessions.snapshotRacks('s-old')).toEqual(new Map());
    expect(await sessions.snapshotRacks('s-old', ['ITM-A'])).toEqual(new Map());

    await sessions.create(makeSession('s-new'), [
      {
        ...makeSnapshotRow('s-new', 'ITM-A', { book_qty: 16 }),
        racks: [
          { rack: 'A-01', qty: 10 },
          { rack: 'A-02', qty: 6 },
        ],
      },
    ]);
    expect(await sessions.snapshotRacks('s-new', ['ITM-A'])).toEqual(
      new Map([
        [
          'ITM-A',
          [
            { rack: 'A-01', qty: 10 },
            { rack: 'A-02', qty: 6 },
          ],
        ],
      ]),
    );
  });
});
