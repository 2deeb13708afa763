/**
 * One API contract (issue #15 point 2): every answer the console and the staff app read is parsed
 * here, from the real app, with the same `@stockverify/shared` schema the clients check it with. A
 * field renamed or retyped on one side only (the old ERP table's `.column` against the server's
 * `field`) fails here instead of silently showing nothing.
 */
import {
  activeUsersSchema,
  adjustmentPackageSchema,
  analyticsSchema,
  auditPageSchema,
  bulkResultsSchema,
  barcodeLookupSchema,
  bookQuantitiesSchema,
  claimAnswerSchema,
  clientErrorPageSchema,
  clientErrorStoredSchema,
  conflictPageSchema,
  conflictSchema,
  countLinePageSchema,
  countSessionSchema,
  erpStatusSchema,
  erpSyncResultSchema,
  healthSchema,
  heartbeatAnswerSchema,
  importResultSchema,
  itemSearchSchema,
  kpisSchema,
  lockedAccountsSchema,
  logoutAnswerSchema,
  metricsJsonSchema,
  passwordResetSchema,
  photoUploadAnswerSchema,
  rackListSchema,
  rackMapSchema,
  reviewedLineSchema,
  serialHistorySchema,
  REPORT_TYPES,
  reportPageSchemaOf,
  sessionDetailSchema,
  sessionPageSchema,
  syncBatchAnswerSchema,
  tolerancePreviewSchema,
  toleranceRuleChangeSchema,
  toleranceRuleSetSchema,
  toleranceVersionDetailSchema,
  toleranceVersionPageSchema,
  unknownItemPageSchema,
  unknownItemSchema,
  userDirectorySchema,
  userPageSchema,
  variancesPageSchema,
  warehousesSchema,
  writebackAnswerSchema,
} from '@stockverify/shared';
import type { ClaimAnswer, RecordResult } from '@stockverify/shared';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import type { AdjustmentWriter } from '../../src/ports/erp-writeback';
import { claim, countRecord, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let alice: { token: string };

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

/** The `data` of a 2xx answer; anything else fails with the body. */
async function data(
  method: string,
  path: string,
  token: string,
  opts: { body?: unknown; rawBody?: FormData; headers?: Record<string, string> } = {},
): Promise<unknown> {
  const res = await t.request(method, path, { token, ...opts });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body.data;
}

describe('answers the console and the staff app read match the shared schemas', () => {
  it('sessions, claims, heartbeat, book quantities, sync, rack map, lines, queues, lookup, KPIs', async () => {
    // The console creates a session; the phone lists, opens and claims.
    const created = countSessionSchema.parse(
      await data('POST', '/api/sessions', supervisor.token, {
        body: { warehouse: 'WH-T', name: 'Contract count', mode: 'standard' },
      }),
    );
    expect(created.status).toBe('OPEN');
    const page = sessionPageSchema.parse(
      await data('GET', '/api/sessions?status=OPEN&page_size=100&sort=-created_at', alice.token),
    );
    expect(page.items.map((s) => s.id)).toContain(created.id);
    countSessionSchema.parse(await data('GET', `/api/sessions/${created.id}`, alice.token));

    const claimed = await claim(t, alice.token, created.id, 'A-01');
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    const held: ClaimAnswer = claimAnswerSchema.parse(claimed.body.data);
    const beat = heartbeatAnswerSchema.parse(
      await data('POST', `/api/sessions/${created.id}/heartbeat`, alice.token, {
        body: { device_id: 'phone-1' },
      }),
    );
    expect(beat.claims.map((c) => c.rack)).toEqual(['A-01']);
    const books = bookQuantitiesSchema.parse(
      await data('GET', `/api/sessions/${created.id}/book-quantities`, alice.token),
    );
    expect(books.items.length).toBeGreaterThan(0);

    // The phone's lookup fallback and photo upload.
    const lookup = barcodeLookupSchema.parse(
      await data('GET', `/api/items/barcode/BC-A?session=${created.id}`, alice.token),
    );
    expect(lookup.item.item_code).toBe('ITM-A');
    const jpeg = Buffer.alloc(2048, 7);
    jpeg.set([0xff, 0xd8, 0xff, 0xe0]);
    const uploaded = await fetch(`${t.baseUrl}/api/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'image/jpeg' },
      body: jpeg,
    });
    expect(uploaded.status).toBe(201);
    const photo = photoUploadAnswerSchema.parse(
      ((await uploaded.json()) as { data: unknown }).data,
    );

    // A sync batch with a line, an unknown item and a stale-token record (a conflict).
    const line = countRecord(created.id, 'A-01', 'ITM-A', held.fencing_token, {
      counted_qty: 4,
      variance_reason: 'Misplaced in another rack',
      photo_ids: [photo.photo_id],
    });
    const unknown = {
      op_id: randomUUID(),
      type: 'unknown_item',
      session_id: created.id,
      rack: 'A-01',
      barcode: 'NO-SUCH-CODE',
      description: 'Blue box, no label',
      counted_qty: 2,
      counted_at: '2026-11-29T10:05:00Z',
    };
    const stale = countRecord(created.id, 'A-01', 'ITM-B', held.fencing_token + 100);
    const batch = await sync(t, alice.token, [line, unknown, stale]);
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const results: RecordResult[] = syncBatchAnswerSchema.parse(batch.body.data).results;
    expect(results.map((r) => r.status)).toEqual(['OK', 'OK', 'CONFLICT']);

    // A recount that supersedes the line, so `supersedes_line` is filled in.
    const first = results[0]!.line_id!;
    await data('PATCH', `/api/lines/${first}/review`, supervisor.token, {
      body: { decision: 'recount', note: 'Again' },
    });
    const recount = countRecord(created.id, 'A-01', 'ITM-A', held.fencing_token, {
      counted_qty: 10,
      supersedes: line.op_id,
    });
    const again = await sync(t, alice.token, [recount]);
    expect(syncBatchAnswerSchema.parse(again.body.data).results[0]!.status).toBe('OK');

    // The console's reads.
    const detail = sessionDetailSchema.parse(
      await data('GET', `/api/sessions/${created.id}`, supervisor.token),
    );
    expect(detail.metrics.lines).toBeGreaterThan(0);
    const lines = countLinePageSchema.parse(
      await data('GET', `/api/sessions/${created.id}/lines?page_size=50`, supervisor.token),
    );
    expect(lines.items.some((l) => l.supersedes_line?.op_id === line.op_id)).toBe(true);
    const conflicts = conflictPageSchema.parse(
      await data('GET', `/api/conflicts?session=${created.id}&page_size=200`, supervisor.token),
    );
    expect(conflicts.items).toHaveLength(1);
    const unknowns = unknownItemPageSchema.parse(
      await data('GET', `/api/unknown-items?session=${created.id}&page_size=200`, supervisor.token),
    );
    expect(unknowns.items.map((u) => u.barcode)).toEqual(['NO-SUCH-CODE']);
    const warehouses = warehousesSchema.parse(
      await data('GET', '/api/warehouses', supervisor.token),
    );
    expect(warehouses.items[0]).toMatchObject({ id: 'WH-T', rack_count: 3 });
    const racks = rackListSchema.parse(
      await data('GET', '/api/warehouses/WH-T/racks', alice.token),
    );
    expect(racks.items.map((r) => r.code)).toEqual(['A-01', 'A-02', 'B-01']);
    for (const who of [supervisor, alice]) {
      const map = rackMapSchema.parse(
        await data('GET', `/api/warehouses/WH-T/racks?session=${created.id}`, who.token),
      );
      expect(map.items.find((r) => r.code === 'A-01')?.state).toBe('claimed');
    }
    const variances = variancesPageSchema.parse(
      await data('GET', `/api/sessions/${created.id}/variances?page_size=100`, supervisor.token),
    );
    expect(variances.items.map((v) => v.item_code)).toContain('ITM-A');
    const kpis = kpisSchema.parse(await data('GET', '/api/admin/kpis', supervisor.token));
    expect(kpis.active_claims).toBe(1);
    const active = activeUsersSchema.parse(
      await data('GET', '/api/admin/active-users', supervisor.token),
    );
    expect(active.items.map((u) => u.username)).toEqual(['alice']);
    for (const action of ['pause', 'resume', 'release'] as const) {
      const answer = claimAnswerSchema.parse(
        await data('POST', `/api/sessions/${created.id}/racks/A-01/${action}`, alice.token, {
          body: {},
        }),
      );
      expect(answer.rack).toBe('A-01');
    }
  });

  it('analytics, audit log, client errors and locked accounts', async () => {
    const admin = await t.userWithRole('admin', 'root');
    await data('POST', '/api/sessions', supervisor.token, {
      body: { warehouse: 'WH-T', name: 'Analytics count', mode: 'standard' },
    });
    for (const group_by of ['staff', 'warehouse']) {
      const analytics = analyticsSchema.parse(
        await data('GET', `/api/sessions/analytics?group_by=${group_by}`, supervisor.token),
      );
      expect(analytics).toMatchObject({ group_by, from: null, to: null });
    }
    const audit = auditPageSchema.parse(
      await data('GET', '/api/admin/audit?page=1&page_size=50', admin.token),
    );
    expect(audit.items.map((e) => e.action)).toContain('session.create');

    await data('POST', '/api/client-errors', alice.token, {
      body: { source: 'pwa', message: 'TypeError: x is undefined', context: { rack: 'A-01' } },
    });
    const errors = clientErrorPageSchema.parse(
      await data('GET', '/api/admin/errors?page=1&page_size=50', admin.token),
    );
    expect(errors.items.map((e) => e.message)).toEqual(['TypeError: x is undefined']);

    const users = userPageSchema.parse(await data('GET', '/api/users?page_size=200', admin.token));
    const bob = await t.userWithRole('staff', 'bob');
    const reset = passwordResetSchema.parse(
      await data('POST', `/api/users/${bob.user.id}/reset-password`, admin.token),
    );
    expect(reset.user.username).toBe('bob');
    expect(users.items.map((u) => u.username)).toContain('alice');
    const directory = userDirectorySchema.parse(
      await data('GET', '/api/users/directory?role=staff&limit=20', supervisor.token),
    );
    expect(directory.items.map((u) => u.username)).toContain('alice');
    const opened = countSessionSchema.parse(
      await data('POST', '/api/sessions', supervisor.token, {
        body: { warehouse: 'WH-T', name: 'To close', mode: 'standard' },
      }),
    );
    const bulk = bulkResultsSchema.parse(
      await data('POST', '/api/sessions/bulk/close', supervisor.token, {
        body: { ids: [opened.id, 'no-such-session'] },
      }),
    );
    expect(bulk.results.map((r) => r.ok)).toEqual([true, false]);

    for (let i = 0; i < 5; i++) {
      await t.request('POST', '/api/auth/login', {
        body: { username: 'alice', password: 'not-her-password' },
      });
    }
    const locked = lockedAccountsSchema.parse(
      await data('GET', '/api/users/locked', supervisor.token),
    );
    expect(locked.items.map((u) => u.username)).toEqual(['alice']);
  });

  it('ERP status with mirror progress, an import result, and a page of every report type', async () => {
    const admin = await t.userWithRole('admin', 'root');
    // A pass into the mirror, so /erp/status carries its progress.
    await data('POST', '/api/erp/sync', admin.token, { body: {} });
    const status = erpStatusSchema.parse(await data('GET', '/api/erp/status', supervisor.token));
    expect(status.mirror).toMatchObject({ running: false, interrupted: false, error: null });
    expect(status.item_count).toBeGreaterThan(0);

    // An import with a rejected row: the console's table reads its `field`.
    const form = new FormData();
    const csv = 'item_code,name,price\r\nCT-1,Contract item,1.5\r\nCT-2,,2\r\n';
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'items.csv');
    const imported = importResultSchema.parse(
      await data('POST', '/api/erp/import', admin.token, { rawBody: form }),
    );
    expect(imported.errors.map((e) => [e.row, e.field])).toEqual([[3, 'name']]);

    // A counted, closed session, so every report has rows to check.
    const session = countSessionSchema.parse(
      await data('POST', '/api/sessions', supervisor.token, {
        body: { warehouse: 'WH-T', name: 'Report count', mode: 'standard' },
      }),
    );
    const claimed = await claim(t, alice.token, session.id, 'A-01');
    const held = claimAnswerSchema.parse(claimed.body.data);
    const batch = await sync(t, alice.token, [
      countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, { counted_qty: 4 }),
    ]);
    expect(syncBatchAnswerSchema.parse(batch.body.data).results[0]!.status).toBe('OK');
    await data('POST', `/api/sessions/${session.id}/close`, supervisor.token);

    const asked = [
      ...REPORT_TYPES.map((type) => ({ type })),
      // The dashboards read the stock summary by category; the reports screen offers all three.
      { type: 'stock_summary', group_by: 'category' },
      { type: 'stock_summary', group_by: 'warehouse' },
    ] as const;
    for (const body of asked) {
      const reader = body.type === 'audit_trail' ? admin : supervisor;
      const page = reportPageSchemaOf(body.type).parse(
        await data('POST', '/api/reports/generate', reader.token, {
          body: { ...body, page_size: 50 },
        }),
      );
      expect(page.type).toBe(body.type);
      expect(page.items.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
  });

  it('tolerance rules: the table, a change, the versions, one version, a preview; the session keeps its version', async () => {
    const rule = {
      id: 'all',
      scope: { kind: 'everything' },
      thresholds: { shortage: { units: 2, percent: 10 }, overage: { value: 25.5 } },
      on_exceed: 'recount',
    };
    const created = toleranceRuleChangeSchema.parse(
      await data('POST', '/api/tolerance-rules', supervisor.token, { body: rule }),
    );
    const edited = toleranceRuleChangeSchema.parse(
      await data('PUT', '/api/tolerance-rules/all', supervisor.token, {
        body: { ...rule, id: undefined, version: created.rule.version, on_exceed: 'approve' },
      }),
    );
    const table = toleranceRuleSetSchema.parse(
      await data('GET', '/api/tolerance-rules', supervisor.token),
    );
    expect(table.rules).toEqual([edited.rule]);
    const versions = toleranceVersionPageSchema.parse(
      await data('GET', '/api/tolerance-rules/versions', supervisor.token),
    );
    expect(versions.items[0]!.version).toBe(table.version);
    toleranceVersionDetailSchema.parse(
      await data(
        'GET',
        `/api/tolerance-rules/versions/${created.change.version}`,
        supervisor.token,
      ),
    );
    const session = countSessionSchema.parse(
      await data('POST', '/api/sessions', supervisor.token, {
        body: { warehouse: 'WH-T', name: 'Rules', mode: 'blind' },
      }),
    );
    const detail = sessionDetailSchema.parse(
      await data('GET', `/api/sessions/${session.id}`, supervisor.token),
    );
    expect(detail.tolerance_rule_set).toEqual({ version: table.version, hash: table.hash });
    const preview = tolerancePreviewSchema.parse(
      await data('POST', '/api/tolerance-rules/preview', supervisor.token, {
        body: { session_id: session.id, rules: table.rules },
      }),
    );
    expect(preview.hash).toBe(table.hash);
    toleranceRuleChangeSchema.parse(
      await data(
        'DELETE',
        `/api/tolerance-rules/all?version=${edited.rule.version}`,
        supervisor.token,
      ),
    );
  });

  it('review, queues, serials, search, ERP sync, the adjustment package and write-back, logout, health, client errors, metrics', async () => {
    const admin = await t.userWithRole('admin', 'root');
    expect(healthSchema.parse((await t.request('GET', '/api/health')).body.data).status).toBe('ok');
    const synced = erpSyncResultSchema.parse(
      await data('POST', '/api/erp/sync', admin.token, { body: {} }),
    );
    expect(synced.items_received).toBeGreaterThan(0);
    const found = itemSearchSchema.parse(
      await data('GET', '/api/items/search?q=Alpha&limit=5', alice.token),
    );
    expect(found.items.map((h) => h.item.item_code)).toContain('ITM-A');

    // A counted session with a line, a serialised line, an unknown item and a conflict.
    const session = countSessionSchema.parse(
      await data('POST', '/api/sessions', supervisor.token, {
        body: { warehouse: 'WH-T', name: 'Review count', mode: 'standard' },
      }),
    );
    const a01 = claimAnswerSchema.parse(
      (await claim(t, alice.token, session.id, 'A-01')).body.data,
    );
    const a02 = claimAnswerSchema.parse(
      (await claim(t, alice.token, session.id, 'A-02')).body.data,
    );
    const batch = await sync(t, alice.token, [
      countRecord(session.id, 'A-01', 'ITM-A', a01.fencing_token, {
        counted_qty: 4,
        variance_reason: 'Misplaced in another rack',
      }),
      countRecord(session.id, 'A-02', 'SER-1', a02.fencing_token, {
        counted_qty: 3,
        serials: ['SN-C1', 'SN-C2', 'SN-C3'],
      }),
      {
        op_id: randomUUID(),
        type: 'unknown_item',
        session_id: session.id,
        rack: 'A-01',
        barcode: 'NO-SUCH-CODE',
        description: 'Blue box, no label',
        counted_qty: 2,
        counted_at: '2026-11-29T10:05:00Z',
      },
      countRecord(session.id, 'A-01', 'ITM-B', a01.fencing_token + 100),
    ]);
    const results = syncBatchAnswerSchema.parse(batch.body.data).results;
    expect(results.map((r) => r.status)).toEqual(['OK', 'OK', 'OK', 'CONFLICT']);

    const reviewed = reviewedLineSchema.parse(
      await data('PATCH', `/api/lines/${results[0]!.line_id!}/review`, supervisor.token, {
        body: { decision: 'approve' },
      }),
    );
    expect(reviewed).toMatchObject({ status: 'APPROVED', session_id: session.id });
    const history = serialHistorySchema.parse(
      await data('GET', '/api/serials/sn-c2', supervisor.token),
    );
    expect(history.sightings.map((s) => [s.serial, s.session_id])).toEqual([['SN-C2', session.id]]);
    const conflicts = conflictPageSchema.parse(
      await data('GET', `/api/conflicts?session=${session.id}`, supervisor.token),
    );
    const discarded = conflictSchema.parse(
      await data('POST', `/api/conflicts/${conflicts.items[0]!.id}/resolve`, supervisor.token, {
        body: { action: 'discard' },
      }),
    );
    expect(discarded.status).toBe('DISCARDED');
    const unknowns = unknownItemPageSchema.parse(
      await data('GET', `/api/unknown-items?session=${session.id}`, supervisor.token),
    );
    const notOurs = unknownItemSchema.parse(
      await data('POST', `/api/unknown-items/${unknowns.items[0]!.id}/resolve`, supervisor.token, {
        body: { action: 'not_ours' },
      }),
    );
    expect(notOurs.status).toBe('NOT_OURS');

    // Closed and reconciled: the package as JSON, and written back through a staging writer.
    await data('POST', `/api/sessions/${session.id}/close`, supervisor.token);
    await data('POST', `/api/sessions/${session.id}/reconcile`, supervisor.token);
    const pkg = adjustmentPackageSchema.parse(
      await data('GET', `/api/sessions/${session.id}/adjustments`, supervisor.token),
    );
    expect(pkg.rows.map((r) => r.item_code)).toContain('ITM-A');
    const writer: AdjustmentWriter = {
      table: 'dbo.sv_adjustments',
      write: (written) =>
        Promise.resolve({
          table: 'dbo.sv_adjustments',
          inserted: written.rows.length,
          already_written: false,
        }),
      close: () => Promise.resolve(),
    };
    const { handler } = createApp({
      settings: t.settings,
      store: t.store,
      coordination: t.coordination,
      erp: t.erp,
      log: pino({ level: 'silent' }),
      adjustmentWriter: writer,
    });
    const withWriter = http.createServer(handler);
    await new Promise<void>((resolve) => withWriter.listen(0, '127.0.0.1', resolve));
    try {
      const port = (withWriter.address() as AddressInfo).port;
      const res = await fetch(
        `http://127.0.0.1:${port}/api/sessions/${session.id}/adjustments/writeback`,
        { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } },
      );
      expect(res.status).toBe(200);
      const written = writebackAnswerSchema.parse(((await res.json()) as { data: unknown }).data);
      expect(written).toMatchObject({ content_hash: pkg.content_hash, rows: pkg.rows.length });
    } finally {
      await new Promise((resolve) => withWriter.close(resolve));
    }

    const stored = clientErrorStoredSchema.parse(
      await data('POST', '/api/client-errors', alice.token, {
        body: { source: 'pwa', message: 'TypeError: y is undefined' },
      }),
    );
    expect(stored.id).not.toBe('');
    const figures = metricsJsonSchema.parse(await data('GET', '/api/metrics/json', admin.token));
    expect(figures.length).toBeGreaterThan(0);
    const bob = await t.userWithRole('staff', 'bob-signs-out');
    const out = logoutAnswerSchema.parse(
      await data('POST', '/api/auth/logout', bob.token, { body: {} }),
    );
    expect(out.revoked).toBe(1);
  });
});
