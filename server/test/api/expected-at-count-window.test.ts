/**
 * Expected at count, the review's gaps (issue #17, docs/design.md §3, §13):
 * - the snapshot's window: a mirror pass reads the ledger watermark before the stock and again
 *   after it (`erp_watermark_high`); a movement posted while the stock was read may be in the book
 *   already, so it is flagged `in_snapshot_window`, never added a second time;
 * - a replayed sync batch (same Idempotency-Key, same body, its old `client_sent_at`; or every op
 *   answered before) is no clock sample: taken minutes later it would look like a very slow
 *   request and move the phone's clock;
 * - the key's hash leaves the clock fields out: the phone's retry, with its clock now, is a replay.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  itemExpectedAnswerSchema,
  sessionDetailSchema,
  syncBatchAnswerSchema,
} from '@stockverify/shared';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import type { ErpSource } from '../../src/ports/erp';
import { claimOk, countRecord, createSession, seedCounting } from '../support/counting-fixture';
import { movement, SERVER_START, slowPhone } from '../support/movements-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let admin: { token: string };
let alice: { token: string; id: string };
/** The ERP ledger's newest entry; the stock pass posts entry 1001 while it reads. */
let ledger: string;
/** The phone runs five minutes slow. */
const phone = (): string => slowPhone(t.clock());

beforeEach(async () => {
  ledger = '1000';
  const demo = createDemoErpSource({ itemCount: 20 });
  const erp: ErpSource = {
    ...demo,
    currentWatermark: async () => ledger,
    fetchItems(options) {
      ledger = '1001'; // a pick is posted while the pass reads the stock
      return demo.fetchItems(options);
    },
  };
  t = await startTestApp({ startAt: new Date(SERVER_START), erp });
  await seedCounting(t);
  sup = await t.userWithRole('supervisor', 'sup');
  admin = await t.userWithRole('admin', 'root');
  const a = await t.userWithRole('staff', 'alice');
  alice = { token: a.token, id: a.user.id };
});
afterEach(async () => {
  await t.close();
});

async function syncAt(body: Record<string, unknown>, key: string = randomUUID()) {
  const res = await t.request('POST', '/api/sync/batch', {
    token: alice.token,
    body: { device_id: 'phone-7', ...body },
    headers: { 'idempotency-key': key },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    ...syncBatchAnswerSchema.parse(res.body.data),
    replayed: res.headers.get('idempotent-replayed') === 'true',
  };
}

async function expectedOf(sessionId: string, code: string) {
  const res = await t.request('GET', `/api/sessions/${sessionId}/items/${code}/expected`, {
    token: sup.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return itemExpectedAnswerSchema.parse(res.body.data);
}

describe('the snapshot window', () => {
  it('a movement posted while the pass read the stock is flagged in_snapshot_window, not applied', async () => {
    const sync = await t.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    const s = await createSession(t, sup.token);
    const detail = await t.request('GET', `/api/sessions/${s.id}`, { token: sup.token });
    expect(detail.status).toBe(200);
    const parsed = sessionDetailSchema.parse(detail.body.data);
    expect(parsed.erp_watermark).toBe('1000');
    expect(parsed.erp_watermark_high).toBe('1001');

    await t.store.movements.record(
      [
        movement({}),
        movement({
          watermark: '1002',
          posted_at: '2026-12-06T08:31:00.000Z',
          quantity: 12,
          doc_type: 'RECEIPT',
          doc_no: 'PO-9',
        }),
      ],
      { watermark: '1002', pulled_at: '2026-12-06T08:32:00.000Z' },
    );
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    await syncAt({
      client_sent_at: phone(),
      records: [
        countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, {
          counted_qty: 107,
          counted_at: '2026-12-06T08:34:00.000Z',
        }),
      ],
    });
    const answer = await expectedOf(s.id, 'ITM-B');
    expect(answer.known).toBe(true);
    // The pick may already be in the book of 100 (read while it was posted): 107 or 112 expected.
    expect(answer.expected).toMatchObject({
      status: 'ambiguous',
      expected_milli: null,
      expected_low_milli: 107_000,
      expected_high_milli: 112_000,
      applied: [expect.objectContaining({ watermark: '1002' })],
      ambiguous: [expect.objectContaining({ watermark: '1001', reason: 'in_snapshot_window' })],
    });
  });

  it('a ledger that did not move during the pass gives equal watermarks: no window', async () => {
    await t.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    const s = await createSession(t, sup.token);
    // The pass left the ledger at 1001; a second one reads 1001 before and after.
    const again = await t.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    expect(again.status).toBe(200);
    const s2 = await createSession(t, sup.token, { name: 'Second' });
    expect(s.erp_watermark_high).toBe('1001');
    expect(s2).toMatchObject({ erp_watermark: '1001', erp_watermark_high: '1001' });
  });
});

describe('replayed sync batches', () => {
  it('a batch replayed minutes later with its old client_sent_at is not a clock sample', async () => {
    const s = await createSession(t, sup.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    const key = randomUUID();
    const body = {
      client_sent_at: phone(),
      records: [
        countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, {
          counted_qty: 95,
          counted_at: '2026-12-06T08:34:00.000Z',
        }),
      ],
    };
    await syncAt(body, key);
    const samples = await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }]);
    const before = (await expectedOf(s.id, 'ITM-B')).lines;
    t.advance(4 * 60_000); // the answer was lost; the phone retries the same batch
    const replay = await syncAt(body, key);
    expect(replay.replayed).toBe(true);
    expect(await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }])).toEqual(
      samples,
    );
    expect((await expectedOf(s.id, 'ITM-B')).lines).toEqual(before);
  });

  it('the phone’s retry (same key and records, its clock now and the last round trip) is a replay, not a reused key', async () => {
    // The PWA's key digests device and records only, and each sending carries its own clock: a
    // retry after a lost answer must be answered from the key, not refused as another batch.
    const s = await createSession(t, sup.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    const key = randomUUID();
    const records = [countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 95 })];
    const first = await syncAt({ client_sent_at: phone(), records }, key);
    const samples = await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }]);
    t.advance(20_000);
    const retry = await syncAt(
      {
        client_sent_at: phone(),
        last_round_trip: {
          client_sent_at: '2026-12-06T08:35:00.000Z',
          server_received_at: '2026-12-06T08:39:50.000Z',
          server_sent_at: '2026-12-06T08:39:50.000Z',
          client_received_at: '2026-12-06T08:35:00.050Z',
        },
        records,
      },
      key,
    );
    expect(retry.replayed).toBe(true);
    expect(retry.results).toEqual(first.results);
    expect(await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }])).toEqual(
      samples,
    );
    // Other records under the same key are still another batch.
    const reused = await t.request('POST', '/api/sync/batch', {
      token: alice.token,
      body: {
        device_id: 'phone-7',
        client_sent_at: phone(),
        records: [countRecord(s.id, 'A-01', 'ITM-C', c.fencing_token, { counted_qty: 1 })],
      },
      headers: { 'idempotency-key': key },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a batch sent again under a new key, every op already stored, is not a clock sample', async () => {
    const s = await createSession(t, sup.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    const body = {
      client_sent_at: phone(),
      records: [countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 95 })],
    };
    await syncAt(body);
    const samples = await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }]);
    expect(samples).toHaveLength(1);
    t.advance(4 * 60_000); // the key's stored answer is gone (or the phone lost it): a new key
    const again = await syncAt(body);
    expect(again.replayed).toBe(false);
    expect(again.results[0]!.status).toBe('OK');
    expect(await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }])).toEqual(
      samples,
    );
    // A batch with a new op is a sample again.
    t.advance(10_000);
    await syncAt({
      client_sent_at: phone(),
      records: [countRecord(s.id, 'A-01', 'ITM-C', c.fencing_token, { counted_qty: 6 })],
    });
    expect(
      await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }]),
    ).toHaveLength(2);
  });
});
