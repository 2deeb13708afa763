/**
 * Benchmark (not a timed test): local report generation with the same code the console's Web
 * Worker runs (runReportJob → streaming XLSX writer). Issue #5 targets: 100,000 rows ≤ 10 s and
 * ≤ 300 MB RSS; 1,000,000 rows ≤ 60 s with sheets split; progress at least every 500 ms.
 *
 *   npm run bench:console                 # 100k, 1M and 1.1M rows (split) XLSX, 100k CSV
 *   BENCH_ROWS=20000 npm run bench:console
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_COLUMNS } from '@stockverify/shared';
import type { ReportRow } from '@stockverify/shared/spreadsheet';
import { runReportJob } from '../src/renderer/features/reports/report-job';
import type { ReportFormat } from '../src/renderer/features/reports/report-job';

// The variance report's own columns (shared contract, issue #6).
const COLUMNS = REPORT_COLUMNS.variance;
const CATEGORIES = ['Tools', 'Fasteners', 'Electrical', 'Plumbing', 'Paint', 'Garden'];
const PAGE = 5000;

/** Deterministic rows shaped like the variance report's, in pages like the API's. */
async function* pages(total: number): AsyncGenerator<{ rows: ReportRow[]; total: number }> {
  for (let start = 0; start < total; start += PAGE) {
    const rows: ReportRow[] = [];
    for (let i = start; i < Math.min(total, start + PAGE); i++) {
      const book = (i * 7) % 500;
      const variance = ((i * 13) % 21) - 10;
      rows.push({
        session_id: '0f8c2b7e-5d1a-4c3e-9b2f-7a6d5e4c3b2a',
        session_name: 'Year-end 2026',
        warehouse: 'WH-MAIN',
        item_code: `ITM-${String(i).padStart(7, '0')}`,
        name: `Item number ${i} — widget`,
        category: CATEGORIES[i % CATEGORIES.length],
        book_qty: book,
        counted_qty: book + variance,
        damaged_qty: i % 17 === 0 ? 1 : 0,
        written_off_qty: 0,
        variance,
        value_at_cost: Math.round(variance * 3.75 * 100) / 100,
        value_at_price: Math.round(variance * 5.5 * 100) / 100,
        lines: 1 + (i % 3),
        racks: `A-${String(i % 40).padStart(2, '0')}`,
        counters: 'alice, bob',
        reasons: variance < 0 ? 'missing' : '',
        review_status: 'NEEDS_REVIEW',
        photos: 0,
        last_counted_at: new Date(Date.UTC(2026, 10, 29, 8, 0, i % 36_000)).toISOString(),
      });
    }
    yield { rows, total };
    // Let the event loop breathe, like a worker awaiting the next page.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Figure {
  format: ReportFormat;
  rows: number;
  seconds: number;
  peak_rss_mb: number;
  bytes: number;
  sheets: number;
  progress_events: number;
  max_progress_gap_ms: number;
}

async function measure(format: ReportFormat, rows: number): Promise<Figure> {
  globalThis.gc?.();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  let events = 0;
  let last = performance.now();
  let maxGap = 0;
  const started = performance.now();
  const result = await runReportJob({
    format,
    title: 'Variance report (benchmark)',
    sheetName: 'Variances',
    columns: COLUMNS,
    pages: pages(rows),
    onChunk(chunk) {
      chunks.push(chunk); // kept, as the worker keeps them until the save
      bytes += chunk.length;
    },
    onProgress() {
      const at = performance.now();
      maxGap = Math.max(maxGap, at - last);
      last = at;
      events++;
      peak = Math.max(peak, process.memoryUsage.rss());
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  chunks.length = 0;
  return {
    format,
    rows: result.rows,
    seconds: Math.round(seconds * 100) / 100,
    peak_rss_mb: Math.round(peak / 1024 / 1024),
    bytes,
    sheets: result.sheets,
    progress_events: events,
    max_progress_gap_ms: Math.round(maxGap),
  };
}

// 1,100,000 rows pass Excel's 1,048,575 data rows a sheet: the writer splits them over two sheets.
const sizes = process.env.BENCH_ROWS
  ? [Number(process.env.BENCH_ROWS)]
  : [100_000, 1_000_000, 1_100_000];
const figures: Figure[] = [];
for (const rows of sizes) figures.push(await measure('xlsx', rows));
figures.push(await measure('csv', Math.min(sizes[0] ?? 100_000, 100_000)));

console.table(
  figures.map((f) => ({
    format: f.format,
    rows: f.rows.toLocaleString('en'),
    seconds: f.seconds,
    'peak RSS MB': f.peak_rss_mb,
    'file MB': Math.round((f.bytes / 1024 / 1024) * 10) / 10,
    sheets: f.sheets,
    'progress events': f.progress_events,
    'max gap ms': f.max_progress_gap_ms,
  })),
);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'results', `xlsx-${new Date().toISOString().slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, figures }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
