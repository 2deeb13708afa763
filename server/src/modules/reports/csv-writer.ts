/** Streams a report as CSV: UTF-8 with a BOM (Excel reads the encoding), RFC 4180, CRLF. */
import type { Writable } from 'node:stream';
import type { ReportColumn } from '@stockverify/shared';
import { drained } from './back-pressure';
import { csvHeader, csvRecord } from './cells';

const BOM = '\uFEFF';

/** Writes header and rows chunk by chunk, waiting for 'drain' whenever the client lags. */
export async function writeCsv(
  out: Writable,
  columns: readonly ReportColumn[],
  chunks: AsyncIterable<ReadonlyArray<object>>,
  signal: AbortSignal,
): Promise<{ rows: number }> {
  let rows = 0;
  out.write(BOM + csvHeader(columns));
  for await (const chunk of chunks) {
    if (signal.aborted) break;
    let text = '';
    for (const row of chunk) text += csvRecord(columns, row as Record<string, unknown>);
    rows += chunk.length;
    if (!out.write(text)) await drained(out, signal);
    if (signal.aborted) break;
  }
  return { rows };
}
