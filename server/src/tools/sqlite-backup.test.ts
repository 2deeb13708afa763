import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../adapters/store/sqlite';
import { backupDataDir } from './sqlite-backup';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('backupDataDir', () => {
  it('copies a consistent database while the store is open and writing, with photos and the JWT key', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-backup-'));
    dirs.push(dataDir);
    const store = createSqliteStore({ file: path.join(dataDir, 'stockverify.db') });
    await store.init();
    await store.meta.set('before', { n: 1 });
    fs.mkdirSync(path.join(dataDir, 'photos', 'ab'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'photos', 'ab', 'abc.jpg'), 'jpeg');
    fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'k', { mode: 0o600 });

    const dest = path.join(dataDir, '..', `${path.basename(dataDir)}-copy`);
    dirs.push(dest);
    const result = await backupDataDir(dataDir, dest);
    // The live store keeps working after (and the copy does not see later writes).
    await store.meta.set('after', { n: 2 });
    await store.close();

    expect(result.photos).toBeGreaterThan(0);
    expect(fs.readdirSync(dest).sort()).toEqual(['jwt-secret', 'photos', 'stockverify.db']);
    expect(fs.readFileSync(path.join(dest, 'photos', 'ab', 'abc.jpg'), 'utf8')).toBe('jpeg');
    expect(fs.statSync(path.join(dest, 'jwt-secret')).mode & 0o077).toBe(0);
    const copy = createSqliteStore({ file: result.database });
    await copy.init();
    expect(await copy.meta.get('before')).toEqual({ n: 1 });
    expect(await copy.meta.get('after')).toBeNull();
    await copy.close();
  });

  it('refuses to overwrite an existing folder or to back up nothing', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-backup-'));
    dirs.push(dataDir);
    await expect(backupDataDir(dataDir, path.join(dataDir, 'x'))).rejects.toThrow(/no database/);
    new Database(path.join(dataDir, 'stockverify.db')).close();
    await expect(backupDataDir(dataDir, dataDir)).rejects.toThrow(/exists already/);
  });
});
