/**
 * Users are bound to their warehouse (issue #12, Medium #10; design §4): staff claim, count, look
 * up stock and see sessions only in their own warehouse; a supervisor with a warehouse manages only
 * that one; admins and supervisors without a warehouse see all. Each refusal is 403
 * WAREHOUSE_FORBIDDEN naming the field at fault, and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountSession, RecordResult } from '@stockverify/shared';
import {
  claim,
  countRecord,
  createSession,
  seedCounting,
  sync,
  userIn as userInWarehouse,
  NORTH,
} from '../support/counting-fixture';
import { makeItem, startTestApp, type ApiResponse, type TestApp } from '../support/test-app';

let t: TestApp;
let admin: { token: string };
/** Supervisor without a warehouse: sees and manages all. */
let boss: { token: string };
/** Staff of WH-T and staff of WH-N. */
let tess: { id: string; token: string };
let nora: { id: string; token: string };
/** Supervisor of WH-N. */
let sven: { id: string; token: string };
let main: CountSession;
let closed: CountSession;
let north: CountSession;
let lineId: string;
let conflictId: string;
let unknownId: string;

const userIn = (role: 'staff' | 'supervisor', username: string, warehouse: string | null) =>
  userInWarehouse(t, role, username, warehouse);

beforeAll(async () => {
  t = await startTestApp();
  await seedCounting(t);
  await t.store.locations.upsertWarehouses([NORTH]);
  await t.seedItems([
    makeItem('NTH-1', 'North Item', {
      stock: [{ warehouse: 'WH-N', rack: 'N-01', qty: 7 }],
      barcodes: [{ code: 'BC-N', kind: 'primary', pack_qty: 1 }],
    }),
  ]);
  admin = await t.userWithRole('admin', 'wh-admin');
  boss = await t.userWithRole('supervisor', 'wh-boss');
  tess = await userIn('staff', 'tess', 'WH-T');
  nora = await userIn('staff', 'nora', 'WH-N');
  sven = await userIn('supervisor', 'sven', 'WH-N');
  main = await createSession(t, boss.token, { name: 'Main count' });
  closed = await createSession(t, boss.token, { name: 'Closed count' });
  expect(
    (await t.request('POST', `/api/sessions/${closed.id}/close`, { token: boss.token })).status,
  ).toBe(200);
  north = await createSession(t, sven.token, { warehouse: 'WH-N', name: 'North count' });
  // Work in WH-T for the supervisor routes to act on: a line, a conflict, an unknown item.
  const held = await claim(t, tess.token, main.id, 'A-01');
  expect(held.status).toBe(200);
  const fence = held.body.data.fencing_token;
  const done = await sync(t, tess.token, [
    countRecord(main.id, 'A-01', 'ITM-A', fence, { counted_qty: 3 }),
    // A count into the closed session: a stored SESSION_CLOSED conflict of WH-T.
    countRecord(closed.id, 'A-01', 'ITM-B', fence, { counted_qty: 3 }),
    {
      op_id: randomUUID(),
      type: 'unknown_item',
      session_id: main.id,
      rack: 'A-01',
      barcode: 'UNK-1',
      description: 'Blue box',
      counted_qty: 1,
      photo_ids: [],
      counted_at: '2026-11-29T10:00:00Z',
    },
  ]);
  expect(done.body.data.results.map((r) => r.status)).toEqual(['OK', 'CONFLICT', 'OK']);
  lineId = done.body.data.results[0]!.line_id!;
  unknownId = done.body.data.results[2]!.line_id!;
  conflictId = (await t.store.conflicts.list({ page: 1, page_size: 5, session: closed.id }))
    .items[0]!.id;
});

afterAll(async () => {
  await t?.close();
});

/** What a refused request could have changed. */
async function state() {
  const sessions = await t.store.sessions.list({ page: 1, page_size: 50, sort: 'created_at' });
  const claims = await t.store.claims.listBySession(main.id);
  const lines = await t.store.lines.list(main.id, { page: 1, page_size: 100 });
  const conflicts = await t.store.conflicts.list({ page: 1, page_size: 100 });
  const unknown = await t.store.unknownItems.list({ page: 1, page_size: 100 });
  return {
    sessions: sessions.items.map((s) => [s.id, s.status]),
    claims: claims.map((c) => [c.id, c.status, c.token]),
    lines: lines.items.map((l) => [l.id, l.status]),
    conflicts: conflicts.items.map((c) => [c.id, c.status]),
    unknown: unknown.items.map((u) => [u.id, u.status]),
  };
}

/** The request is refused with 403 WAREHOUSE_FORBIDDEN naming `field`, and nothing changed. */
async function forbidden(
  method: string,
  url: string,
  token: string,
  field: string,
  body: unknown = method === 'GET' ? undefined : {},
): Promise<void> {
  const before = await state();
  const res: ApiResponse = await t.request(method, url, { token, body });
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(403);
  expect(res.body.error?.code).toBe('WAREHOUSE_FORBIDDEN');
  expect(res.body.error?.details?.map((d) => d.path)).toEqual([field]);
  expect(await state()).toEqual(before);
}

describe('staff work only in their own warehouse', () => {
  it('claiming, heartbeat and the rack lifecycle in another warehouse are refused', async () => {
    await forbidden('POST', `/api/sessions/${main.id}/racks/A-02/claim`, nora.token, 'params.id');
    await forbidden('POST', `/api/sessions/${main.id}/heartbeat`, nora.token, 'params.id');
    for (const action of ['pause', 'resume', 'complete', 'release'])
      await forbidden(
        'POST',
        `/api/sessions/${main.id}/racks/A-01/${action}`,
        nora.token,
        'params.id',
      );
  });

  it('counting online or by sync in another warehouse is refused and stores nothing', async () => {
    const record = countRecord(main.id, 'A-01', 'ITM-C', 1);
    await forbidden(
      'POST',
      `/api/sessions/${main.id}/count-lines`,
      nora.token,
      'params.id',
      record,
    );
    const before = await state();
    const res = await sync(t, nora.token, [
      countRecord(main.id, 'A-01', 'ITM-C', 1),
      {
        op_id: randomUUID(),
        type: 'unknown_item',
        session_id: main.id,
        rack: 'A-01',
        barcode: 'UNK-2',
        description: 'x',
        counted_qty: 1,
        photo_ids: [],
        counted_at: '2026-11-29T10:00:00Z',
      },
      {
        op_id: randomUUID(),
        type: 'rack_complete',
        session_id: main.id,
        rack: 'A-01',
        fencing_token: 1,
      },
    ]);
    expect(res.status).toBe(200);
    expect(
      res.body.data.results.map((r: RecordResult) => [r.status, r.code, r.details[0]?.path]),
    ).toEqual([
      ['ERROR', 'WAREHOUSE_FORBIDDEN', 'records.0.session_id'],
      ['ERROR', 'WAREHOUSE_FORBIDDEN', 'records.1.session_id'],
      ['ERROR', 'WAREHOUSE_FORBIDDEN', 'records.2.session_id'],
    ]);
    expect(await state()).toEqual(before);
  });

  it('sessions of another warehouse are neither listed nor shown', async () => {
    const list = await t.request<{ items: CountSession[] }>('GET', '/api/sessions', {
      token: nora.token,
    });
    expect(list.body.data.items.map((s) => s.id)).toEqual([north.id]);
    await forbidden('GET', '/api/sessions?warehouse=WH-T', nora.token, 'query.warehouse');
    await forbidden('GET', `/api/sessions/${main.id}`, nora.token, 'params.id');
    await forbidden('GET', `/api/sessions/${main.id}/book-quantities`, nora.token, 'params.id');
    await forbidden(
      'GET',
      `/api/warehouses/WH-T/racks?session=${main.id}`,
      nora.token,
      'params.id',
    );
    const own = await t.request('GET', `/api/sessions/${north.id}`, { token: nora.token });
    expect(own.status).toBe(200);
  });

  it('stock of another warehouse is not looked up', async () => {
    await forbidden(
      'GET',
      `/api/items/barcode/BC-A?session=${main.id}`,
      nora.token,
      'query.session',
    );
    await forbidden('GET', `/api/items/ITM-A?session=${main.id}`, nora.token, 'query.session');
    await forbidden(
      'GET',
      `/api/items/search?q=Alpha&session=${main.id}`,
      nora.token,
      'query.session',
    );
    await forbidden('GET', '/api/items/export?warehouse=WH-T', nora.token, 'query.warehouse');
    // Without a session the item master is there, with her own warehouse's stock only.
    const item = await t.request<{ stock?: unknown[] }>('GET', '/api/items/ITM-A', {
      token: nora.token,
    });
    expect(item.status).toBe(200);
    expect(item.body.data.stock).toBeUndefined();
    const own = await t.request<{ stock?: unknown[] }>('GET', '/api/items/NTH-1', {
      token: nora.token,
    });
    expect(own.body.data.stock).toEqual([{ warehouse: 'WH-N', rack: 'N-01', qty: 7 }]);
  });
});

describe('a supervisor with a warehouse manages only that one', () => {
  it('creating, closing, reopening and reconciling another warehouse’s session are refused', async () => {
    await forbidden('POST', '/api/sessions', sven.token, 'warehouse', {
      warehouse: 'WH-T',
      name: 'Not mine',
      mode: 'standard',
      scope: { floors: [], racks: [] },
    });
    await forbidden('POST', `/api/sessions/${main.id}/close`, sven.token, 'params.id');
    await forbidden('POST', `/api/sessions/${closed.id}/reopen`, sven.token, 'params.id');
    await forbidden('POST', `/api/sessions/${closed.id}/reconcile`, sven.token, 'params.id');
    const before = await state();
    const bulk = await t.request<{
      results: Array<{ id: string; code: string | null; status: unknown }>;
    }>('POST', '/api/sessions/bulk/close', { token: sven.token, body: { ids: [main.id] } });
    expect(bulk.status).toBe(200);
    expect(bulk.body.data.results).toEqual([
      expect.objectContaining({
        id: main.id,
        ok: false,
        code: 'WAREHOUSE_FORBIDDEN',
        status: null,
      }),
    ]);
    expect(await state()).toEqual(before);
  });

  it('lines, variances, review and force-release in another warehouse are refused', async () => {
    await forbidden('GET', `/api/sessions/${main.id}/lines`, sven.token, 'params.id');
    await forbidden('GET', `/api/sessions/${main.id}/variances`, sven.token, 'params.id');
    await forbidden('PATCH', `/api/lines/${lineId}/review`, sven.token, 'params.id', {
      decision: 'approve',
    });
    await forbidden('POST', `/api/sessions/${main.id}/racks/A-01/release`, sven.token, 'params.id');
    await forbidden('POST', `/api/sessions/${main.id}/racks/A-01/reopen`, sven.token, 'params.id');
  });

  it('conflicts and unknown items of another warehouse are neither listed nor resolved', async () => {
    await forbidden('GET', `/api/conflicts?session=${main.id}`, sven.token, 'query.session');
    await forbidden('GET', `/api/unknown-items?session=${main.id}`, sven.token, 'query.session');
    const all = await t.request('GET', '/api/conflicts', { token: sven.token });
    expect(all.status).toBe(400);
    expect(all.body.error?.details?.map((d) => d.path)).toEqual(['query.session']);
    await forbidden('POST', `/api/conflicts/${conflictId}/resolve`, sven.token, 'params.id', {
      action: 'discard',
    });
    await forbidden('POST', `/api/unknown-items/${unknownId}/resolve`, sven.token, 'params.id', {
      action: 'not_ours',
    });
  });

  it('exports, adjustment packages and reports of another warehouse are refused', async () => {
    await forbidden('POST', '/api/sessions/bulk/export', sven.token, 'ids.1', {
      ids: [north.id, main.id],
      format: 'csv',
    });
    await forbidden('GET', `/api/sessions/${closed.id}/adjustments`, sven.token, 'params.id');
    await forbidden('POST', '/api/reports/generate', sven.token, 'filters.warehouse', {
      type: 'variance',
      filters: { warehouse: 'WH-T' },
    });
    await forbidden('POST', '/api/reports/export/csv', sven.token, 'filters.session', {
      type: 'variance',
      filters: { session: main.id },
    });
    // Without filters the report is of their warehouse only.
    const own = await t.request('POST', '/api/reports/generate', {
      token: sven.token,
      body: { type: 'variance' },
    });
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body.data)).not.toContain(main.id);
    const all = await t.request('POST', '/api/reports/generate', {
      token: boss.token,
      body: { type: 'variance' },
    });
    expect(JSON.stringify(all.body.data)).toContain(main.id);
  });

  it('the sessions list and analytics show only their warehouse', async () => {
    const list = await t.request<{ items: CountSession[] }>('GET', '/api/sessions', {
      token: sven.token,
    });
    expect(list.body.data.items.map((s) => s.warehouse)).toEqual(['WH-N']);
    const analytics = await t.request<{ groups: Array<{ key: string }> }>(
      'GET',
      '/api/sessions/analytics?group_by=warehouse',
      { token: sven.token },
    );
    expect(analytics.status).toBe(200);
    expect(analytics.body.data.groups.every((g) => g.key === 'WH-N')).toBe(true);
  });

  it('KPIs, active counters and serial history show only their warehouse', async () => {
    // WH-T work: tess counts a serialized item and is present in the session.
    const held = await claim(t, tess.token, main.id, 'A-02');
    expect(held.status).toBe(200);
    const counted = await sync(t, tess.token, [
      countRecord(main.id, 'A-02', 'SER-1', held.body.data.fencing_token, {
        counted_qty: 1,
        serials: ['SN-WHT-1'],
      }),
    ]);
    expect(counted.body.data.results[0]!.status).toBe('OK');
    await t.request('POST', `/api/sessions/${main.id}/heartbeat`, { token: tess.token, body: {} });

    type Kpis = { counted_today: number; open_conflicts: number; active_claims: number };
    const kpis = async (token: string) =>
      (await t.request<Kpis>('GET', '/api/admin/kpis', { token })).body.data;
    const all = await kpis(boss.token);
    expect(all.counted_today).toBeGreaterThan(0);
    expect(all.open_conflicts).toBeGreaterThan(0);
    expect(all.active_claims).toBeGreaterThan(0);
    expect(await kpis(sven.token)).toMatchObject({
      counted_today: 0,
      open_conflicts: 0,
      active_claims: 0,
    });

    const active = async (token: string) =>
      (
        await t.request<{ items: Array<{ warehouse: string }> }>('GET', '/api/admin/active-users', {
          token,
        })
      ).body.data.items.map((u) => u.warehouse);
    expect(await active(boss.token)).toContain('WH-T');
    expect((await active(sven.token)).filter((w) => w !== 'WH-N')).toEqual([]);

    const sightings = async (token: string) =>
      (await t.request<{ sightings: unknown[] }>('GET', '/api/serials/SN-WHT-1', { token })).body
        .data.sightings.length;
    expect(await sightings(boss.token)).toBe(1);
    expect(await sightings(sven.token)).toBe(0);
  });
});

describe('live events', () => {
  /** Opens /events as `token` and collects its text until `until` shows up (or 5 s pass). */
  async function stream(token: string) {
    const controller = new AbortController();
    const res = await fetch(`${t.baseUrl}/api/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    return {
      async until(marker: string): Promise<string> {
        const deadline = Date.now() + 5000;
        while (!text.includes(marker) && Date.now() < deadline) {
          const chunk = await Promise.race([
            reader.read(),
            new Promise<null>((resolve) => setTimeout(() => resolve(null), 200)),
          ]);
          if (chunk && !chunk.done) text += decoder.decode(chunk.value);
        }
        return text;
      },
      close: () => controller.abort(),
    };
  }

  it('a supervisor with a warehouse sees only its sessions’ events', async () => {
    const svens = await stream(sven.token);
    const boss_ = await stream(boss.token);
    // Something in WH-T, then something in WH-N.
    await t.request('POST', `/api/sessions/${main.id}/heartbeat`, { token: tess.token, body: {} });
    await t.request('POST', `/api/sessions/${north.id}/heartbeat`, { token: nora.token, body: {} });
    const seenBySven = await svens.until(north.id);
    const seenByBoss = await boss_.until(north.id);
    svens.close();
    boss_.close();
    expect(seenBySven).toContain(north.id);
    expect(seenBySven).not.toContain(main.id);
    expect(seenByBoss).toContain(main.id);
  });
});

describe('moving a user to another warehouse', () => {
  it('binds them to the new one at once', async () => {
    const moe = await userIn('staff', 'moe', 'WH-T');
    const before = await t.request<{ items: CountSession[] }>('GET', '/api/sessions', {
      token: moe.token,
    });
    expect(new Set(before.body.data.items.map((s) => s.warehouse))).toEqual(new Set(['WH-T']));
    const moved = await t.request('PATCH', `/api/users/${moe.id}`, {
      token: admin.token,
      body: { warehouse: 'WH-N' },
    });
    expect(moved.status).toBe(200);
    const after = await t.request<{ items: CountSession[] }>('GET', '/api/sessions', {
      token: moe.token,
    });
    expect(after.body.data.items.map((s) => s.id)).toEqual([north.id]);
    await forbidden('GET', `/api/sessions/${main.id}`, moe.token, 'params.id');
  });
});

describe('admins and supervisors without a warehouse see all', () => {
  it('lists every warehouse’s sessions and manages any of them', async () => {
    for (const token of [admin.token, boss.token]) {
      const list = await t.request<{ items: CountSession[] }>('GET', '/api/sessions', { token });
      expect(new Set(list.body.data.items.map((s) => s.warehouse))).toEqual(
        new Set(['WH-T', 'WH-N']),
      );
      expect((await t.request('GET', `/api/sessions/${north.id}/lines`, { token })).status).toBe(
        200,
      );
      expect((await t.request('GET', `/api/conflicts`, { token })).status).toBe(200);
    }
  });

  it('staff and supervisors keep working in their own warehouse', async () => {
    const held = await claim(t, nora.token, north.id, 'N-01');
    expect(held.status).toBe(200);
    const res = await t.request<RecordResult>('POST', `/api/sessions/${north.id}/count-lines`, {
      token: nora.token,
      body: countRecord(north.id, 'N-01', 'NTH-1', held.body.data.fencing_token),
    });
    expect(res.status).toBe(201);
    expect(
      (await t.request('GET', `/api/sessions/${north.id}/lines`, { token: sven.token })).status,
    ).toBe(200);
    expect(
      (
        await t.request('POST', `/api/sessions/${north.id}/racks/N-01/release`, {
          token: sven.token,
          body: {},
        })
      ).status,
    ).toBe(200);
  });
});
