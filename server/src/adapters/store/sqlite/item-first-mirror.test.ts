/**
 * A first mirror into an empty SQLite item table (issue #13 item 3) drops the items' secondary
 * indexes and builds them once at the end: the indexes that come back must be exactly the ones the
 * migrations made, reads in between must answer as they do after, and a mirror that stops half-way
 * must leave nothing missing once the store starts again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDemoItems } from '../../erp/demo';
import { trigrams } from '../../../lib/text';
import type { Store } from '../../../ports/store';
import { openDatabase, type Db } from './database';
import { createSqliteStore } from './index';
import { createSqliteItemRepo } from './items';
import { migrate } from './migrations';

const itemIndexes = (db: Db) =>
  db
    .prepare<[], { name: string; sql: string }>(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name`,
    )
    .all();

const deferredNote = (db: Db) =>
  db.prepare("SELECT value FROM meta WHERE key = 'items.deferred_indexes'").get();

let db: Db | undefined;
let store: Store | undefined;
const dirs: string[] = [];
afterEach(async () => {
  db?.close();
  await store?.close();
  db = undefined;
  store = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('first mirror of the SQLite item table', () => {
  it('drops the item indexes while it runs and builds the same ones in finish', async () => {
    db = openDatabase(':memory:');
    migrate(db);
    const repo = createSqliteItemRepo(db);
    const before = itemIndexes(db);
    expect(before.map((i) => i.name)).toEqual([
      'items_code_lower',
      'items_name_lower',
      'items_updated_at',
    ]);
    const mirror = await repo.beginFirstMirror!();
    expect(mirror).not.toBeNull();
    expect(itemIndexes(db)).toEqual([]);
    const items = generateDemoItems({ itemCount: 300 });
    for (let i = 0; i < items.length; i += 100) await repo.upsertMany(items.slice(i, i + 100));
    await mirror!.finish();
    expect(itemIndexes(db)).toEqual(before);
    expect(deferredNote(db)).toBeUndefined();
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    // The planner uses them again.
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT item_code FROM items WHERE name_lower >= 'a' AND name_lower < 'b'",
      )
      .all()
      .map((r) => r.detail)
      .join(' ');
    expect(plan).toContain('items_name_lower');
  });

  it('is not a first mirror when the table has items: the indexes stay', async () => {
    db = openDatabase(':memory:');
    migrate(db);
    const repo = createSqliteItemRepo(db);
    await repo.upsertMany(generateDemoItems({ itemCount: 1 }));
    const before = itemIndexes(db);
    expect(await repo.beginFirstMirror!()).toBeNull();
    expect(itemIndexes(db)).toEqual(before);
    expect(deferredNote(db)).toBeUndefined();
  });

  it('answers reads during the mirror as after it', async () => {
    db = openDatabase(':memory:');
    migrate(db);
    const repo = createSqliteItemRepo(db);
    const items = generateDemoItems({ itemCount: 400 });
    const mirror = await repo.beginFirstMirror!();
    for (let i = 0; i < items.length; i += 150) await repo.upsertMany(items.slice(i, i + 150));
    const read = async () => ({
      prefix: await Promise.all(['it', 'IT0001', 'bo', 'x'].map((p) => repo.searchPrefix(p, 20))),
      fuzzy: await repo.fuzzyCandidates(trigrams(items[7]!.name), 40),
      since: await repo.list({ since: items[3]!.updated_at, limit: 50 }),
      page: await repo.list({ after: items[100]!.item_code, limit: 20 }),
      barcode: await repo.findByBarcode(items[250]!.barcodes[0]!.code),
    });
    const during = await read();
    await mirror!.finish();
    const after = await read();
    expect(during).toEqual(after);
    expect(after.prefix[0]!.length).toBe(20);
    expect(after.barcode?.item.item_code).toBe(items[250]!.item_code);
  });

  it('builds the indexes of a mirror that stopped half-way when the store starts again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-first-mirror-'));
    dirs.push(dir);
    const file = path.join(dir, 'store.db');
    store = createSqliteStore({ file });
    await store.init();
    const reference = openDatabase(':memory:');
    migrate(reference);
    const expected = itemIndexes(reference);
    reference.close();

    const items = generateDemoItems({ itemCount: 200 });
    const mirror = await store.items.beginFirstMirror!();
    expect(mirror).not.toBeNull();
    await store.items.upsertMany(items.slice(0, 100));
    // The process stops here: no finish.
    await store.close();

    db = openDatabase(file);
    expect(itemIndexes(db)).toEqual([]);
    expect(deferredNote(db)).toBeDefined();
    db.close();
    db = undefined;

    store = createSqliteStore({ file });
    await store.init();
    await store.close();
    store = undefined;
    db = openDatabase(file);
    expect(itemIndexes(db)).toEqual(expected);
    expect(deferredNote(db)).toBeUndefined();
  });

  it('keeps what an earlier, interrupted first mirror left to build when another begins', async () => {
    db = openDatabase(':memory:');
    migrate(db);
    const repo = createSqliteItemRepo(db);
    const before = itemIndexes(db);
    await repo.beginFirstMirror!();
    // Interrupted before any item was written; the next pass starts on the same empty table.
    const again = await repo.beginFirstMirror!();
    expect(again).not.toBeNull();
    await repo.upsertMany(generateDemoItems({ itemCount: 20 }));
    await again!.finish();
    expect(itemIndexes(db)).toEqual(before);
    expect(deferredNote(db)).toBeUndefined();
  });
});
