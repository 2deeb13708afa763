/**
 * A SQLite Store on a database file a test may also open beside it (e.g. to empty the lines behind
 * the store). Every SQLite store keeps rm_writers (lines written and overturned per counter) with
 * the line writes since migration 11; this fixture once added that table before the migration did.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
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
  label: 'sqlite on a file',
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-store-'));
    const file = path.join(dir, 'store.db');
    const open = async () => {
      const store = createSqliteStore({ file });
      await store.init();
      return store;
    };
    let store = await open();
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
