/**
 * WAL checkpoints off the request thread (issue #13). SQLite's automatic checkpoint runs inside the
 * commit that crosses 1,000 WAL pages: that commit copies the pages into the database file and
 * fsyncs it, on the one thread that also answers every request. A 250,000-line stocktake writes
 * about 60 KB of pages per count line (each line touches a dozen index pages), so with 20 phones
 * syncing a commit did that every few batches and every read behind it waited (measured:
 * a 25-line batch p95 75–95 ms on disk vs 23–25 ms on tmpfs, the same CPU). Here a worker thread
 * with its own connection runs a PASSIVE checkpoint every `intervalMs`, which blocks neither the
 * writer nor readers. Under a steady stream of commits the worker is never quite done when the
 * next write begins, and only then can SQLite restart the WAL from the top: so the request
 * thread keeps an auto-checkpoint, at 10,000 pages (40 MB) instead of 1,000. When it fires, the
 * worker has already copied nearly every frame; the request thread copies the last few, the next
 * commit restarts the WAL, and `journal_size_limit` trims the file back.
 */
import { Worker } from 'node:worker_threads';
import type { Db } from './database';

export interface CheckpointCounts {
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames of it copied into the database. */
  checkpointed: number;
}

export interface Checkpointer {
  /** Runs a checkpoint now (in the worker) and resolves with its counts. */
  checkpoint(): Promise<CheckpointCounts>;
  /** Stops the worker and closes its connection. */
  stop(): Promise<void>;
}

/** What the WAL file may keep on disk after a checkpoint reset it (bytes). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** WAL pages after which the request thread's own commit finishes the worker's checkpoint. */
export const REQUEST_THREAD_CHECKPOINT_PAGES = 10_000;

/**
 * Hands `db`'s checkpoints to a worker thread. `db` must be a WAL-mode connection to `file`; the
 * worker is unref'd, so it never keeps the process alive.
 */
export function startCheckpointer(db: Db, file: string, intervalMs = 200): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${REQUEST_THREAD_CHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  const worker = new Worker(new URL('./checkpoint.worker.mjs', import.meta.url), {
    workerData: { file, intervalMs },
    stdout: false,
    stderr: false,
  });
  let failed: Error | null = null;
  worker.on('error', (error) => {
    // Without the worker, checkpoints fall back to the request thread: slower, never unsafe.
    failed = error;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let waiting: ((counts: CheckpointCounts) => void)[] = [];
  let onFailure: ((error: Error) => void)[] = [];
  worker.on('message', (message: { done?: CheckpointCounts & { error?: string } }) => {
    if (!message.done) return;
    const [resolve] = waiting;
    const [reject] = onFailure;
    waiting = waiting.slice(1);
    onFailure = onFailure.slice(1);
    if (message.done.error) reject?.(new Error(message.done.error));
    else resolve?.(message.done);
  });
  // After the listeners: adding a 'message' listener refs the worker again, and a process that
  // never closed its store would then never exit.
  worker.unref();
  return {
    checkpoint() {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        onFailure.push(reject);
        worker.postMessage('checkpoint');
      });
    },
    async stop() {
      // The worker is unref'd; while it is waited for, it must keep the process alive, or a
      // script's last `await store.close()` ends the process early (exit 13, or a lost exit code).
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
