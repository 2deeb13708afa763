/**
 * What the expected-at-count tests share (issue #17, docs/design.md §13): the server's start time,
 * a phone five minutes slow, and an ERP movement of the seeded ITM-B in WH-T (a pick of 5 posted
 * 08:30 as entry 1001) that each test varies; the app with its supervisor and counter, the mirror
 * at watermark 1000, the worked example's movements, a phone's sync batch, approving and closing
 * a session, and the adjustment package's XLSX rows.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import { syncBatchAnswerSchema, type ErpMovement, type SyncBatchAnswer } from '@stockverify/shared';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { XLSX_COLUMNS } from '../../src/modules/adjustments/adjustments-xlsx';
import { writeMirrorWatermark } from '../../src/modules/erp/mirror-watermark';
import type { ErpSource } from '../../src/ports/erp';
import { seedCounting } from './counting-fixture';
import { startTestApp, type TestApp } from './test-app';

export const SERVER_START = '2026-12-06T08:39:30.000Z';

/** The phone's clock, five minutes behind the server's. */
export const slowPhone = (serverNow: Date): string =>
  new Date(serverNow.getTime() - 5 * 60_000).toISOString();

export function movement(extra: Partial<ErpMovement>): ErpMovement {
  return {
    item_code: 'ITM-B',
    warehouse: 'WH-T',
    rack: null,
    quantity: -5,
    posted_at: '2026-12-06T08:30:00.000Z',
    doc_type: 'SHIPMENT',
    doc_no: 'SO-1',
    watermark: '1001',
    ...extra,
  };
}

/** The app at SERVER_START with the counting seed, a supervisor and a counter (alice). */
export async function startMovementsApp(): Promise<{
  t: TestApp;
  sup: { token: string };
  alice: { token: string; id: string };
}> {
  const t = await startTestApp({ startAt: new Date(SERVER_START) });
  await seedCounting(t);
  const sup = await t.userWithRole('supervisor', 'sup');
  const a = await t.userWithRole('staff', 'alice');
  return { t, sup, alice: { token: a.token, id: a.user.id } };
}

/**
 * The ERP mirror read up to watermark 1000 at 08:00 (with `high`, a movement up to it may have
 * been posted while the snapshot's stock was read): a session created now snapshots the ledger
 * up to it.
 */
export async function mirrorAt1000(t: TestApp, high?: string): Promise<void> {
  await writeMirrorWatermark(t.store.meta, {
    watermark: '1000',
    known: true,
    read_at: '2026-12-06T08:00:00.000Z',
    ...(high ? { watermark_high: high } : {}),
  });
}

/**
 * ITM-B's movements in the worked example (snapshot book 100 at watermark 1000): a pick of 5
 * (1001) before the count, a receipt of 12 (1002) and a pick of 4 (1003) after it: live book 103.
 */
export function workedExampleMovements(): ErpMovement[] {
  return [
    movement({}),
    movement({
      watermark: '1002',
      posted_at: '2026-12-06T09:10:00.000Z',
      quantity: 12,
      doc_type: 'RECEIPT',
      doc_no: 'PO-9',
    }),
    movement({ watermark: '1003', posted_at: '2026-12-06T09:40:00.000Z', quantity: -4 }),
  ];
}

/** A sync batch from device phone-7 (`body` adds the clock and records); answered 200, parsed. */
export async function syncFromPhone(
  t: TestApp,
  token: string,
  body: Record<string, unknown>,
): Promise<SyncBatchAnswer> {
  const res = await t.request('POST', '/api/sync/batch', {
    token,
    body: { device_id: 'phone-7', ...body },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return syncBatchAnswerSchema.parse(res.body.data);
}

/** Approves the session's lines that need review and closes it; then a minute passes. */
export async function approveAndClose(t: TestApp, token: string, sessionId: string) {
  const flagged = await t.store.lines.list(sessionId, {
    page: 1,
    page_size: 50,
    status: 'NEEDS_REVIEW',
  });
  for (const line of flagged.items) {
    const r = await t.request('PATCH', `/api/lines/${line.id}/review`, {
      token,
      body: { decision: 'approve' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const closed = await t.request('POST', `/api/sessions/${sessionId}/close`, { token, body: {} });
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  t.advance(60_000);
}

/** The adjustment package as XLSX: its header (checked against XLSX_COLUMNS) and rows by item. */
export async function adjustmentXlsx(
  t: TestApp,
  token: string,
  sessionId: string,
): Promise<{ header: string[]; rows: Record<string, Record<string, unknown>> }> {
  const xlsx = await fetch(`${t.baseUrl}/api/sessions/${sessionId}/adjustments?format=xlsx`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(xlsx.status).toBe(200);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Adjustments')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  expect(header).toEqual(XLSX_COLUMNS.map((c) => c.key));
  const rows: Record<string, Record<string, unknown>> = {};
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const values = (row.values as unknown[]).slice(1);
    const r = Object.fromEntries(header.map((h, i) => [h, values[i] ?? null]));
    rows[String(r.item_code)] = r;
  });
  return { header, rows };
}

/**
 * The demo ERP (200 items) whose movement ledger is `ledger`, as the test posts to it: the
 * puller reads it page by page after a watermark.
 */
export function ledgerErp(ledger: ErpMovement[]): ErpSource {
  const demo = createDemoErpSource({ itemCount: 200 });
  return {
    ...demo,
    kind: demo.kind,
    fetchItems: (o) => demo.fetchItems(o),
    async fetchMovements(since, { limit }) {
      const after = ledger
        .filter((m) => since === null || BigInt(m.watermark) > BigInt(since))
        .slice(0, limit);
      return { movements: after, watermark: after.at(-1)?.watermark ?? since };
    },
  };
}
