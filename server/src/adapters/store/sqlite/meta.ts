/** MetaRepo on SQLite: small JSON documents by key. */
import type { MetaRepo } from '../../../ports/store';
import { lazy, type Db } from './database';

/** Builds the meta repository over an open, migrated database. */
export function createSqliteMetaRepo(db: Db): MetaRepo {
  const statements = lazy(() => ({
    get: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
    set: db.prepare<[{ key: string; value: string }]>(
      `INSERT INTO meta (key, value) VALUES (@key, @value)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
  }));

  return {
    async get<T>(key: string): Promise<T | null> {
      const value = statements().get.get(key);
      // The caller names the type it stored; JSON has no way to check it here.
      return value === undefined ? null : (JSON.parse(value) as T);
    },
    async set(key, value) {
      // `undefined` has no JSON form; store it as null, which `get` answers as "missing" anyway.
      statements().set.run({ key, value: JSON.stringify(value) ?? 'null' });
    },
  };
}
