/**
 * The read model's rebuild tool and the SQLite migration that builds the model for existing data
 * (issue #13): a model that went wrong is recomputed from the lines; a database from before the
 * read model gets one equal to what the line writes would have kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../adapters/store/sqlite';
import { openDatabase } from '../adapters/store/sqlite/database';
import { migrate, migrations } from '../adapters/store/sqlite/migrations';
import type { Store } from '../ports/store';
import { makeLine, makeSession, makeSnapshotRow } from '../../test/support/counting-records';
import { runRebuildTool } from './rebuild-read-model';

let dir: string;
const file = () => path.join(dir, 'stockverify.db');
const output = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
};

async function seeded(): Promise<Store> {
  const store = createSqliteStore({ file: file() });
  await store.init();
  await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'ITM-1')]);
  await store.lines.insertMany([
    makeLine('op-1', { counted_qty: 7, variance: -3, value_at_cost: -6, value_at_price: -9 }),
    makeLine('op-2', { rack: 'A-02', counted_qty: 1, variance: -9, value_at_cost: -18 }),
  ]);
  return store;
}

async function figures(store: Store) {
  return {
    session: await store.readModel.session('S1'),
    racks: await store.readModel.racks('S1'),
    items: await store.readModel.items('S1'),
    counters: await store.readModel.counters(['S1']),
  };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-rebuild-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run read-model:rebuild', () => {
  it('recomputes a damaged session model from its lines', async () => {
    const store = await seeded();
    const good = await figures(store);
    expect(good.session.lines).toBe(2);
    await store.close();
    const db = openDatabase(file());
    db.exec(`UPDATE rm_sessions SET lines = 99, variance_m = 5; DELETE FROM rm_racks;
             DELETE FROM rm_counters;`);
    db.close();

    const o = output();
    expect(await runRebuildTool(['S1'], { DATA_DIR: dir }, o.io)).toBe(0);
    expect(o.out.join('\n')).toMatch(/Rebuilt session S1: 2 line\(s\), 1 item\(s\)/);
    const reopened = createSqliteStore({ file: file() });
    await reopened.init();
    expect(await figures(reopened)).toEqual(good);
    await reopened.close();

    const all = output();
    expect(await runRebuildTool(['--all'], { DATA_DIR: dir }, all.io)).toBe(0);
    expect(all.out.join('\n')).toMatch(/1 session\(s\)/);
  });

  it('computes the expected at count of a session with an ERP watermark (design §13)', async () => {
    const store = await seeded();
    await store.sessions.create(makeSession('S2', { erp_watermark: '1000' }), [
      makeSnapshotRow('S2', 'ITM-1'),
    ]);
    await store.lines.insertMany([
      makeLine('op-3', { id: 'line-3', session_id: 'S2', counted_qty: 7, variance: -3 }),
    ]);
    expect((await store.readModel.atCount('S2')).map((c) => c.status)).toEqual(['pending']);
    await store.close();
    const o = output();
    expect(await runRebuildTool(['S2'], { DATA_DIR: dir }, o.io)).toBe(0);
    const reopened = createSqliteStore({ file: file() });
    await reopened.init();
    // No movements after the watermark: the expected at count is the book.
    expect(await reopened.readModel.atCount('S2')).toEqual([
      expect.objectContaining({ item_code: 'ITM-1', status: 'exact', vac_m: -3000 }),
    ]);
    expect(await reopened.readModel.dirtyAtCount(10)).toEqual([]);
    await reopened.close();
  });

  it('refuses bad arguments (2) and an unknown session or missing data (1)', async () => {
    const usage = output();
    expect(await runRebuildTool([], { DATA_DIR: dir }, usage.io)).toBe(2);
    expect(usage.err.join('\n')).toMatch(/Usage/);
    const flag = output();
    expect(await runRebuildTool(['--everything'], { DATA_DIR: dir }, flag.io)).toBe(2);
    expect(flag.err.join('\n')).toMatch(/Unknown arguments: --everything/);
    const missing = output();
    expect(await runRebuildTool(['S1'], { DATA_DIR: dir }, missing.io)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/No Stock Verify data/);
    expect(fs.existsSync(file())).toBe(false);

    await (await seeded()).close();
    const unknown = output();
    expect(await runRebuildTool(['S9'], { DATA_DIR: dir }, unknown.io)).toBe(1);
    expect(unknown.err).toEqual(['No session S9.']);
  });
});

describe('the read-model migration', () => {
  it('builds the model of sessions counted before it existed', async () => {
    const store = await seeded();
    const expected = await figures(store);
    await store.close();

    // Back to the schema before the read model, with the lines still there.
    // Migration 5 makes the tables, later ones add columns, and the newest model migration (the
    // rule at count, issue #17) builds every session's model with all its columns.
    const model = migrations.find((m) => m.name.startsWith('session read model'))!;
    const review = migrations.find((m) => m.name.includes('lines waiting for review'))!;
    const atCount = migrations.find((m) => m.name.includes('expected at count per item'))!;
    const build = migrations.find((m) => m.name.includes('rule on the variance at count'))!;
    const db = openDatabase(file());
    db.exec('DROP TABLE rm_items; DROP TABLE rm_racks; DROP TABLE rm_counters;');
    db.exec('DROP TABLE rm_sessions; DROP TABLE rm_days; DROP TABLE rm_at_count_dirty;');
    const latest = Number(db.pragma('user_version', { simple: true }));
    db.pragma(`user_version = ${model.version - 1}`);
    // The index the review-lines migration reads, as it was then (migration 13 replaced it).
    db.exec('CREATE INDEX count_lines_item ON count_lines (session_id, item_code)');
    // Only this migration: the others' state is left as the store made it.
    migrate(db, [model, review, atCount, build]);
    db.exec('DROP INDEX count_lines_item');
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(build.version);
    db.pragma(`user_version = ${latest}`);
    db.close();

    const migrated = createSqliteStore({ file: file() });
    await migrated.init();
    expect(await figures(migrated)).toEqual(expected);
    await migrated.close();
  });
});
