/**
 * The staging write-back of a session whose item moved (issue #17 item 3, docs/design.md §13
 * "The wiring": the adjustment package): the rows the ERP team reads carry what each posts. The
 * worked example (ITM-B, book 100 at watermark 1000, counted 93 after a pick of 5, a receipt of
 * 12 and a pick of 4 after the count) reconciled, written by the SQL Server writer into a staging
 * table behind the `mssql` request boundary (test/support/fake-staging-table.ts). A staging table
 * created before the new columns is refused with 409 naming them and the ALTER TABLE that adds
 * them; nothing is written and the failure is audited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CountSession } from '@stockverify/shared';
import {
  createMssqlAdjustmentWriter,
  WRITEBACK_COLUMNS,
} from '../../src/adapters/erp/mssql-writeback';
import { createAuditLog } from '../../src/modules/audit/audit-log';
import { createAdjustmentsService } from '../../src/modules/adjustments/adjustments.service';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import { fakeStagingTable } from '../support/fake-staging-table';
import { NEW_COLUMNS } from '../support/staging-package';
import {
  approveAndClose,
  mirrorAt1000,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
  workedExampleMovements,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
});
afterEach(async () => {
  await t.close();
});

/** ITM-B as in the worked example, ITM-A counted 8 of 10 and never moved; reconciled. */
async function reconciledWorkedExample(): Promise<CountSession> {
  await mirrorAt1000(t);
  const s = await createSession(t, sup.token);
  const c = await claimOk(t, alice.token, s.id, 'A-01');
  t.advance(30_000);
  const counted_at = '2026-12-06T08:34:00.000Z'; // 08:39 server time
  const answer = await syncFromPhone(t, alice.token, {
    client_sent_at: slowPhone(t.clock()),
    records: [
      countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 93, counted_at }),
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 8, counted_at }),
    ],
  });
  expect(answer.results.every((r) => r.status === 'OK')).toBe(true);
  await t.store.movements.record(workedExampleMovements(), {
    watermark: '1003',
    pulled_at: '2026-12-06T09:41:00.000Z',
  });
  await approveAndClose(t, sup.token, s.id);
  const rec = await t.request('POST', `/api/sessions/${s.id}/reconcile`, {
    token: sup.token,
    body: {},
  });
  expect(rec.status, JSON.stringify(rec.body)).toBe(200);
  return s;
}

function serviceOver(columns: readonly string[]) {
  const table = fakeStagingTable(columns);
  const writer = createMssqlAdjustmentWriter({
    url: 'mssql://writer:pw@erp/ERP',
    table: 'stage.StockVerifyAdjustments',
    connect: async () => table.pool,
  });
  const service = createAdjustmentsService({
    store: t.store,
    audit: createAuditLog(t.store, t.clock),
    clock: t.clock,
    writer,
  });
  return { table, service };
}

const actor = { id: 'admin-id', username: 'boss', role: 'admin' as const };
const meta = { request_id: null, ip: null };

describe('the staging write-back of a session whose item moved', () => {
  it('the ERP team reads ITM-B posting −2 at count with −7 beside it, ITM-A on the snapshot', async () => {
    const s = await reconciledWorkedExample();
    const { table, service } = serviceOver(WRITEBACK_COLUMNS.map((c) => c.name));
    const result = await service.writeback(actor, meta, s.id);
    expect(result).toMatchObject({ inserted: 2, already_written: false, rows: 2 });
    const byCode = Object.fromEntries(table.rows.map((r) => [r.item_code, r]));
    expect(byCode['ITM-B']).toMatchObject({
      book_qty: 100,
      counted_qty: 93,
      variance: -2,
      basis: 'at_count',
      snapshot_variance: -7,
      variance_at_count: -2,
      at_count_status: 'exact',
      moved_mode: null,
      live_book_qty: 103,
      target_qty: 101,
    });
    expect(byCode['ITM-A']).toMatchObject({
      variance: -2,
      basis: 'snapshot',
      snapshot_variance: -2,
      variance_at_count: -2,
      at_count_status: 'not_moved',
      moved_mode: null,
      live_book_qty: null,
      target_qty: null,
    });
  });

  it('a staging table without the new columns: 409 WRITEBACK_TABLE_OUTDATED with the ALTER TABLE, nothing written, audited', async () => {
    const s = await reconciledWorkedExample();
    const old = WRITEBACK_COLUMNS.map((c) => c.name).filter((n) => !NEW_COLUMNS.includes(n));
    const { table, service } = serviceOver(old);
    const refused = await service.writeback(actor, meta, s.id).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      status: 409,
      code: 'CONFLICT',
      extra: {
        reason: 'WRITEBACK_TABLE_OUTDATED',
        missing_columns: NEW_COLUMNS,
        alter_table: expect.stringMatching(
          /^ALTER TABLE \[stage\]\.\[StockVerifyAdjustments\] ADD \[basis\] nvarchar\(32\) NULL, .*\[target_qty\] decimal\(18, 3\) NULL;$/,
        ),
      },
    });
    expect((refused as Error).message).toMatch(/lacks basis, .*ALTER TABLE/);
    expect(table.rows).toEqual([]);
    const failed = await t.store.audit.list({
      page: 1,
      page_size: 10,
      action: 'adjustments.writeback_failed',
    });
    expect(failed.items[0]?.summary).toMatchObject({ missing_columns: NEW_COLUMNS });
  });
});
