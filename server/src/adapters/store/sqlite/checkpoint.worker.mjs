// The WAL checkpointer's thread (checkpointer.ts). Plain JavaScript: it needs no loader, only its
// own connection to the database file. A PASSIVE checkpoint copies committed WAL frames into the
// database and fsyncs it without blocking the writer or any reader; the request thread never waits
// on that I/O.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');

/** One checkpoint; its counts, or the error text (a busy database is retried next tick). */
function checkpoint() {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    return { busy: row.busy, log: row.log, checkpointed: row.checkpointed };
  } catch (error) {
    return { error: String(error) };
  }
}

const timer = setInterval(checkpoint, workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message === 'checkpoint') parentPort.postMessage({ done: checkpoint() });
  if (message === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
