/**
 * Streams a report as CSV into a Node stream with the shared writer (shared/src/spreadsheet), so
 * the file is the one the console writes; waits for 'drain' between chunks whenever the client lags.
 */
import type { Writable } from 'node:stream';
import type { ReportColumn } from '@stockverify/shared';
import { createCsvWriter } from '@stockverify/shared/spreadsheet';
import { drained } from './back-pressure';

export async function writeCsv(
  out: Writable,
  columns: readonly ReportColumn[],
  chunks: AsyncIterable<ReadonlyArray<object>>,
  signal: AbortSignal,
): Promise<{ rows: number }> {
  // The writer's pieces of one chunk of rows go out as one write (fewer, larger socket writes).
  const pieces: Uint8Array[] = [];
  const flush = () => {
    if (pieces.length > 0) out.write(Buffer.concat(pieces.splice(0)));
  };
  const writer = createCsvWriter({ columns, onData: (piece) => pieces.push(piece) });
  let rows = 0;
  for await (const chunk of chunks) {
    if (signal.aborted) break;
    for (const row of chunk) writer.addRow(row as Record<string, unknown>);
    rows += chunk.length;
    flush();
    await drained(out, signal);
    if (signal.aborted) break;
  }
  if (!signal.aborted) {
    writer.finish();
    flush();
  }
  return { rows };
}
