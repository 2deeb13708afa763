/** Opening the embedded database with the settings every connection needs. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { itemSearchText } from '../item-index';
import { registerReportFunctions } from './reports';

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite file, or an in-memory database for ':memory:'. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') ownerOnly(file);
  const db = new Database(file);
  // WAL lets readers run while the single writer commits; NORMAL is durable in WAL mode except for
  // the last transactions on power loss, which the sync protocol replays anyway (design §5).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // A second API process or a backup copy may hold the write lock briefly; wait instead of failing.
  db.pragma('busy_timeout = 5000');
  // Reads dominate (every scan looks an item up): a 64 MiB page cache and memory-mapped reads keep
  // hot pages out of read() syscalls. Both are upper bounds, not allocations.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  // The fuzzy search document of an item, for SQL that builds the index (migration 6).
  db.function('item_search_text', { deterministic: true }, (itemCode: unknown, name: unknown) =>
    itemSearchText({ item_code: String(itemCode), name: String(name) }),
  );
  // The shared rounding rules (sv_round_money…): rm_items' triggers keeping a session's figures
  // at count call it (at-count-totals.ts, migration 27), so every connection writing needs it.
  registerReportFunctions(db);
  return db;
}

/**
 * The database holds password hashes and every count: its folder is created 700 and the file 600
 * (issue #12), before SQLite opens it; SQLite gives the -wal and -shm files the database file's
 * mode. A database an older version left readable by others is narrowed to 600 on open.
 */
function ownerOnly(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch {
      // Absent (-wal/-shm before first use), or not ours to change: opening it decides.
    }
  }
}

/**
 * Defers building a repo's prepared statements to first use: they can only be prepared once
 * `init()` has created the tables, and then are reused for the life of the connection.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/** SQLite has no boolean type: booleans are stored as 0/1. */
export function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}
