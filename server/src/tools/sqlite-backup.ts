/**
 * Online backup of the embedded store (docs/deployment.md): SQLite's backup API copies a
 * consistent snapshot of `stockverify.db` while the server keeps running (WAL included), into a
 * new file that is then integrity-checked. Evidence photos (DATA_DIR/photos) are plain files and
 * are copied alongside.
 *
 *   npx tsx server/src/tools/sqlite-backup.ts /backups/stockverify-2026-11-29
 *
 * (DATA_DIR as for the server; the destination folder must not exist yet.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export interface BackupResult {
  database: string;
  bytes: number;
  photos: number;
}

/** Copies `dataDir`'s database (online) and photos into the new folder `dest`. */
export async function backupDataDir(dataDir: string, dest: string): Promise<BackupResult> {
  const source = path.join(dataDir, 'stockverify.db');
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.existsSync(dest)) throw new Error(`${dest} exists already; choose a new folder`);
  fs.mkdirSync(dest, { recursive: true });
  const database = path.join(dest, 'stockverify.db');
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(database);
  } finally {
    db.close();
  }
  const copy = new Database(database);
  try {
    // One self-contained file: the copy leaves WAL mode (the server turns it on again at start).
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
  } finally {
    copy.close();
  }
  let photos = 0;
  const photoDir = path.join(dataDir, 'photos');
  if (fs.existsSync(photoDir)) {
    fs.cpSync(photoDir, path.join(dest, 'photos'), { recursive: true });
    photos = fs.readdirSync(path.join(dest, 'photos'), { recursive: true }).length;
  }
  for (const file of ['jwt-secret']) {
    if (fs.existsSync(path.join(dataDir, file))) {
      fs.copyFileSync(path.join(dataDir, file), path.join(dest, file));
      fs.chmodSync(path.join(dest, file), 0o600);
    }
  }
  return { database, bytes: fs.statSync(database).size, photos };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dest = process.argv[2];
  if (!dest) {
    console.error('usage: npx tsx server/src/tools/sqlite-backup.ts <new backup folder>');
    process.exit(2);
  }
  const dataDir = path.resolve(
    process.env.INIT_CWD ?? process.cwd(),
    process.env.DATA_DIR || './data',
  );
  backupDataDir(dataDir, path.resolve(dest)).then(
    (r) => console.log(`Backed up ${r.database} (${r.bytes} bytes) and ${r.photos} photo file(s)`),
    (err: unknown) => {
      console.error(`Backup failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
