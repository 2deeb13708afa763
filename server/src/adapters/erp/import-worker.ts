/**
 * Item-master parsing in a worker thread (issue #12): a 369 KB XLSX took 59 s and 3.3 GB on the
 * event loop, a 737 KB one crashed the server. Here the parse runs in its own thread with its own
 * heap limit and a time limit; the server keeps answering, and a file past a cap is refused
 * naming the cap (ImportLimitError). One import at a time.
 */
import { Worker } from 'node:worker_threads';
import { ItemMasterFormatError, type ItemMasterFormat, type ParseResult } from './file';
import { IMPORT_LIMITS, ImportLimitError, type ImportLimits } from './import-limits';
import type { ImportJob, ImportOutcome } from './import.worker';
import type { ParsedMovements } from './file-movements';

export interface WorkerLimits {
  /** Heap of the worker (MB); past it the worker dies and the import is refused as 'memory'. */
  heapMb: number;
  /** Wall time of one parse (ms); past it the worker is stopped and the import refused as 'time'. */
  timeMs: number;
}

export const WORKER_LIMITS: WorkerLimits = { heapMb: 1024, timeMs: 120_000 };

// One parse at a time: each may take a worker's whole heap limit.
let queue: Promise<unknown> = Promise.resolve();

/** The worker: a JS entry that loads import.worker.ts through tsx (a worker has no loader). */
function startWorker(job: ImportJob, limits: WorkerLimits): Worker {
  return new Worker(new URL('./import.worker.mjs', import.meta.url), {
    workerData: job,
    transferList: [job.input.buffer as ArrayBuffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb },
    stdout: false,
    stderr: false,
  });
}

/**
 * parseItemMaster in a worker thread, after any parse already running; throws ImportLimitError
 * (naming the cap) or ItemMasterFormatError like parseItemMaster.
 */
export function parseItemMasterInWorker(
  input: Buffer,
  format: ItemMasterFormat,
  options: { now?: Date; limits?: ImportLimits; worker?: WorkerLimits } = {},
): Promise<ParseResult> {
  const turn = queue.then(() => parseInWorker(input, format, options, 'items'));
  queue = turn.catch(() => undefined);
  return turn.then((outcome) => {
    if (!('result' in outcome)) throw new Error('the import worker answered with movements');
    return outcome.result;
  });
}

/** parseMovements in the same worker, queue and caps as an item master (issue #17). */
export function parseMovementsInWorker(
  input: Buffer,
  format: ItemMasterFormat,
  options: { limits?: ImportLimits; worker?: WorkerLimits } = {},
): Promise<ParsedMovements> {
  const turn = queue.then(() => parseInWorker(input, format, options, 'movements'));
  queue = turn.catch(() => undefined);
  return turn.then((outcome) => {
    if (!('movements' in outcome)) throw new Error('the import worker answered with items');
    return outcome.movements;
  });
}

async function parseInWorker(
  input: Buffer,
  format: ItemMasterFormat,
  options: { now?: Date; limits?: ImportLimits; worker?: WorkerLimits },
  kind: 'items' | 'movements',
): Promise<Extract<ImportOutcome, { ok: true }>> {
  const limits = options.limits ?? IMPORT_LIMITS;
  const workerLimits = options.worker ?? WORKER_LIMITS;
  // A copy the worker owns (transferred, not cloned twice).
  const copy = new Uint8Array(input.byteLength);
  copy.set(input);
  const job: ImportJob = {
    input: copy,
    format,
    now: (options.now ?? new Date()).toISOString(),
    limits,
    kind,
  };
  const outcome = await new Promise<ImportOutcome>((resolve, reject) => {
    const worker = startWorker(job, workerLimits);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      finish(() =>
        reject(
          new ImportLimitError(
            'time',
            workerLimits.timeMs,
            `reading the file took longer than ${Math.round(workerLimits.timeMs / 1000)} s`,
          ),
        ),
      );
      void worker.terminate();
    }, workerLimits.timeMs);
    worker.once('message', (message: ImportOutcome) => finish(() => resolve(message)));
    worker.once('error', (err: Error & { code?: string }) =>
      finish(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ImportLimitError(
                'memory',
                workerLimits.heapMb,
                `reading the file needs more than ${workerLimits.heapMb} MB of memory`,
              )
            : err,
        ),
      ),
    );
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`the import worker stopped (exit code ${code})`))),
    );
  });
  if (outcome.ok) return outcome;
  if (outcome.kind === 'limit')
    throw new ImportLimitError(outcome.cap, outcome.limit, outcome.message);
  if (outcome.kind === 'format') throw new ItemMasterFormatError(outcome.message);
  throw new Error(outcome.message);
}
