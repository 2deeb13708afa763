import {
  createCsvWriter,
  createXlsxWriter,
  type ReportColumn,
  type ReportRow,
} from '@stockverify/shared/spreadsheet';

export type ReportFormat = 'xlsx' | 'csv';

export interface ReportProgress {
  rows: number;
  /** Rows expected, when the source knows. */
  total: number | null;
}

export interface ReportJobOptions {
  format: ReportFormat;
  title: string;
  sheetName: string;
  columns: readonly ReportColumn[];
  summary?: ReadonlyArray<readonly [string, string]>;
  /** Pages of rows, e.g. from `POST /reports/generate`. */
  pages: AsyncIterable<{ rows: readonly ReportRow[]; total: number | null }>;
  onChunk(chunk: Uint8Array): void;
  onProgress(progress: ReportProgress): void;
  /** Progress is reported at least this often while rows are written (issue #5: ≤ 500 ms). */
  progressEveryMs?: number;
  maxRowsPerSheet?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface ReportJobResult {
  rows: number;
  sheets: number;
  totals: Record<string, number>;
}

/** Thrown when the job's signal aborts. */
export class ReportCancelled extends Error {
  constructor() {
    super('Report cancelled');
  }
}

/**
 * Writes a report from pages of rows into XLSX or CSV chunks, reporting progress on a clock (not
 * per page, so a slow page or a huge one never leaves the bar still), checking for cancellation
 * between chunks of rows. The console's Web Worker and the benchmark both run this.
 */
export async function runReportJob(options: ReportJobOptions): Promise<ReportJobResult> {
  const now = options.now ?? (() => performance.now());
  const every = options.progressEveryMs ?? 200;
  const writer =
    options.format === 'xlsx'
      ? createXlsxWriter({
          title: options.title,
          sheetName: options.sheetName,
          columns: options.columns,
          summary: options.summary,
          maxRowsPerSheet: options.maxRowsPerSheet,
          onData: (chunk) => options.onChunk(chunk),
        })
      : createCsvWriter({ columns: options.columns, onData: (chunk) => options.onChunk(chunk) });
  let rows = 0;
  let total: number | null = null;
  let lastReport = now();
  options.onProgress({ rows, total });
  for await (const page of options.pages) {
    if (options.signal?.aborted) throw new ReportCancelled();
    total = page.total ?? total;
    for (const row of page.rows) {
      writer.addRow(row);
      rows++;
      // Looking at the clock every 256 rows costs nothing measurable.
      if ((rows & 255) === 0 && now() - lastReport >= every) {
        lastReport = now();
        options.onProgress({ rows, total });
        if (options.signal?.aborted) throw new ReportCancelled();
      }
    }
    lastReport = now();
    options.onProgress({ rows, total });
  }
  if (options.signal?.aborted) throw new ReportCancelled();
  const result = writer.finish();
  options.onProgress({ rows, total: total ?? rows });
  return result;
}
