/**
 * Worker thread side of an item-master import (import-worker.ts starts it): parses the file with
 * the caps and posts the result, or which cap was hit, back. The server's event loop and heap are
 * not this thread's: a file that makes the parser slow or huge costs this worker only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ItemMasterFormatError, parseItemMaster, type ItemMasterFormat } from './file';
import { ImportLimitError, type ImportLimits } from './import-limits';
import { parseMovements } from './file-movements';

export interface ImportJob {
  input: Uint8Array;
  format: ItemMasterFormat;
  /** ISO time the items are stamped with. */
  now: string;
  limits: ImportLimits;
  /** An item master (default) or a movements file (issue #17). */
  kind?: 'items' | 'movements';
}

export type ImportOutcome =
  | { ok: true; result: Awaited<ReturnType<typeof parseItemMaster>> }
  | { ok: true; movements: Awaited<ReturnType<typeof parseMovements>> }
  | { ok: false; kind: 'limit'; cap: ImportLimitError['cap']; limit: number; message: string }
  | { ok: false; kind: 'format' | 'other'; message: string };

async function run(job: ImportJob): Promise<ImportOutcome> {
  try {
    const input = Buffer.from(job.input.buffer, job.input.byteOffset, job.input.byteLength);
    const now = new Date(job.now);
    if (job.kind === 'movements')
      return {
        ok: true,
        movements: await parseMovements(input, job.format, { limits: job.limits }),
      };
    return {
      ok: true,
      result: await parseItemMaster(input, job.format, { now: () => now, limits: job.limits }),
    };
  } catch (err) {
    if (err instanceof ImportLimitError) {
      return { ok: false, kind: 'limit', cap: err.cap, limit: err.limit, message: err.message };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, kind: err instanceof ItemMasterFormatError ? 'format' : 'other', message };
  }
}

parentPort?.postMessage(await run(workerData as ImportJob));
