/**
 * Streams a report as XLSX into a Node stream with the shared streaming writer
 * (shared/src/spreadsheet, ADR 0005): the same workbook the console writes — formats, colours,
 * Summary sheet. The writer deflates each chunk of rows as it takes them and hands the zip over at
 * once, so memory is bounded by one chunk; between chunks this waits until the client has taken
 * the response's buffer (back-pressure).
 */
import type { Writable } from 'node:stream';
import type { ReportColumn } from '@stockverify/shared';
import {
  EXCEL_MAX_DATA_ROWS,
  createXlsxWriter,
  type ReportRow,
} from '@stockverify/shared/spreadsheet';
import { drained } from './back-pressure';

/** Excel's row limit per sheet, header included. */
const EXCEL_MAX_ROWS = EXCEL_MAX_DATA_ROWS + 1;

export interface XlsxOptions {
  title: string;
  /** Rows per sheet including the header (default: Excel's limit); tests set it small. */
  sheetRowLimit?: number;
  /** Lines above the totals on the Summary sheet, e.g. the filters. */
  summary?: ReadonlyArray<readonly [string, string]>;
  /** The "Generated" instant on the Summary sheet. */
  now?: Date;
}

/** Writes the workbook to `out`; resolves when it is complete, or when `signal` aborts. */
export async function writeXlsx(
  out: Writable,
  columns: readonly ReportColumn[],
  chunks: AsyncIterable<ReadonlyArray<object>>,
  signal: AbortSignal,
  options: XlsxOptions,
): Promise<{ rows: number; sheets: number }> {
  const limit = Math.max(2, Math.min(options.sheetRowLimit ?? EXCEL_MAX_ROWS, EXCEL_MAX_ROWS));
  // The zip's pieces of one chunk of rows go out as one write (fewer, larger socket writes).
  const pieces: Uint8Array[] = [];
  const flush = () => {
    if (pieces.length > 0) out.write(Buffer.concat(pieces.splice(0)));
  };
  const writer = createXlsxWriter({
    title: options.title,
    sheetName: options.title,
    columns,
    summary: options.summary,
    maxRowsPerSheet: limit - 1,
    now: options.now,
    onData: (piece) => pieces.push(piece),
  });
  let rows = 0;
  let sheets = 0;
  for await (const chunk of chunks) {
    if (signal.aborted) break;
    for (const row of chunk) writer.addRow(row as ReportRow);
    rows += chunk.length;
    sheets = Math.max(1, Math.ceil(rows / (limit - 1)));
    flush();
    await drained(out, signal);
    if (signal.aborted) break;
  }
  if (signal.aborted) return { rows, sheets };
  const result = writer.finish();
  flush();
  return result;
}
