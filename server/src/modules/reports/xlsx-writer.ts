/**
 * Streams a report as XLSX with exceljs's streaming WorkbookWriter (no shared strings, so memory
 * does not grow with distinct texts): bold frozen header row, auto-filter over the data, number
 * and date formats per column kind, a new sheet whenever one reaches the row limit.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ColumnKind, ReportColumn } from '@stockverify/shared';
import { drained } from './back-pressure';
import { cellValue } from './cells';

/** Excel's row limit per sheet, header included. */
export const EXCEL_MAX_ROWS = 1_048_576;

const NUM_FMT: Record<ColumnKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  qty: '#,##0.###;-#,##0.###;0',
  money: '#,##0.00',
  percent: '0.00',
  date: 'yyyy-mm-dd hh:mm:ss',
};

/** Excel sheet names: at most 31 characters, none of []:*?/\ . */
function sheetName(title: string, n: number): string {
  const base = title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 24);
  return n === 1 ? base : `${base} (${n})`;
}

/** Column letter(s) of a 1-based column number (1 → A, 27 → AA). */
function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26))
    s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The part of exceljs's sheet stream (a StreamBuf) that shows whether the zip keeps up. */
interface SheetStream {
  pipes?: Writable[];
}

/** XML queued ahead of deflate, in bytes (archiver pipes through readable-stream 2). */
function backlog(pipe: Writable): number {
  const state = (pipe as unknown as { _writableState?: { length: number } })._writableState;
  return state?.length ?? pipe.writableLength;
}

/**
 * How much XML may wait for deflate: enough that deflate (on the libuv pool) works while the
 * next rows are built, small enough to bound memory.
 */
const MAX_BACKLOG = 2 * 1024 * 1024;

/**
 * Waits until the zip has taken the sheet's XML so far. exceljs's sheet stream ignores the
 * back-pressure of the stream archiver reads it through, so without this wait a fast producer
 * piles XML up in memory ahead of deflate (≈ 75 MB per 100k rows measured). Relies on exceljs
 * 4.4 internals; the bounded-memory test in test/api/reports-streaming.test.ts guards it.
 */
async function zipCaughtUp(sheet: ExcelJS.Worksheet, signal: AbortSignal): Promise<void> {
  const stream = (sheet as unknown as { stream: SheetStream }).stream;
  for (;;) {
    if (signal.aborted) return;
    const pipe = stream.pipes?.[0];
    // Not piped yet: archiver is still zipping the entries before this sheet.
    if (pipe && backlog(pipe) < MAX_BACKLOG) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export interface XlsxOptions {
  title: string;
  /** Rows per sheet including the header (default: Excel's limit); tests set it small. */
  sheetRowLimit?: number;
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
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const lastColumn = columnLetter(columns.length);
  const cellStyles: Array<Partial<ExcelJS.Style>> = columns.map((c) => {
    const numFmt = NUM_FMT[c.kind];
    return numFmt ? { numFmt } : {};
  });
  let sheets = 0;
  let rows = 0;
  let sheet!: ExcelJS.Worksheet;
  let sheetRows = 0;

  const openSheet = () => {
    sheets++;
    sheet = workbook.addWorksheet(sheetName(options.title, sheets), {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width,
      style: NUM_FMT[c.kind] ? { numFmt: NUM_FMT[c.kind] } : {},
    }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    header.commit();
    sheetRows = 1;
  };
  const closeSheet = () => {
    sheet.autoFilter = `A1:${lastColumn}${sheetRows}`;
    (sheet as unknown as { commit(): void }).commit();
  };

  openSheet();
  for await (const chunk of chunks) {
    if (signal.aborted) break;
    for (const source of chunk) {
      if (sheetRows >= limit) {
        closeSheet();
        openSheet();
      }
      const record = source as Record<string, unknown>;
      const row = sheet.addRow(columns.map((c) => cellValue(c, record[c.key])));
      // One shared style object per column: exceljs caches a style's id by object identity, so
      // it no longer builds and looks up a style per cell (a quarter of the export's time).
      row.eachCell((cell, col) => {
        cell.style = cellStyles[col - 1]!;
      });
      row.commit();
      sheetRows++;
      rows++;
    }
    // Deflate must keep up with the rows, and the client with the zip (which pipes into `out`).
    await zipCaughtUp(sheet, signal);
    await drained(out, signal);
    if (signal.aborted) break;
  }
  if (signal.aborted) {
    (workbook as unknown as { zip: { abort(): void } }).zip.abort();
    return { rows, sheets };
  }
  closeSheet();
  await workbook.commit();
  return { rows, sheets };
}
