/**
 * Expected at count with the demo ERP moving stock during a session (issue #17, design §13): the
 * mirror's pass keeps the ledger watermark, the session records it, the pull stores the picks and
 * receipts the demo posts meanwhile, and a count made after them equals the book at the count —
 * the variance at count is 0 while the snapshot variance is the movements', with those movements
 * as the evidence.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemExpectedAnswerSchema, type CountSession } from '@stockverify/shared';
import { createDemoErpSource, type DemoErpSource } from '../../src/adapters/erp/demo';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let demo: DemoErpSource;
const quiet = { info: () => {}, warn: () => {} };

beforeEach(async () => {
  demo = createDemoErpSource({ itemCount: 200, movementsPerMinute: 12, clock: () => t.clock() });
  t = await startTestApp({ startAt: new Date('2026-12-06T09:00:00Z'), erp: demo });
});
afterEach(async () => {
  await t.close();
});

describe('expected at count with the demo source', () => {
  it('picks and receipts posted after the snapshot explain the snapshot variance', async () => {
    const admin = await t.userWithRole('admin', 'root');
    const sup = await t.userWithRole('supervisor', 'sup');
    const staff = await t.userWithRole('staff', 'alice');
    expect(
      (await t.request('POST', '/api/erp/sync', { token: admin.token, body: {} })).status,
    ).toBe(200);
    const created = await t.request<CountSession>('POST', '/api/sessions', {
      token: sup.token,
      body: { warehouse: 'WH-MAIN', name: 'Live count', mode: 'standard' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const session = created.body.data;
    expect(session.erp_watermark).not.toBeNull();

    const puller = t.services.erp.movementPuller({ intervalMs: 60_000, log: quiet });
    await puller.tick();
    t.advance(60_000);
    await puller.tick();
    const items = new Map(demo.items().map((i) => [i.item_code, i]));
    const moved = demo
      .movements()
      .filter((m) => m.warehouse === 'WH-MAIN' && m.rack !== null)
      .filter((m) => !items.get(m.item_code)!.serialized && !items.get(m.item_code)!.decimal_qty)
      .filter((m) => BigInt(m.watermark) > BigInt(session.erp_watermark!));
    expect(moved.length).toBeGreaterThan(0);
    const m = moved[0]!;
    const ofItem = demo
      .movements()
      .filter((x) => x.item_code === m.item_code && x.warehouse === 'WH-MAIN')
      .filter((x) => BigInt(x.watermark) > BigInt(session.erp_watermark!));
    const moves = ofItem.reduce((sum, x) => sum + x.quantity, 0);
    expect(moves).not.toBe(0); // the demo is seeded: this item moved
    const book = (await t.store.sessions.snapshotRow(session.id, m.item_code))?.book_qty ?? 0;

    // The count, after every movement: exactly the book at that moment.
    t.advance(5_000);
    const claim = await t.request<{ fencing_token: number }>(
      'POST',
      `/api/sessions/${session.id}/racks/${encodeURIComponent(m.rack!)}/claim`,
      { token: staff.token, body: { device_id: 'phone-1' } },
    );
    expect(claim.status, JSON.stringify(claim.body)).toBe(200);
    const phoneNow = new Date(t.clock().getTime() - 3 * 60_000); // the phone runs 3 min slow
    const synced = await t.request('POST', '/api/sync/batch', {
      token: staff.token,
      body: {
        device_id: 'phone-1',
        client_sent_at: phoneNow.toISOString(),
        records: [
          {
            op_id: randomUUID(),
            type: 'count',
            session_id: session.id,
            rack: m.rack,
            item_code: m.item_code,
            counted_qty: book + moves,
            damaged_qty: 0,
            non_returnable_damaged_qty: 0,
            serials: [],
            fencing_token: claim.body.data.fencing_token,
            counted_at: new Date(phoneNow.getTime() - 1_000).toISOString(),
          },
        ],
      },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);

    const res = await t.request(
      'GET',
      `/api/sessions/${session.id}/items/${m.item_code}/expected`,
      {
        token: sup.token,
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = itemExpectedAnswerSchema.parse(res.body.data);
    expect(answer.snapshot_variance_milli).toBe(Math.round(moves * 1000));
    expect(answer.expected).toMatchObject({ status: 'exact', variance_at_count_milli: 0 });
    expect(answer.expected!.applied.map((x) => x.watermark).sort()).toEqual(
      ofItem.map((x) => x.watermark).sort(),
    );
  });
});
