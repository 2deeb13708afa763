/**
 * The adjustment package of a reconciled session (issue #7), through the API on SQLite: refused
 * before reconciliation, the approved per-item adjustments with approver and reason, totals equal
 * to GET /sessions/:id/variances to the cent, a stable content hash, the XLSX read back with
 * exceljs, and the staging-table write-back (off by default; idempotent through the service).
 */
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roundMoney, roundQty, type CountSession } from '@stockverify/shared';
import type { ItemVariance } from '../../src/ports/counting';
import type { AdjustmentWriter } from '../../src/ports/erp-writeback';
import { createAuditLog } from '../../src/modules/audit/audit-log';
import type {
  AdjustmentPackage,
  AdjustmentRow,
} from '../../src/modules/adjustments/adjustment-package';
import { createAdjustmentsService } from '../../src/modules/adjustments/adjustments.service';
import { XLSX_COLUMNS } from '../../src/modules/adjustments/adjustments-xlsx';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let sup2: { token: string };
let admin: { token: string };
let alice: { token: string };

beforeEach(async () => {
  t = await startTestApp({ startAt: new Date('2026-11-29T09:00:00Z') });
  await seedCounting(t);
  sup = await t.userWithRole('supervisor', 'sup');
  sup2 = await t.userWithRole('supervisor', 'sup2');
  admin = await t.userWithRole('admin', 'boss');
  alice = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

async function lineIdOf(sessionId: string, op: string): Promise<string> {
  return (await t.store.lines.getByOpId(op))!.id;
}

/**
 * A session with: ITM-A short by 2 (with a reason, below the review thresholds), ITM-B over by
 * 200 (reviewed and approved by sup2), an extra ITM-A line rejected, KG-1 short by 1.25 kg, and
 * ITM-C matching its book on A-02 only (B-01 not counted, so short by 4). Closed, not reconciled.
 */
async function countedSession(): Promise<CountSession> {
  const s = await createSession(t, sup.token);
  const a01 = (await claim(t, alice.token, s.id, 'A-01')).body.data;
  const a02 = (await claim(t, alice.token, s.id, 'A-02')).body.data;
  const b01 = (await claim(t, alice.token, s.id, 'B-01')).body.data;
  const recs = {
    a: countRecord(s.id, 'A-01', 'ITM-A', a01.fencing_token, {
      counted_qty: 8,
      variance_reason: 'two missing',
    }),
    aExtra: countRecord(s.id, 'A-01', 'ITM-A', a01.fencing_token, {
      counted_qty: 5,
      variance_reason: 'scanned twice',
    }),
    b: countRecord(s.id, 'A-01', 'ITM-B', a01.fencing_token, {
      counted_qty: 300,
      variance_reason: 'delivery not booked',
    }),
    c: countRecord(s.id, 'A-02', 'ITM-C', a02.fencing_token, {
      counted_qty: 6,
      variance_reason: 'B-01 side empty',
    }),
    kg: countRecord(s.id, 'B-01', 'KG-1', b01.fencing_token, {
      counted_qty: 19.25,
      variance_reason: 'spillage',
    }),
  };
  const res = await sync(t, alice.token, Object.values(recs));
  expect(res.body.data.results.map((r) => r.status)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
  t.advance(60_000);
  const reject = await t.request(
    'PATCH',
    `/api/lines/${await lineIdOf(s.id, recs.aExtra.op_id)}/review`,
    {
      token: sup.token,
      body: { decision: 'reject', note: 'double scan' },
    },
  );
  expect(reject.status).toBe(200);
  t.advance(60_000);
  const approve = await t.request(
    'PATCH',
    `/api/lines/${await lineIdOf(s.id, recs.b.op_id)}/review`,
    {
      token: sup2.token,
      body: { decision: 'approve', note: 'delivery note found' },
    },
  );
  expect(approve.status).toBe(200);
  // Whatever else the review rules flagged, a supervisor approves it.
  const flagged = await t.store.lines.list(s.id, {
    page: 1,
    page_size: 50,
    status: 'NEEDS_REVIEW',
  });
  for (const line of flagged.items) {
    await t.request('PATCH', `/api/lines/${line.id}/review`, {
      token: sup.token,
      body: { decision: 'approve' },
    });
  }
  const closed = await t.request('POST', `/api/sessions/${s.id}/close`, {
    token: sup.token,
    body: {},
  });
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  return s;
}

async function reconcile(id: string) {
  t.advance(60_000);
  const res = await t.request('POST', `/api/sessions/${id}/reconcile`, {
    token: sup.token,
    body: {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** The rule of the package's hash, written out independently: keys sorted, no spaces. */
/** JSON with every object's keys sorted, at every level (rows carry their bins since issue #16). */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : 1,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
}

function expectedHash(rows: AdjustmentRow[]): string {
  return createHash('sha256').update(sortedJson(rows)).digest('hex');
}

describe('GET /sessions/:id/adjustments', () => {
  it('is refused until the session is reconciled, and to staff', async () => {
    const s = await countedSession();
    const early = await t.request('GET', `/api/sessions/${s.id}/adjustments`, { token: sup.token });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({
      code: 'INVALID_TRANSITION',
      status: 'CLOSED',
      reason: 'SESSION_NOT_RECONCILED',
    });
    await reconcile(s.id);
    const staff = await t.request('GET', `/api/sessions/${s.id}/adjustments`, {
      token: alice.token,
    });
    expect(staff.status).toBe(403);
    const missing = await t.request('GET', '/api/sessions/nope/adjustments', { token: sup.token });
    expect(missing.status).toBe(404);
    const badFormat = await t.request('GET', `/api/sessions/${s.id}/adjustments?format=pdf`, {
      token: sup.token,
    });
    expect(badFormat.status).toBe(400);
  });

  it('lists the approved adjustments; totals equal the variances endpoint to the cent', async () => {
    const s = await countedSession();
    await reconcile(s.id);
    const res = await t.request<AdjustmentPackage>(
      'GET',
      `/api/sessions/${s.id}/adjustments?format=json`,
      {
        token: sup.token,
      },
    );
    expect(res.status).toBe(200);
    const pkg = res.body.data;
    const variances = (
      await t.request<{ items: ItemVariance[] }>('GET', `/api/sessions/${s.id}/variances`, {
        token: sup.token,
      })
    ).body.data.items;

    expect(pkg.format).toBe('stockverify.adjustments/1');
    expect(pkg.session).toMatchObject({ id: s.id, warehouse: 'WH-T', reconciled_by: 'sup' });
    const byCode = Object.fromEntries(pkg.rows.map((r) => [r.item_code, r]));
    expect(Object.keys(byCode).sort()).toEqual(
      variances
        .filter((v) => v.variance !== 0)
        .map((v) => v.item_code)
        .sort(),
    );
    expect(byCode['ITM-A']).toMatchObject({
      book_qty: 10,
      counted_qty: 8,
      variance: -2,
      unit_cost: 2,
      value_at_cost: -4,
      reason: 'two missing',
    });
    // The rejected extra line does not count and its reason is not carried.
    expect(byCode['ITM-A']!.reason).not.toContain('scanned twice');
    expect(byCode['ITM-B']).toMatchObject({
      variance: 200,
      value_at_cost: 100,
      reason: 'delivery not booked',
      approver: 'sup2',
    });
    expect(byCode['ITM-A']).toMatchObject({
      approver: 'sup',
      approved_at: pkg.session.reconciled_at,
    });
    expect(byCode['ITM-B']!.approved_at < pkg.session.reconciled_at).toBe(true);
    expect(byCode['KG-1']).toMatchObject({ variance: -1.25, value_at_cost: -7.5 });
    expect(byCode['ITM-C']).toMatchObject({ variance: -4, value_at_cost: -16 });
    for (const row of pkg.rows) {
      const v = variances.find((x) => x.item_code === row.item_code)!;
      expect([
        row.book_qty,
        row.counted_qty,
        row.variance,
        row.value_at_cost,
        row.value_at_price,
      ]).toEqual([v.book_qty, v.counted_qty, v.variance, v.value_at_cost, v.value_at_price]);
      expect(row.warehouse).toBe('WH-T');
      expect(row.approved_at).toMatch(/^2026-11-29T/);
    }
    expect(pkg.totals).toEqual({
      items: pkg.rows.length,
      variance: roundQty(variances.reduce((n, v) => n + v.variance, 0)),
      value_at_cost: roundMoney(variances.reduce((n, v) => n + v.value_at_cost, 0)),
      value_at_price: roundMoney(variances.reduce((n, v) => n + v.value_at_price, 0)),
    });
    expect(pkg.totals.value_at_cost).toBe(
      roundMoney(pkg.rows.reduce((n, r) => n + r.value_at_cost, 0)),
    );
    // Session metrics agree too.
    const detail = await t.request<{ metrics: { variance_value_at_cost: number } }>(
      'GET',
      `/api/sessions/${s.id}`,
      { token: sup.token },
    );
    expect(detail.body.data.metrics.variance_value_at_cost).toBe(pkg.totals.value_at_cost);

    expect(pkg.content_hash).toBe(expectedHash(pkg.rows));
    t.advance(3_600_000);
    sup.token = await t.signIn('sup', `pw-sup-secret`);
    const again = await t.request<AdjustmentPackage>('GET', `/api/sessions/${s.id}/adjustments`, {
      token: sup.token,
    });
    expect(again.body.data.generated_at).not.toBe(pkg.generated_at);
    expect(again.body.data.content_hash).toBe(pkg.content_hash);
    const audit = await t.store.audit.list({
      page: 1,
      page_size: 10,
      action: 'adjustments.export',
    });
    expect(audit.total).toBe(2);
  });

  it('streams the same package as XLSX (read back with exceljs)', async () => {
    const s = await countedSession();
    await reconcile(s.id);
    const json = (
      await t.request<AdjustmentPackage>('GET', `/api/sessions/${s.id}/adjustments`, {
        token: sup.token,
      })
    ).body.data;
    const res = await fetch(`${t.baseUrl}/api/sessions/${s.id}/adjustments?format=xlsx`, {
      headers: { authorization: `Bearer ${sup.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain(`adjustments-${s.id}.xlsx`);
    expect(res.headers.get('x-content-hash')).toBe(json.content_hash);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Adjustments')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(XLSX_COLUMNS.map((c) => c.key));
    const rows: Record<string, unknown>[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, i) => [h as string, values[i] ?? null])));
    });
    // The bins and their counts are on the Counts sheet (bins.test.ts).
    expect(rows).toEqual(json.rows.map(({ bins: _bins, ...r }) => r));
    const about = workbook.getWorksheet('Package')!;
    const facts = new Map<string, unknown>();
    about.eachRow((row) => facts.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(facts.get('content_hash')).toBe(json.content_hash);
    expect(facts.get('total_value_at_cost')).toBe(json.totals.value_at_cost);
  });
});

describe('write-back to the ERP staging table', () => {
  it('is off by default: 409 with a clear reason, nothing written', async () => {
    const s = await countedSession();
    await reconcile(s.id);
    const res = await t.request('POST', `/api/sessions/${s.id}/adjustments/writeback`, {
      token: admin.token,
      body: {},
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', reason: 'WRITEBACK_DISABLED' });
    const supervisorTry = await t.request('POST', `/api/sessions/${s.id}/adjustments/writeback`, {
      token: sup.token,
      body: {},
    });
    expect(supervisorTry.status).toBe(403);
  });

  it('hands the package to the writer, once per content hash, and audits it', async () => {
    const s = await countedSession();
    await reconcile(s.id);
    const written = new Map<string, AdjustmentPackage>();
    const writer: AdjustmentWriter = {
      table: 'stage.StockAdjustments',
      async write(pkg) {
        const key = `${pkg.session.id}:${pkg.content_hash}`;
        if (written.has(key)) return { table: this.table, inserted: 0, already_written: true };
        written.set(key, pkg);
        return { table: this.table, inserted: pkg.rows.length, already_written: false };
      },
      async close() {},
    };
    const service = createAdjustmentsService({
      store: t.store,
      audit: createAuditLog(t.store, t.clock),
      clock: t.clock,
      writer,
    });
    const actor = { id: 'admin-id', username: 'boss', role: 'admin' as const };
    const meta = { request_id: null, ip: null };
    const first = await service.writeback(actor, meta, s.id);
    expect(first).toMatchObject({ inserted: 4, already_written: false, rows: 4 });
    const second = await service.writeback(actor, meta, s.id);
    expect(second).toMatchObject({ inserted: 0, already_written: true });
    expect(second.content_hash).toBe(first.content_hash);
    const audit = await t.store.audit.list({
      page: 1,
      page_size: 10,
      action: 'adjustments.writeback',
    });
    expect(audit.total).toBe(2);

    const failing = createAdjustmentsService({
      store: t.store,
      audit: createAuditLog(t.store, t.clock),
      clock: t.clock,
      writer: {
        ...writer,
        write: () => Promise.reject(new Error('Login failed for user sv_writer')),
      },
    });
    await expect(failing.writeback(actor, meta, s.id)).rejects.toMatchObject({
      status: 503,
      code: 'ERP_UNAVAILABLE',
    });
  });
});
