/**
 * The Store adapters a contract suite runs against: SQLite always (a fresh temp dir per test), and
 * MongoDB only when MONGODB_URI points at a server (a fresh database per test, dropped after). No
 * MongoDB server exists on build machines (design §3): without a URI the adapter is left out
 * rather than skipped, so a green run never hides a skipped suite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { createMongoStore } from '../../src/adapters/store/mongodb';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import type { Store } from '../../src/ports/store';

/** Fresh, initialised, empty storage for one test. */
export interface StoreFixture {
  store: Store;
  /** Closes the store and opens the same storage again, as a restarted server would. */
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

export interface StoreAdapter {
  name: Store['kind'];
  open(): Promise<StoreFixture>;
}

async function fixture(
  openStore: () => Store,
  cleanup: () => Promise<void> | void,
): Promise<StoreFixture> {
  let current = openStore();
  await current.init();
  return {
    store: current,
    async reopen() {
      await current.close();
      current = openStore();
      await current.init();
      return current;
    },
    async dispose() {
      await current.close();
      await cleanup();
    },
  };
}

const sqlite: StoreAdapter = {
  name: 'sqlite',
  open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-store-'));
    const file = path.join(dir, 'store.db');
    return fixture(
      () => createSqliteStore({ file }),
      () => fs.rmSync(dir, { recursive: true, force: true }),
    );
  },
};

function mongodb(uri: string, label: string): StoreAdapter {
  const run = `sv_${label}_${process.pid}_${Date.now()}`;
  let n = 0;
  return {
    name: 'mongodb',
    open() {
      const dbName = `${run}_${n++}`;
      return fixture(
        () => createMongoStore({ uri, dbName }),
        async () => {
          const client = new MongoClient(uri);
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        },
      );
    },
  };
}

/** The adapters available here; `label` keeps the MongoDB databases of suites apart. */
export function storeAdapters(label: string): StoreAdapter[] {
  const uri = process.env.MONGODB_URI;
  return uri ? [sqlite, mongodb(uri, label)] : [sqlite];
}
