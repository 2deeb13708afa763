/**
 * Test support for the SQLite query-plan tests beside it (line-indexes, hint-facts,
 * bins-keyed-plans, movements-plan): record every statement the store prepares, open stores on
 * files in a temporary folder, and ask a second, read-only connection for a statement's query plan.
 * Not a test file itself (vitest collects `*.test.ts` only); type-checked with `src`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import type { Store } from '../../../ports/store';
import { createSqliteStore } from '.';

/**
 * Records the SQL of every statement any better-sqlite3 connection prepares while the calling
 * test file runs (beforeAll patches `Database.prototype.prepare`, afterAll restores it and removes
 * the folder). `open(name)` makes and initialises a SQLite store on a file in that folder.
 */
export function recordPreparedStatements(folderPrefix: string): {
  prepared: Set<string>;
  open: (name: string) => Promise<{ store: Store; file: string }>;
} {
  const prepared = new Set<string>();
  const proto = Database.prototype as unknown as { prepare: (sql: string) => unknown };
  const original = proto.prepare;
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), folderPrefix));
    proto.prepare = function (this: unknown, sql: string) {
      prepared.add(sql);
      return original.call(this, sql);
    };
  });
  afterAll(() => {
    proto.prepare = original;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    prepared,
    open: async (name) => {
      const file = path.join(dir, name);
      const store = createSqliteStore({ file });
      await store.init();
      return { store, file };
    },
  };
}

/** NULL for every parameter of a statement (a query plan does not depend on the values). */
export function nullParams(sql: string): unknown[] {
  const named = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1]!, null]));
  const positional = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null);
  return Object.keys(named).length > 0 ? [...positional, named] : positional;
}

/** The `detail` column of `EXPLAIN QUERY PLAN` for a statement, asked of connection `side`. */
export function queryPlan(side: Database.Database, sql: string): string[] {
  return side
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...nullParams(sql))
    .map((r) => (r as { detail: string }).detail);
}
