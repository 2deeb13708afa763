/**
 * WAL checkpoints run in a worker thread, not in the commit of a request (issue #13: with 20
 * phones syncing, the commit that crossed SQLite's 1,000-page mark copied and fsynced the pages
 * on the request thread and every read behind it waited).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '.';
import {
  REQUEST_THREAD_CHECKPOINT_PAGES,
  startCheckpointer,
  type Checkpointer,
} from './checkpointer';
import { openDatabase, type Db } from './database';

const dirs: string[] = [];
const open: { db: Db; checkpointer: Checkpointer | null }[] = [];

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-ckpt-'));
  dirs.push(dir);
  return path.join(dir, 'stockverify.db');
}

/** Writes about `pages` 4 KB pages in one transaction. */
function writePages(db: Db, pages: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body BLOB)');
  const insert = db.prepare('INSERT INTO filler (body) VALUES (randomblob(3500))');
  db.transaction(() => {
    for (let i = 0; i < pages; i++) insert.run();
  })();
}

/**
 * Frames in the WAL since it last restarted (a commit after a complete checkpoint restarts it).
 * Asking runs a checkpoint itself, so it is only ever the last look of a test.
 */
function framesSinceRestart(db: Db): number {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
  return row!.log;
}

afterEach(async () => {
  for (const { db, checkpointer } of open.splice(0)) {
    await checkpointer?.stop();
    db.close();
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('WAL checkpointer', () => {
  it('a commit past 1,000 WAL pages does not checkpoint on the calling thread', () => {
    // The old behaviour, as the anchor: SQLite's auto-checkpoint resets the WAL inside a commit.
    const plainFile = tempFile();
    const plain = openDatabase(plainFile);
    open.push({ db: plain, checkpointer: null });
    writePages(plain, 1500);
    writePages(plain, 10); // the first commit after a full checkpoint restarts the WAL
    expect(framesSinceRestart(plain)).toBeLessThan(100);

    const file = tempFile();
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(db, file, 60_000);
    open.push({ db, checkpointer });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(REQUEST_THREAD_CHECKPOINT_PAGES);
    writePages(db, 1500);
    writePages(db, 10);
    expect(framesSinceRestart(db)).toBeGreaterThan(1500);
  });

  it('the worker copies every committed frame into the database', async () => {
    const file = tempFile();
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(db, file, 60_000);
    open.push({ db, checkpointer });
    writePages(db, 1200);
    const counts = await checkpointer.checkpoint();
    expect(counts.busy).toBe(0);
    expect(counts.log).toBeGreaterThan(1200);
    expect(counts.checkpointed).toBe(counts.log);
    // A reader on a fresh connection that ignores the WAL sees the rows: they are in the file.
    db.close();
    open.pop();
    await checkpointer.stop();
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    const reread = openDatabase(file);
    open.push({ db: reread, checkpointer: null });
    expect(reread.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(1200);
  });

  it('under back-to-back commits the WAL still restarts: it stays bounded', async () => {
    const file = tempFile();
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(db, file, 20);
    open.push({ db, checkpointer });
    // 30,000 pages committed 30 at a time with no pause: three times the request thread's mark.
    for (let i = 0; i < 1000; i++) writePages(db, 30);
    expect(framesSinceRestart(db)).toBeLessThan(REQUEST_THREAD_CHECKPOINT_PAGES + 100);
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(80 * 1024 * 1024);
  });

  it('never keeps a process alive: a script that does not close its store still exits', () => {
    const file = tempFile();
    const script = path.join(path.dirname(file), 'open-and-leave.mts');
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(path.resolve(__dirname, 'database.ts'))};
       import { startCheckpointer } from ${JSON.stringify(path.resolve(__dirname, 'checkpointer.ts'))};
       const db = openDatabase(${JSON.stringify(file)});
       startCheckpointer(db, ${JSON.stringify(file)});
       console.log('done');`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: path.resolve(__dirname, '../../../..'),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout).toContain('done');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });

  it('runs on its own timer while the store is open, and the store closes cleanly', async () => {
    const file = tempFile();
    const store = createSqliteStore({ file });
    await store.init();
    const db = openDatabase(file);
    open.push({ db, checkpointer: null });
    db.pragma('wal_autocheckpoint = 0');
    writePages(db, 800);
    // The store's worker checkpoints every 200 ms; once it has copied all 800 frames, the next
    // commit restarts the WAL from the top. Without it the WAL would hold 800 + 1 frames.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    writePages(db, 1);
    const frames = framesSinceRestart(db);
    await store.close();
    expect(frames).toBeLessThan(100);
  });
});
