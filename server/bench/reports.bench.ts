/**
 * Reports benchmark (issue #6): BENCH_LINES (1,000,000) count lines in SQLite (see
 * reports-server.ts), the variance report exported through the HTTP endpoint as CSV and as XLSX,
 * the server in its own process. Reports wall time, rows/s, bytes and the server's RSS growth
 * (peak during the export minus RSS before it); then, in this process, plain loops writing the
 * same number of rows of the same shape with exceljs's streaming writer to a file (without
 * styles, and with number formats on shared style objects as the endpoint writes them), for the
 * ratio.
 * Prints a table and writes bench/results/reports.json. Not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { REPORT_COLUMNS, type ReportPage, type VarianceRow } from '@stockverify/shared';
import { encodeCursor } from '../src/modules/reports/reports.service';
import type { ReportsServerInfo } from './reports-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOALS = { csv: { seconds: 15, rssMb: 150 }, xlsx: { seconds: 60, rssMb: 700 } };

function startServer(): Promise<{ child: ChildProcess; info: ReportsServerInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'reports-server.ts')], {
    cwd: path.join(here, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0)
        resolve({ child, info: JSON.parse(buffer.slice(0, newline)) as ReportsServerInfo });
    });
    child.once('exit', (code) => reject(new Error(`reports-server exited with ${code}`)));
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

const { child, info } = await startServer();
const base = `http://127.0.0.1:${info.port}`;
try {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: info.username, password: info.password }),
  });
  const token = ((await login.json()) as { data: { access_token: string } }).data.access_token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ type: 'variance', page_size: 1 });

  const jsonStart = performance.now();
  const first = await fetch(`${base}/api/reports/generate`, { method: 'POST', headers, body });
  const page = ((await first.json()) as { data: ReportPage<'variance'> }).data;
  const jsonMs = performance.now() - jsonStart;
  const rows = page.total;

  // Deep JSON pages: by offset (SQLite counts past every row before) and by cursor (an index
  // seek), both after a fresh first page (whose totals later pages reuse).
  const timed = async (request: object) => {
    const start = performance.now();
    const res = await fetch(`${base}/api/reports/generate`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'variance', ...request }),
    });
    const data = ((await res.json()) as { data: ReportPage<'variance'> }).data;
    return { ms: performance.now() - start, first: data.items[0]?.item_code };
  };
  const lastSession = `bench-session-${info.sessions - 1}`;
  const deepItem = info.items_per_session - 1000;
  const firstPage = await timed({ page_size: 1000 });
  const byOffset = await timed({ page: Math.floor(rows / 1000), page_size: 1000 });
  const byCursor = await timed({
    page_size: 1000,
    after: encodeCursor({
      session_id: lastSession,
      item_code: `ITEM-${String(deepItem - 1).padStart(7, '0')}`,
    }),
  });
  if (byCursor.first !== `ITEM-${String(deepItem).padStart(7, '0')}`)
    throw new Error(`cursor page starts at ${byCursor.first}`);

  const exports: Record<
    'csv' | 'xlsx',
    { ms: number; bytes: number; rssGrowthMb: number; peakRssMb: number }
  > = {
    csv: { ms: 0, bytes: 0, rssGrowthMb: 0, peakRssMb: 0 },
    xlsx: { ms: 0, bytes: 0, rssGrowthMb: 0, peakRssMb: 0 },
  };
  for (const format of ['csv', 'xlsx'] as const) {
    await fetch(`${base}/bench/rss?reset=1`);
    const start = performance.now();
    const res = await fetch(`${base}/api/reports/export/${format}`, {
      method: 'POST',
      headers,
      body,
    });
    if (res.status !== 200) throw new Error(`export ${format}: ${res.status}`);
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      bytes += chunk.byteLength;
    const ms = performance.now() - start;
    const rss = (await (await fetch(`${base}/bench/rss`)).json()) as { base: number; peak: number };
    exports[format] = {
      ms,
      bytes,
      rssGrowthMb: (rss.peak - rss.base) / MB,
      peakRssMb: rss.peak / MB,
    };
  }

  // The same number of rows of the same shape, written by exceljs alone to a file: as its docs
  // show (no styles), and with the endpoint's number formats on shared style objects.
  const sample = page.items[0] as VarianceRow;
  const columns = REPORT_COLUMNS.variance;
  const plainLoop = async (styled: boolean) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-xlsx-')), 'plain.xlsx');
    const start = performance.now();
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: false,
      useStyles: styled,
    });
    const sheet = workbook.addWorksheet('Variance');
    sheet.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    const styles = columns.map((c) =>
      c.kind === 'money'
        ? { numFmt: '#,##0.00' }
        : c.kind === 'date'
          ? { numFmt: 'yyyy-mm-dd hh:mm:ss' }
          : {},
    );
    for (let i = 0; i < rows; i++) {
      const row: Record<string, unknown> = { ...sample, item_code: `ITEM-${i}` };
      const added = sheet.addRow(
        columns.map((c) =>
          c.kind === 'date' ? new Date(String(row[c.key])) : (row[c.key] as string | number | null),
        ),
      );
      if (styled) added.eachCell((cell, col) => (cell.style = styles[col - 1]!));
      added.commit();
    }
    sheet.commit();
    await workbook.commit();
    const ms = performance.now() - start;
    const bytes = fs.statSync(file).size;
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    return { ms, bytes };
  };
  const plain = await plainLoop(false);
  const styled = await plainLoop(true);
  const plainMs = plain.ms;
  const plainBytes = plain.bytes;

  const table = [
    {
      what: 'variance → CSV (HTTP)',
      rows,
      seconds: round(exports.csv.ms / 1000, 2),
      'rows/s': Math.round(rows / (exports.csv.ms / 1000)),
      MB: round(exports.csv.bytes / MB),
      'server RSS growth MB': round(exports.csv.rssGrowthMb),
      'goal s / MB': `${GOALS.csv.seconds} / ${GOALS.csv.rssMb}`,
    },
    {
      what: 'variance → XLSX (HTTP)',
      rows,
      seconds: round(exports.xlsx.ms / 1000, 2),
      'rows/s': Math.round(rows / (exports.xlsx.ms / 1000)),
      MB: round(exports.xlsx.bytes / MB),
      'server RSS growth MB': round(exports.xlsx.rssGrowthMb),
      'goal s / MB': `${GOALS.xlsx.seconds} / ${GOALS.xlsx.rssMb}`,
    },
    {
      what: 'plain exceljs loop → file, no styles',
      rows,
      seconds: round(plainMs / 1000, 2),
      'rows/s': Math.round(rows / (plainMs / 1000)),
      MB: round(plainBytes / MB),
      'server RSS growth MB': '—',
      'goal s / MB': '—',
    },
    {
      what: 'plain exceljs loop → file, formats',
      rows,
      seconds: round(styled.ms / 1000, 2),
      'rows/s': Math.round(rows / (styled.ms / 1000)),
      MB: round(styled.bytes / MB),
      'server RSS growth MB': '—',
      'goal s / MB': '—',
    },
  ];
  console.log(
    `\nReports: ${info.lines.toLocaleString('en')} count lines (${info.sessions} sessions × ` +
      `${info.items_per_session.toLocaleString('en')} items), seeded in ${round(info.seed_ms / 1000)} s; ` +
      `JSON page + totals in ${Math.round(jsonMs)} ms`,
  );
  console.table(table);
  console.log(
    `JSON pages of 1,000: first (with totals) ${Math.round(firstPage.ms)} ms; the last one by ` +
      `offset ${Math.round(byOffset.ms)} ms, by cursor ${Math.round(byCursor.ms)} ms`,
  );
  console.log(
    `XLSX through the endpoint / plain exceljs loop: ${round(exports.xlsx.ms / plainMs, 2)}× ` +
      `(no styles), ${round(exports.xlsx.ms / styled.ms, 2)}× (same formats)`,
  );

  const results = {
    date: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      node: process.version,
      memory_gb: round(os.totalmem() / 1024 ** 3),
    },
    lines: info.lines,
    sessions: info.sessions,
    items_per_session: info.items_per_session,
    seed_ms: info.seed_ms,
    variance_rows: rows,
    json_page_ms: Math.round(jsonMs),
    json_pages_of_1000: {
      first_ms: firstPage.ms,
      last_by_offset_ms: byOffset.ms,
      last_by_cursor_ms: byCursor.ms,
    },
    csv: { ...exports.csv, rows_per_s: rows / (exports.csv.ms / 1000), goal: GOALS.csv },
    xlsx: { ...exports.xlsx, rows_per_s: rows / (exports.xlsx.ms / 1000), goal: GOALS.xlsx },
    plain_exceljs: { ms: plainMs, bytes: plainBytes, rows_per_s: rows / (plainMs / 1000) },
    plain_exceljs_formats: { ...styled, rows_per_s: rows / (styled.ms / 1000) },
    xlsx_over_plain: exports.xlsx.ms / plainMs,
    xlsx_over_plain_formats: exports.xlsx.ms / styled.ms,
  };
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  fs.writeFileSync(
    path.join(here, 'results', 'reports.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
} finally {
  await stop(child);
}
