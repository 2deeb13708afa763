/**
 * Expected at count through the API (issue #17, docs/design.md §13): sync requests carry the
 * phone's clock and are stored as samples (two-way once the phone reports the round trip), and
 * `GET /sessions/:id/items/:code/expected` answers, for a supervisor, the item's variance against
 * the book at the moment it was counted beside the snapshot one — a pick between the snapshot and
 * the count explains a −5; a movement inside the count's uncertainty is flagged, not guessed; a
 * session without an ERP watermark answers "unknown", not an error. Answers parsed with the shared
 * schema.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemExpectedAnswerSchema } from '@stockverify/shared';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import {
  mirrorAt1000,
  movement,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };
/** The phone runs five minutes slow. */
const phone = (): string => slowPhone(t.clock());

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
});
afterEach(async () => {
  await t.close();
});

const syncAt = (body: Record<string, unknown>) => syncFromPhone(t, alice.token, body);

async function expectedOf(sessionId: string, code: string, token = sup.token) {
  return t.request('GET', `/api/sessions/${sessionId}/items/${code}/expected`, { token });
}

/** A session whose snapshot includes the ledger up to watermark 1000. */
async function sessionAt1000() {
  await mirrorAt1000(t);
  const s = await createSession(t, sup.token);
  expect(s.erp_watermark).toBe('1000');
  return s;
}

describe('clock samples', () => {
  it('a sync request with client_sent_at is a sample; the next one’s round trip makes it two-way', async () => {
    const s = await createSession(t, sup.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(60_000);
    const first = await syncAt({
      client_sent_at: phone(),
      records: [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 10 })],
    });
    expect(first.clock).toEqual({
      server_received_at: '2026-12-06T08:40:30.000Z',
      server_sent_at: '2026-12-06T08:40:30.000Z',
    });
    t.advance(10_000);
    const sentAgain = phone();
    // A forged round trip (server times this server never answered) is left out.
    await syncAt({
      client_sent_at: sentAgain,
      last_round_trip: {
        client_sent_at: '2026-12-06T07:56:00.000Z',
        server_received_at: '2026-12-06T07:59:00.000Z',
        server_sent_at: '2026-12-06T07:59:00.000Z',
        client_received_at: '2026-12-06T07:56:00.100Z',
      },
      records: [countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 100 })],
    });
    t.advance(10_000);
    await syncAt({
      client_sent_at: phone(),
      last_round_trip: {
        client_sent_at: '2026-12-06T08:35:30.000Z',
        ...first.clock!,
        client_received_at: '2026-12-06T08:35:30.080Z',
      },
      records: [countRecord(s.id, 'A-01', 'ITM-C', c.fencing_token, { counted_qty: 6 })],
    });
    const samples = await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }]);
    expect(samples).toEqual([
      {
        user_id: alice.id,
        device_id: 'phone-7',
        client_sent_at: '2026-12-06T08:35:30.000Z',
        server_received_at: '2026-12-06T08:40:30.000Z',
        server_sent_at: '2026-12-06T08:40:30.000Z',
        client_received_at: '2026-12-06T08:35:30.080Z',
      },
      expect.objectContaining({ client_sent_at: sentAgain, client_received_at: null }),
      expect.objectContaining({ server_received_at: '2026-12-06T08:40:50.000Z' }),
    ]);
  });

  it('a phone without client_sent_at still syncs and leaves no sample', async () => {
    const s = await createSession(t, sup.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const answer = await syncAt({
      records: [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 10 })],
    });
    expect(answer.results[0]!.status).toBe('OK');
    expect(await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }])).toEqual(
      [],
    );
  });

  it('a bad client_sent_at is refused on its field and stores nothing', async () => {
    const s = await createSession(t, sup.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const res = await t.request('POST', '/api/sync/batch', {
      token: alice.token,
      body: {
        device_id: 'phone-7',
        client_sent_at: 'yesterday',
        records: [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token)],
      },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.[0]?.path).toBe('client_sent_at');
    expect(await t.store.clockSamples.list([{ user_id: alice.id, device_id: 'phone-7' }])).toEqual(
      [],
    );
  });
});

describe('GET /sessions/:id/items/:code/expected', () => {
  it('a pick between the snapshot and the count: snapshot −5, at count 0, the pick as evidence', async () => {
    const s = await sessionAt1000();
    await t.store.movements.record(
      [
        movement({ watermark: '990', posted_at: '2026-12-06T07:50:00.000Z', quantity: -3 }),
        movement({}),
        movement({
          watermark: '1002',
          posted_at: '2026-12-06T09:10:00.000Z',
          quantity: 12,
          doc_no: 'PO-9',
          doc_type: 'RECEIPT',
        }),
      ],
      { watermark: '1002', pulled_at: '2026-12-06T09:11:00.000Z' },
    );
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000); // 08:40 server, 08:35 on the phone
    await syncAt({
      client_sent_at: phone(),
      records: [
        countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, {
          counted_qty: 95,
          counted_at: '2026-12-06T08:34:00.000Z',
        }),
      ],
    });
    const res = await expectedOf(s.id, 'ITM-B');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = itemExpectedAnswerSchema.parse(res.body.data);
    expect(answer).toMatchObject({
      known: true,
      erp_watermark: '1000',
      book_milli: 100_000,
      counted_milli: 95_000,
      snapshot_variance_milli: -5_000,
    });
    expect(answer.lines[0]).toMatchObject({
      clock_status: 'ok',
      latest: '2026-12-06T08:39:00.031Z', // 1 min before the sample: 500 ppm drift is 30 ms, and 1 ms rounding,
    });
    expect(answer.expected).toMatchObject({
      status: 'exact',
      expected_milli: 95_000,
      variance_at_count_milli: 0,
      snapshot_variance_milli: -5_000,
      applied: [
        expect.objectContaining({ watermark: '1001', doc_no: 'SO-1', quantity_milli: -5_000 }),
      ],
      after_count: [expect.objectContaining({ watermark: '1002' })],
      ambiguous: [],
    });
    expect(answer.hints.map((h) => h.kind)).toContain('movement_near_count');
  });

  it('another user’s requests under the same device id do not move this counter’s clock', async () => {
    const s = await sessionAt1000();
    await t.store.movements.record([movement({})], {
      watermark: '1001',
      pulled_at: '2026-12-06T08:31:00.000Z',
    });
    const mallory = await t.userWithRole('staff', 'mallory');
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    const forged = await t.request('POST', '/api/sync/batch', {
      token: mallory.token,
      body: {
        device_id: 'phone-7',
        client_sent_at: '2026-12-06T09:40:00.000Z',
        records: [countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 1 })],
      },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(forged.status).toBe(200);
    await syncAt({
      client_sent_at: phone(),
      records: [
        countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, {
          counted_qty: 95,
          counted_at: '2026-12-06T08:34:00.000Z',
        }),
      ],
    });
    const answer = itemExpectedAnswerSchema.parse((await expectedOf(s.id, 'ITM-B')).body.data);
    expect(answer.lines[0]).toMatchObject({ clock_status: 'ok' });
    expect(answer.expected).toMatchObject({ status: 'exact', variance_at_count_milli: 0 });
  });

  it('a movement inside the count’s uncertainty is flagged, not guessed', async () => {
    const s = await sessionAt1000();
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    await syncAt({
      client_sent_at: phone(),
      records: [
        countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, {
          counted_qty: 95,
          counted_at: '2026-12-06T08:34:00.000Z',
        }),
      ],
    });
    // The count happened between 08:38:58 and 08:39:00 server time; the pick at 08:38:59.
    await t.store.movements.record([movement({ posted_at: '2026-12-06T08:38:59.000Z' })], {
      watermark: '1001',
      pulled_at: '2026-12-06T08:41:00.000Z',
    });
    const answer = itemExpectedAnswerSchema.parse((await expectedOf(s.id, 'ITM-B')).body.data);
    expect(answer.snapshot_variance_milli).toBe(-5_000);
    expect(answer.expected).toMatchObject({
      status: 'ambiguous',
      expected_milli: null,
      variance_at_count_milli: null,
      expected_low_milli: 95_000,
      expected_high_milli: 100_000,
      ambiguous: [expect.objectContaining({ watermark: '1001', reason: 'within_uncertainty' })],
    });
  });

  it('a session without an ERP watermark answers that expected is unknown', async () => {
    const s = await createSession(t, sup.token);
    expect(s.erp_watermark).toBeNull();
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    await syncAt({
      client_sent_at: phone(),
      records: [countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 95 })],
    });
    const res = await expectedOf(s.id, 'ITM-B');
    expect(res.status).toBe(200);
    expect(itemExpectedAnswerSchema.parse(res.body.data)).toMatchObject({
      known: false,
      unknown_reason: 'no_watermark',
      expected: null,
      snapshot_variance_milli: -5_000,
    });
  });

  it('staff never reach it (blind); an item nowhere in the session is 404 on its field', async () => {
    const s = await sessionAt1000();
    expect((await expectedOf(s.id, 'ITM-B', alice.token)).status).toBe(403);
    const missing = await expectedOf(s.id, 'NOPE-1');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.details?.[0]?.path).toBe('params.code');
    expect((await expectedOf('no-such-session', 'ITM-B')).status).toBe(404);
  });
});
