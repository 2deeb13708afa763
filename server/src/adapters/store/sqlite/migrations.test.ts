import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { migrate, migrations, type Migration } from './migrations';

const latest = Math.max(...migrations.map((m) => m.version));
const version = (db: Db) => Number(db.pragma('user_version', { simple: true }));
const tables = (db: Db) =>
  db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all();

describe('sqlite migrations', () => {
  let db: Db;
  afterEach(() => db?.close());

  it('numbers the migrations in order with no gap (4 was never released)', () => {
    // A database at version N skips every migration numbered N or below: one that lands after a
    // higher number (or fills a gap later) would never run on databases already past it.
    const versions = migrations.map((m) => m.version);
    const expected = versions.map((_, i) => (i < 3 ? i + 1 : i + 2));
    expect(versions).toEqual(expected);
  });

  it('brings an empty database to the latest version, and a second run changes nothing', () => {
    db = openDatabase(':memory:');
    migrate(db);
    expect(version(db)).toBe(latest);
    const before = tables(db);
    expect(before).toEqual(expect.arrayContaining(['users', 'items', 'item_barcodes', 'meta']));
    migrate(db);
    expect(tables(db)).toEqual(before);
  });

  it('applies only the migrations newer than the database', () => {
    db = openDatabase(':memory:');
    migrate(db);
    const next: Migration = { version: latest + 1, name: 'add t', up: 'CREATE TABLE t (x)' };
    migrate(db, [...migrations, next]);
    expect(version(db)).toBe(latest + 1);
    expect(tables(db)).toContain('t');
  });

  it('rolls a failing migration back whole', () => {
    db = openDatabase(':memory:');
    migrate(db);
    const broken: Migration = {
      version: latest + 1,
      name: 'half done',
      up: 'CREATE TABLE half (x); CREATE TABLE users (x);',
    };
    expect(() => migrate(db, [...migrations, broken])).toThrow();
    expect(version(db)).toBe(latest);
    expect(tables(db)).not.toContain('half');
  });

  it('refuses a database written by a newer server', () => {
    db = openDatabase(':memory:');
    db.pragma(`user_version = ${latest + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
  });
});
