/**
 * The same report reads the same whoever made the file (issue #15 point 6, ADR 0005): the
 * server's streamed export and the console's local writer (the report job the Web Worker runs,
 * fed by the same pages it fetches) are read back with exceljs and compared sheet by sheet — names,
 * every cell's value, number format, fill and boldness — and the CSV files byte for byte. Only the
 * "Generated" instant on the Summary sheet may differ (two requests, two moments).
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_TITLES, type ReportRequestInput, type ReportType } from '@stockverify/shared';
import { filterSummary } from '@stockverify/shared/spreadsheet';
import { runReportJob, type ReportFormat } from '../src/renderer/features/reports/report-job';
import { reportPages } from '../src/renderer/features/reports/report-pages';
import {
  apiClient,
  startServer,
  waitFor,
  type RunningServer,
} from '../../shared/test-support/real-server';

let server: RunningServer;
let adminToken: string;
let warehouse: string;
/** Audit entries up to here: each export adds one, which the next file would show. */
let auditUntil: string;

beforeAll(async () => {
  // No movement pulls: the report carries each item's figures at count, which the server's
  // drain computes in the background after a count and again after each pull; both files must be
  // made from the same figures (the wait below).
  server = await startServer({ ERP_MOVEMENTS_INTERVAL_MS: '0' });
  const { call, login } = apiClient(server.url);
  adminToken = await login('admin', server.adminPassword);
  const staff = { username: 'staff-files', password: 'staff-files-pw-1' };
  await call('POST', '/users', adminToken, { ...staff, full_name: 'Staff', role: 'staff' });
  const staffToken = await login(staff.username, staff.password);
  warehouse = await waitFor(
    'the ERP mirror',
    async () => {
      const status = await call<{ item_count: number }>('GET', '/erp/status', adminToken);
      const list = await call<{ items: Array<{ id: string }> }>('GET', '/warehouses', adminToken);
      return status.item_count > 0 && list.items[0] ? list.items[0].id : null;
    },
    30_000,
  );
  const session = await call<{ id: string }>('POST', '/sessions', adminToken, {
    warehouse,
    name: '=Files "agree", Q4',
    mode: 'standard',
  });
  const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
    'GET',
    `/sessions/${session.id}/book-quantities`,
    adminToken,
  );
  // Count items of one rack: one short, one far over the book (|variance| > book), one right.
  let counted = 0;
  let claim: { rack: string; fencing_token: number } | null = null;
  for (const candidate of book.items.filter((b) => b.book_qty >= 2)) {
    const item = await call<{ stock?: Array<{ warehouse: string; rack: string | null }> }>(
      'GET',
      `/items/${encodeURIComponent(candidate.item_code)}`,
      adminToken,
    );
    const place = item.stock?.find((s) => s.warehouse === warehouse && s.rack);
    if (!place?.rack || (claim && place.rack !== claim.rack)) continue;
    if (!claim) {
      const answer: { fencing_token: number } = await call<{ fencing_token: number }>(
        'POST',
        `/sessions/${session.id}/racks/${encodeURIComponent(place.rack)}/claim`,
        staffToken,
        { device_id: 'files-phone' },
      );
      claim = { rack: place.rack, fencing_token: answer.fencing_token };
    }
    const qty = [candidate.book_qty - 1, candidate.book_qty * 3 + 7, candidate.book_qty][counted]!;
    await call('POST', `/sessions/${session.id}/count-lines`, staffToken, {
      op_id: randomUUID(),
      type: 'count',
      session_id: session.id,
      rack: claim.rack,
      item_code: candidate.item_code,
      counted_qty: qty,
      damaged_qty: 0,
      non_returnable_damaged_qty: 0,
      serials: [],
      fencing_token: claim.fencing_token,
      variance_reason: '@counted again',
      counted_at: new Date().toISOString(),
    });
    if (++counted === 3) break;
  }
  expect(counted, 'two items counted on one rack').toBeGreaterThanOrEqual(2);
  await waitFor(
    'the figures at count of the counted items',
    async () => {
      const page = await call<{ items: Array<{ at_count_status?: string }> }>(
        'GET',
        `/sessions/${session.id}/variances?page=1&page_size=100`,
        adminToken,
      );
      return page.items.every((v) => v.at_count_status !== 'pending') ? true : null;
    },
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  auditUntil = new Date().toISOString();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function serverFile(format: ReportFormat, request: ReportRequestInput): Promise<Uint8Array> {
  const res = await fetch(`${server.url}/api/reports/export/${format}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** What the console's report worker writes for the same request. */
async function consoleFile(format: ReportFormat, request: ReportRequestInput) {
  const chunks: Uint8Array[] = [];
  const type = request.type as ReportType;
  let columns = null as null | Parameters<typeof runReportJob>[0]['columns'];
  const pages = reportPages({
    baseUrl: server.url,
    token: adminToken,
    request,
    pageSize: 2,
    onFirstPage: (page) => {
      columns = page.columns;
    },
  });
  // The worker learns the columns from the first page, as ReportsScreen does.
  const first = await pages.next();
  await runReportJob({
    format,
    title: REPORT_TITLES[type],
    sheetName: REPORT_TITLES[type],
    columns: columns!,
    summary: filterSummary(request.filters),
    pages: (async function* () {
      if (!first.done) yield first.value;
      yield* pages;
    })(),
    onChunk: (chunk) => chunks.push(chunk),
    onProgress: () => undefined,
  });
  return Buffer.concat(chunks);
}

interface CellView {
  ref: string;
  value: unknown;
  numFmt: string | undefined;
  fill: string | undefined;
  bold: boolean;
}

async function readBack(bytes: Uint8Array) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets.map((sheet) => {
    const cells: CellView[] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      row.eachCell({ includeEmpty: true }, (cell) => {
        const generated = sheet.name === 'Summary' && row.getCell(1).value === 'Generated';
        cells.push({
          ref: cell.address,
          value: generated && Number(cell.col) === 2 ? 'an instant' : cell.value,
          numFmt: cell.numFmt,
          fill: (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb,
          bold: cell.font?.bold === true,
        });
      });
    });
    return {
      name: sheet.name,
      frozen: sheet.views?.[0]?.state ?? null,
      filter: sheet.autoFilter ?? null,
      cells,
    };
  });
}

const REQUESTS: ReportRequestInput[] = [
  { type: 'variance', filters: {} },
  { type: 'stock_summary', group_by: 'category', filters: {} },
  { type: 'session_history', filters: {} },
  { type: 'user_activity', filters: {} },
  { type: 'audit_trail', filters: { from: '2020-01-01T00:00:00.000Z' } },
  { type: 'count_quality', filters: {} },
];

describe('a report file reads the same whoever made it', () => {
  it.each(REQUESTS)('XLSX: $type', async (asked) => {
    const request =
      asked.type === 'audit_trail'
        ? { ...asked, filters: { ...asked.filters, to: auditUntil } }
        : asked;
    const fromServer = await readBack(await serverFile('xlsx', request));
    const fromConsole = await readBack(await consoleFile('xlsx', request));
    expect(fromServer.map((s) => s.name).at(-1)).toBe('Summary');
    // Something to compare: header, at least one data row, formats on numbers.
    expect(fromServer[0]!.cells.length).toBeGreaterThan(REQUESTS.length);
    expect(fromConsole).toEqual(fromServer);
  });

  it('XLSX: the variance report has coloured variances, percent and date formats elsewhere', async () => {
    const variance = await readBack(await consoleFile('xlsx', REQUESTS[0]!));
    expect(variance[0]!.cells.some((c) => c.fill === 'FFFDE2E1' || c.fill === 'FFE2F5E5')).toBe(
      true,
    );
    const history = await readBack(await serverFile('xlsx', REQUESTS[2]!));
    const formats = new Set(history[0]!.cells.map((c) => c.numFmt));
    expect(formats).toContain('0.00"%"');
    expect(formats).toContain('yyyy-mm-dd hh:mm:ss');
  });

  it.each(REQUESTS.filter((r) => r.type !== 'audit_trail'))('CSV: $type', async (request) => {
    const fromServer = Buffer.from(await serverFile('csv', request)).toString('utf8');
    const fromConsole = (await consoleFile('csv', request)).toString('utf8');
    expect(fromConsole).toBe(fromServer);
  });
});
