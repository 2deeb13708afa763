/**
 * The SQLite Store as it is once READ_MODEL_WRITERS_MIGRATION is in the numbered migrations: the
 * read model keeps rm_writers (lines written and overturned per counter) with the line writes.
 * Until a numbered migration adds it, a plain SQLite store counts those figures from the lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import { READ_MODEL_WRITERS_MIGRATION } from '../../src/adapters/store/sqlite/read-model';
import type { StoreAdapter, StoreFixture } from './store-adapters';

export interface SqliteWithWritersFixture extends StoreFixture {
  /** The database file: a test may open it beside the store (e.g. to damage the lines). */
  file: string;
}

export const sqliteWithWriters: Omit<StoreAdapter, 'open'> & {
  label: string;
  open(): Promise<SqliteWithWritersFixture>;
} = {
  name: 'sqlite',
  label: 'sqlite with rm_writers',
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-store-'));
    const file = path.join(dir, 'store.db');
    const open = async () => {
      const store = createSqliteStore({ file });
      await store.init();
      return store;
    };
    let store = await open();
    // Before the store's first read-model statement, so it keeps the table from the start (once a
    // numbered migration adds it, the store has made it already).
    const raw = new Database(file);
    const made = raw
      .prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'rm_writers'")
      .pluck()
      .get();
    if (!made) raw.exec(READ_MODEL_WRITERS_MIGRATION.up);
    raw.close();
    return {
      file,
      store,
      async reopen() {
        await store.close();
        store = await open();
        return store;
      },
      async dispose() {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
