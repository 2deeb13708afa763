import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BarcodeLookup, BulkResult, ClaimAnswer, RecordResult } from '@stockverify/shared';
import type { ItemVariance } from '../../src/ports/counting';
import {
  claim,
  countRecord,
  createSession,
  seedCounting,
  sync,
  claimOk,
} from '../support/counting-fixture';
import { openSse } from '../support/sse';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string; password: string };
let alice: { token: string; user: { id: string; username: string }; password: string };
let bob: { token: string; user: { id: string; username: string }; password: string };

/** After a long `advance`, access tokens have expired: everyone signs in again. */
async function signInAgain() {
  alice.token = await t.signIn('alice', alice.password);
  bob.token = await t.signIn('bob', bob.password);
  supervisor.token = await t.signIn('sup', supervisor.password);
}

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
  bob = await t.userWithRole('staff', 'bob');
});
afterEach(async () => {
  await t.close();
});

describe('sessions', () => {
  it('snapshots book quantities of the scope at creation', async () => {
    const whole = await createSession(t, supervisor.token);
    expect(whole.racks).toEqual(['A-01', 'A-02', 'B-01']);
    expect(whole.snapshot_items).toBe(5);
    const ground = await createSession(t, supervisor.token, { scope: { floors: ['GF'] } });
    expect(ground.racks).toEqual(['A-01', 'A-02']);
    const rows = await t.store.sessions.snapshotRows(ground.id);
    expect(Object.fromEntries(rows.map((r) => [r.item_code, r.book_qty]))).toEqual({
      'ITM-A': 10,
      'ITM-B': 100,
      'ITM-C': 6,
      'SER-1': 3,
    });
    // The snapshot does not move when the ERP quantity does.
    await t.seedItems([
      {
        ...(await t.store.items.get('ITM-A'))!,
        stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 999 }],
      },
    ]);
    expect((await t.store.sessions.snapshotRow(ground.id, 'ITM-A'))?.book_qty).toBe(10);
  });

  it('refuses an unknown warehouse, rack or floor with field paths, creating nothing', async () => {
    const res = await t.request('POST', '/api/sessions', {
      token: supervisor.token,
      body: {
        warehouse: 'WH-T',
        name: 'x',
        mode: 'standard',
        scope: { racks: ['A-01', 'Z-99'], floors: ['F9'] },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.map((d) => d.path).sort()).toEqual([
      'scope.floors.0',
      'scope.racks.1',
    ]);
    const bad = await t.request('POST', '/api/sessions', {
      token: supervisor.token,
      body: { warehouse: 'NOPE', name: '', mode: 'loose' },
    });
    expect(bad.body.error?.details?.map((d) => d.path).sort()).toEqual(['mode', 'name']);
    expect(
      (await t.store.sessions.list({ page: 1, page_size: 10, sort: '-created_at' })).total,
    ).toBe(0);
    expect(
      (
        await t.request('POST', '/api/sessions', {
          token: alice.token,
          body: { warehouse: 'WH-T', name: 'x', mode: 'standard' },
        })
      ).status,
    ).toBe(403);
  });

  it('lists with filters and sorting; bulk close answers per id', async () => {
    const s1 = await createSession(t, supervisor.token, { name: 'Alpha count' });
    const s2 = await createSession(t, supervisor.token, { name: 'Beta count' });
    await t.request('POST', `/api/sessions/${s2.id}/close`, { token: supervisor.token, body: {} });
    const open = await t.request<{ items: Array<{ id: string }>; total: number }>(
      'GET',
      '/api/sessions?status=OPEN',
      { token: alice.token },
    );
    expect(open.body.data.items.map((s) => s.id)).toEqual([s1.id]);
    const byName = await t.request<{ items: Array<{ name: string }> }>(
      'GET',
      '/api/sessions?sort=name&q=count',
      { token: supervisor.token },
    );
    expect(byName.body.data.items.map((s) => s.name)).toEqual(['Alpha count', 'Beta count']);

    const bulk = await t.request<{ results: BulkResult[] }>('POST', '/api/sessions/bulk/close', {
      token: supervisor.token,
      body: { ids: [s1.id, s2.id, 'missing'] },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.data.results.map((r) => [r.id, r.ok, r.code])).toEqual([
      [s1.id, true, null],
      [s2.id, false, 'INVALID_TRANSITION'],
      ['missing', false, 'NOT_FOUND'],
    ]);
    const reopen = await t.request('POST', `/api/sessions/${s1.id}/reopen`, {
      token: supervisor.token,
      body: {},
    });
    expect(reopen.status).toBe(200);
    const illegal = await t.request('POST', `/api/sessions/${s1.id}/reconcile`, {
      token: supervisor.token,
      body: {},
    });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error?.code).toBe('INVALID_TRANSITION');
  });
});

describe('rack claims', () => {
  it('a second user gets 409 RACK_LOCKED naming the holder; heartbeats keep the lock', async () => {
    const s = await createSession(t, supervisor.token);
    const first = await claimOk(t, alice.token, s.id, 'A-01');
    expect(first.fencing_token).toBeGreaterThan(0);
    const second = await claim(t, bob.token, s.id, 'A-01');
    expect(second.status).toBe(409);
    expect(second.body.error?.code).toBe('RACK_LOCKED');
    expect((second.body.error?.holder as { username: string }).username).toBe('alice');

    t.advance(50_000);
    const beat = await t.request<{ claims: ClaimAnswer[]; lost: string[] }>(
      'POST',
      `/api/sessions/${s.id}/heartbeat`,
      { token: alice.token, body: {} },
    );
    expect(beat.body.data.claims.map((c) => c.rack)).toEqual(['A-01']);
    t.advance(50_000);
    expect((await claim(t, bob.token, s.id, 'A-01')).status).toBe(409);
    // A retried claim by the holder keeps the same claim and token.
    const again = await claimOk(t, alice.token, s.id, 'A-01');
    expect(again.claim_id).toBe(first.claim_id);
    expect(again.fencing_token).toBe(first.fencing_token);
  });

  it('a lapsed claim stays reserved for the grace period, then goes to the next claimant', async () => {
    const s = await createSession(t, supervisor.token);
    const first = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(5 * 60_000);
    const reserved = await claim(t, bob.token, s.id, 'A-01');
    expect(reserved.status).toBe(409);
    expect(reserved.body.error?.reserved_until).toBeTruthy();
    t.advance(11 * 60_000);
    await signInAgain();
    const taken = await claimOk(t, bob.token, s.id, 'A-01');
    expect(taken.fencing_token).toBeGreaterThan(first.fencing_token);
  });

  it('pause, resume, complete; a completed rack needs a supervisor reopen; force release by a supervisor', async () => {
    const s = await createSession(t, supervisor.token);
    await claimOk(t, alice.token, s.id, 'A-01');
    expect(
      (
        await t.request<ClaimAnswer>('POST', `/api/sessions/${s.id}/racks/A-01/pause`, {
          token: alice.token,
          body: {},
        })
      ).body.data.status,
    ).toBe('paused');
    expect(
      (
        await t.request('POST', `/api/sessions/${s.id}/racks/A-01/pause`, {
          token: bob.token,
          body: {},
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request<ClaimAnswer>('POST', `/api/sessions/${s.id}/racks/A-01/resume`, {
          token: alice.token,
          body: {},
        })
      ).body.data.status,
    ).toBe('active');
    expect(
      (
        await t.request<ClaimAnswer>('POST', `/api/sessions/${s.id}/racks/A-01/complete`, {
          token: alice.token,
          body: {},
        })
      ).body.data.status,
    ).toBe('completed');
    const blocked = await claim(t, bob.token, s.id, 'A-01');
    expect(blocked.body.error?.code).toBe('RACK_COMPLETED');
    expect(
      (
        await t.request('POST', `/api/sessions/${s.id}/racks/A-01/reopen`, {
          token: alice.token,
          body: {},
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('POST', `/api/sessions/${s.id}/racks/A-01/reopen`, {
          token: supervisor.token,
          body: {},
        })
      ).status,
    ).toBe(200);
    await claimOk(t, bob.token, s.id, 'A-01');
    const forced = await t.request<ClaimAnswer>(
      'POST',
      `/api/sessions/${s.id}/racks/A-01/release`,
      { token: supervisor.token, body: {} },
    );
    expect(forced.body.data.status).toBe('lost');
    await claimOk(t, alice.token, s.id, 'A-01');
  });
});

describe('count lines', () => {
  it('computes the design §4 variance examples end to end, online and by sync', async () => {
    const s = await createSession(t, supervisor.token);
    const a01 = await claimOk(t, alice.token, s.id, 'A-01');
    const a02 = await claimOk(t, alice.token, s.id, 'A-02');
    const online = await t.request<RecordResult>('POST', `/api/sessions/${s.id}/count-lines`, {
      token: alice.token,
      body: countRecord(s.id, 'A-01', 'ITM-A', a01.fencing_token, {
        counted_qty: 7,
        damaged_qty: 2,
      }),
    });
    expect(online.status).toBe(201);
    expect(online.body.data).toMatchObject({ status: 'OK', variance: -3 });
    const batch = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-B', a01.fencing_token, {
        counted_qty: 95,
        damaged_qty: 5,
        variance_reason: 'short delivery',
      }),
      countRecord(s.id, 'A-02', 'ITM-C', a02.fencing_token, {
        counted_qty: 12,
        non_returnable_damaged_qty: 2,
      }),
    ]);
    expect(batch.body.data.results.map((r) => [r.status, r.variance])).toEqual([
      ['OK', -5],
      ['OK', 0],
    ]);
    const variances = await t.request<{ items: ItemVariance[] }>(
      'GET',
      `/api/sessions/${s.id}/variances`,
      { token: supervisor.token },
    );
    const byItem = Object.fromEntries(variances.body.data.items.map((v) => [v.item_code, v]));
    expect(byItem['ITM-A']).toMatchObject({
      book_qty: 10,
      counted_qty: 7,
      damaged_qty: 2,
      variance: -3,
      value_at_cost: -6,
      value_at_price: -9,
    });
    expect(byItem['ITM-B']).toMatchObject({
      variance: -5,
      value_at_cost: -2.5,
      value_at_price: -6.25,
    });
    // ITM-C's book covers both racks it sits on (6 + 4): 12 found, 2 written off → 0.
    expect(byItem['ITM-C']).toMatchObject({ book_qty: 10, variance: 0 });
    const detail = await t.request<{ metrics: { items_counted: number; total_variance: number } }>(
      'GET',
      `/api/sessions/${s.id}`,
      { token: supervisor.token },
    );
    expect(detail.body.data.metrics).toMatchObject({ items_counted: 3, total_variance: -8 });
  });

  it('answers bad records with ERROR and field paths, storing nothing', async () => {
    const s = await createSession(t, supervisor.token);
    const a02 = await claimOk(t, alice.token, s.id, 'A-02');
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-02', 'ITM-C', a02.fencing_token, { counted_qty: 2, damaged_qty: 3 }),
      countRecord(s.id, 'A-02', 'SER-1', a02.fencing_token, { counted_qty: 2, serials: ['S1'] }),
      { op_id: 'not-a-uuid', type: 'count' },
      countRecord(s.id, 'A-02', 'ITM-C', a02.fencing_token, { counted_qty: 1.5 }),
    ]);
    expect(res.status).toBe(200);
    const results = res.body.data.results;
    expect(results.map((r) => [r.status, r.code])).toEqual([
      ['ERROR', 'VALIDATION_FAILED'],
      ['ERROR', 'SERIAL_COUNT_MISMATCH'],
      ['ERROR', 'VALIDATION_FAILED'],
      ['ERROR', 'VALIDATION_FAILED'],
    ]);
    expect(results[0]!.details[0]!.path).toBe('records.0.damaged_qty');
    expect(results[1]!.details[0]!.path).toBe('records.1.serials');
    expect(results[2]!.details.map((d) => d.path)).toContain('records.2.op_id');
    expect(results[3]!.details[0]!.path).toBe('records.3.counted_qty');
    expect((await t.store.lines.list(s.id, { page: 1, page_size: 10 })).total).toBe(0);
  });

  it('strict sessions need confirmation and a reason for a non-zero variance', async () => {
    const s = await createSession(t, supervisor.token, { mode: 'strict' });
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 9 }),
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
        counted_qty: 9,
        variance_confirmed: true,
      }),
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
        counted_qty: 9,
        variance_confirmed: true,
        variance_reason: 'one broken',
      }),
      countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 100 }),
    ]);
    expect(res.body.data.results.map((r) => [r.status, r.code])).toEqual([
      ['CONFLICT', 'VARIANCE_UNCONFIRMED'],
      ['CONFLICT', 'VARIANCE_REASON_REQUIRED'],
      ['OK', null],
      ['OK', null],
    ]);
    const conflicts = await t.request<{ items: Array<{ code: string }> }>(
      'GET',
      `/api/conflicts?session=${s.id}`,
      { token: supervisor.token },
    );
    expect(conflicts.body.data.items.map((c) => c.code).sort()).toEqual([
      'VARIANCE_REASON_REQUIRED',
      'VARIANCE_UNCONFIRMED',
    ]);
  });

  it('blind sessions hide book quantities and variances from staff only', async () => {
    const s = await createSession(t, supervisor.token, { mode: 'blind' });
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const staffLookup = await t.request<BarcodeLookup>(
      'GET',
      `/api/items/barcode/BC-A?session=${s.id}`,
      { token: alice.token },
    );
    expect(staffLookup.body.data.item.stock).toBeUndefined();
    const staffNoSession = await t.request<BarcodeLookup>('GET', '/api/items/barcode/BC-A', {
      token: alice.token,
    });
    expect(staffNoSession.body.data.item.stock).toBeUndefined();
    const search = await t.request<{ items: Array<{ item: { stock?: unknown } }> }>(
      'GET',
      '/api/items/search?q=Alpha',
      { token: alice.token },
    );
    expect(search.body.data.items[0]!.item.stock).toBeUndefined();
    const supLookup = await t.request<BarcodeLookup>(
      'GET',
      `/api/items/barcode/BC-A?session=${s.id}`,
      { token: supervisor.token },
    );
    expect(supLookup.body.data.item.stock).toEqual([{ warehouse: 'WH-T', rack: 'A-01', qty: 10 }]);

    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 4 }),
    ]);
    expect(res.body.data.results[0]!.status).toBe('OK');
    expect(res.body.data.results[0]).not.toHaveProperty('variance');
    const staffMap = await t.request<{
      items: Array<{ code: string; has_variances: boolean | null }>;
    }>('GET', `/api/warehouses/WH-T/racks?session=${s.id}`, { token: alice.token });
    expect(staffMap.body.data.items.find((r) => r.code === 'A-01')?.has_variances).toBeNull();
    const supMap = await t.request<{
      items: Array<{ code: string; has_variances: boolean | null }>;
    }>('GET', `/api/warehouses/WH-T/racks?session=${s.id}`, { token: supervisor.token });
    expect(supMap.body.data.items.find((r) => r.code === 'A-01')?.has_variances).toBe(true);
    const detail = await t.request<{ metrics: { total_variance: number | null } }>(
      'GET',
      `/api/sessions/${s.id}`,
      { token: alice.token },
    );
    expect(detail.body.data.metrics.total_variance).toBeNull();
    const lines = await t.request<{ items: Array<{ variance: number }> }>(
      'GET',
      `/api/sessions/${s.id}/lines`,
      { token: supervisor.token },
    );
    expect(lines.body.data.items[0]!.variance).toBe(-6);
  });

  it('a serial twice in one session is a conflict; across sessions it is history', async () => {
    const s1 = await createSession(t, supervisor.token);
    const c1 = await claimOk(t, alice.token, s1.id, 'A-02');
    const first = await sync(t, alice.token, [
      countRecord(s1.id, 'A-02', 'SER-1', c1.fencing_token, {
        counted_qty: 2,
        serials: ['sn-1 ', 'SN-2'],
      }),
    ]);
    expect(first.body.data.results[0]!.status).toBe('OK');
    const dup = await sync(t, alice.token, [
      countRecord(s1.id, 'A-02', 'SER-1', c1.fencing_token, { counted_qty: 1, serials: ['SN-2'] }),
    ]);
    expect(dup.body.data.results[0]).toMatchObject({
      status: 'CONFLICT',
      code: 'DUPLICATE_SERIAL',
    });

    const s2 = await createSession(t, supervisor.token);
    const c2 = await claimOk(t, bob.token, s2.id, 'A-02');
    const later = await sync(t, bob.token, [
      countRecord(s2.id, 'A-02', 'SER-1', c2.fencing_token, {
        counted_qty: 1,
        serials: ['SN-2'],
        condition: 'damaged',
      }),
    ]);
    expect(later.body.data.results[0]!.status).toBe('OK');
    const history = await t.request<{
      serial: string;
      sightings: Array<{ session_id: string; counted_by_name: string }>;
    }>('GET', '/api/serials/sn-2', { token: supervisor.token });
    expect(history.body.data.serial).toBe('SN-2');
    expect(history.body.data.sightings.map((h) => [h.session_id, h.counted_by_name])).toEqual([
      [s1.id, 'alice'],
      [s2.id, 'bob'],
    ]);
  });

  it('a correction supersedes the line it references', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const original = countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 3 });
    const fix = countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
      counted_qty: 10,
      supersedes: original.op_id,
    });
    const res = await sync(t, alice.token, [original, fix]);
    expect(res.body.data.results.map((r) => r.status)).toEqual(['OK', 'OK']);
    const variances = await t.request<{ items: ItemVariance[] }>(
      'GET',
      `/api/sessions/${s.id}/variances`,
      { token: supervisor.token },
    );
    expect(variances.body.data.items).toEqual([
      expect.objectContaining({ item_code: 'ITM-A', counted_qty: 10, variance: 0, lines: 1 }),
    ]);
  });
});

describe('fencing and lost locks', () => {
  it('refuses writes with a token that is not the writer’s claim', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const res = await sync(t, bob.token, [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token)]);
    expect(res.body.data.results[0]).toMatchObject({ status: 'CONFLICT', code: 'STALE_TOKEN' });
    const bogus = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token + 50),
    ]);
    expect(bogus.body.data.results[0]).toMatchObject({ status: 'CONFLICT', code: 'STALE_TOKEN' });
  });

  it('queued records of a phone whose rack was re-claimed after the grace period come back LOCK_LOST and are kept', async () => {
    const s = await createSession(t, supervisor.token);
    const aliceClaim = await claimOk(t, alice.token, s.id, 'A-01');
    // Alice goes offline and keeps counting into her outbox.
    const queued = [
      countRecord(s.id, 'A-01', 'ITM-A', aliceClaim.fencing_token, { counted_qty: 10 }),
      countRecord(s.id, 'A-01', 'ITM-B', aliceClaim.fencing_token, { counted_qty: 100 }),
    ];
    t.advance(16 * 60_000);
    await signInAgain();
    await claimOk(t, bob.token, s.id, 'A-01');
    const back = await sync(t, alice.token, queued);
    expect(back.body.data.results.map((r) => [r.status, r.code])).toEqual([
      ['CONFLICT', 'LOCK_LOST'],
      ['CONFLICT', 'LOCK_LOST'],
    ]);
    const conflicts = await t.request<{
      items: Array<{ op_id: string; code: string; id: string }>;
    }>('GET', `/api/conflicts?session=${s.id}&status=OPEN`, { token: supervisor.token });
    expect(conflicts.body.data.items.map((c) => c.op_id).sort()).toEqual(
      queued.map((q) => q.op_id).sort(),
    );

    // A supervisor accepts one (it becomes a line flagged for review) and discards the other.
    const [one, two] = conflicts.body.data.items;
    const accepted = await t.request<{ status: string; line_id: string }>(
      'POST',
      `/api/conflicts/${one!.id}/resolve`,
      { token: supervisor.token, body: { action: 'accept' } },
    );
    expect(accepted.body.data.status).toBe('ACCEPTED');
    const line = await t.store.lines.get(accepted.body.data.line_id);
    expect(line).toMatchObject({ status: 'NEEDS_REVIEW', counted_by: alice.user.id });
    expect(line?.review_reasons).toContain('ACCEPTED_CONFLICT');
    expect(
      (
        await t.request('POST', `/api/conflicts/${two!.id}/resolve`, {
          token: supervisor.token,
          body: { action: 'discard', note: 'recounted' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.request('POST', `/api/conflicts/${two!.id}/resolve`, {
          token: supervisor.token,
          body: { action: 'accept' },
        })
      ).status,
    ).toBe(409);
  });

  it('the holder’s lapsed claim comes back on re-claim within the grace period, keeping queued lines valid', async () => {
    const s = await createSession(t, supervisor.token);
    const first = await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(5 * 60_000);
    const back = await claimOk(t, alice.token, s.id, 'A-01');
    expect(back.claim_id).toBe(first.claim_id);
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', first.fencing_token, { counted_qty: 10 }),
    ]);
    expect(res.body.data.results[0]!.status).toBe('OK');
  });

  it('a closed session refuses counts with SESSION_CLOSED, kept as a conflict', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    await t.request('POST', `/api/sessions/${s.id}/close`, { token: supervisor.token, body: {} });
    const res = await t.request('POST', `/api/sessions/${s.id}/count-lines`, {
      token: alice.token,
      body: countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token),
    });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('SESSION_CLOSED');
    expect((await t.store.conflicts.list({ page: 1, page_size: 5, session: s.id })).total).toBe(1);
  });
});

describe('sync batch idempotency', () => {
  it('replays a finished key, refuses the key with another body, and stores each op_id once', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const records = [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 10 })];
    const first = await sync(t, alice.token, records, 'batch-key-0001');
    expect(first.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d+)?$/);
    const replay = await sync(t, alice.token, records, 'batch-key-0001');
    expect(replay.body.data.replayed).toBe(true);
    expect(replay.body.data.results).toEqual(first.body.data.results);
    const reused = await sync(
      t,
      alice.token,
      [...records, countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token)],
      'batch-key-0001',
    );
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The phone lost the answer and resent the same record under a new key: still one line.
    const resent = await sync(t, alice.token, records, 'batch-key-0002');
    expect(resent.body.data.results[0]!.line_id).toBe(first.body.data.results[0]!.line_id);
    expect((await t.store.lines.list(s.id, { page: 1, page_size: 10 })).total).toBe(1);
  });

  it('answers a repeated op_id once and takes an original before a correction sent ahead of it', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const original = countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 3 });
    const fix = countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
      counted_qty: 10,
      supersedes: original.op_id,
    });
    const res = await sync(t, alice.token, [fix, original, fix]);
    expect(res.body.data.results.map((r) => [r.op_id, r.status])).toEqual([
      [fix.op_id, 'OK'],
      [original.op_id, 'OK'],
      [fix.op_id, 'OK'],
    ]);
    expect(res.body.data.results[2]).toEqual(res.body.data.results[0]);
    const lines = await t.store.lines.list(s.id, {
      page: 1,
      page_size: 10,
      include_superseded: true,
    });
    expect(lines.total).toBe(2);
    expect((await t.store.lines.getByOpId(original.op_id))?.superseded_by).toBe(fix.op_id);
  });

  it('answers 409 while a batch with the same key is in flight, and 429 past the per-user rate', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    // Another request of Alice's holds the key (the in-flight marker of a batch being processed).
    await t.coordination.cacheSetIfAbsent(`idem:${alice.user.id}:batch-key-busy`, 'hash', 60_000);
    const busy = await sync(
      t,
      alice.token,
      [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token)],
      'batch-key-busy',
    );
    expect(busy.status).toBe(409);
    expect(busy.body.error?.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    expect(busy.headers.get('retry-after')).toBeTruthy();
    expect((await t.store.lines.list(s.id, { page: 1, page_size: 5 })).total).toBe(0);

    await t.close();
    t = await startTestApp({ settings: { syncBatchesPerMinute: 2 } });
    await seedCounting(t);
    const carol = await t.userWithRole('staff', 'carol');
    for (let i = 0; i < 2; i++)
      expect((await sync(t, carol.token, [{ op_id: `x${i}` }])).status).toBe(200);
    const limited = await sync(t, carol.token, [{ op_id: 'x3' }]);
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('needs an Idempotency-Key, at most 500 records, and refuses other users’ op_ids', async () => {
    const noKey = await t.request('POST', '/api/sync/batch', {
      token: alice.token,
      body: { device_id: 'p', records: [{ op_id: 'x' }] },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error?.details?.[0]?.path).toBe('headers.idempotency-key');
    const tooMany = await sync(
      t,
      alice.token,
      Array.from({ length: 501 }, (_, i) => ({ op_id: `op-${i}` })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.details?.[0]?.path).toBe('records');
  });
});

describe('review and lifecycle', () => {
  it('large variances go to review; reconcile waits until review and conflicts are done; unknown items block closing', async () => {
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 300 }),
      {
        op_id: crypto.randomUUID(),
        type: 'unknown_item',
        session_id: s.id,
        rack: 'A-01',
        barcode: '999000111',
        description: 'Blue box, no label',
        counted_qty: 2,
        counted_at: '2026-11-29T10:00:00Z',
      },
    ]);
    expect(res.body.data.results.map((r) => r.status)).toEqual(['OK', 'OK']);
    const line = await t.store.lines.get(res.body.data.results[0]!.line_id!);
    expect(line?.status).toBe('NEEDS_REVIEW');
    expect(line?.review_reasons).toEqual(
      expect.arrayContaining(['LARGE_VARIANCE', 'MISSING_REASON']),
    );

    const blocked = await t.request('POST', `/api/sessions/${s.id}/close`, {
      token: supervisor.token,
      body: {},
    });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error?.code).toBe('OPEN_WORK_REMAINS');
    const unknown = await t.request<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/unknown-items?session=${s.id}`,
      { token: supervisor.token },
    );
    const mapped = await t.request(
      'POST',
      `/api/unknown-items/${unknown.body.data.items[0]!.id}/resolve`,
      { token: supervisor.token, body: { action: 'map', item_code: 'ITM-C' } },
    );
    expect(mapped.status).toBe(200);
    expect(
      (
        await t.request('POST', `/api/sessions/${s.id}/close`, {
          token: supervisor.token,
          body: {},
        })
      ).status,
    ).toBe(200);

    const early = await t.request('POST', `/api/sessions/${s.id}/reconcile`, {
      token: supervisor.token,
      body: {},
    });
    // The count over tolerance opened a blind recount (issue #16): reconcile waits for it first.
    expect(early.body.error?.code).toBe('RECOUNTS_OPEN');
    const review = await t.request('PATCH', `/api/lines/${line!.id}/review`, {
      token: supervisor.token,
      body: { decision: 'approve', note: 'checked twice' },
    });
    expect(review.status).toBe(200);
    expect(
      (
        await t.request('POST', `/api/sessions/${s.id}/reconcile`, {
          token: supervisor.token,
          body: {},
        })
      ).status,
    ).toBe(200);
    const audit = await t.store.audit.list({ page: 1, page_size: 50, target_id: s.id });
    expect(audit.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['session.create', 'session.close', 'session.reconcile']),
    );
  });
});

describe('metrics and analytics', () => {
  it('reports counters per session and variance, accuracy and efficiency by warehouse and staff', async () => {
    const s = await createSession(t, supervisor.token);
    const ca = await claimOk(t, alice.token, s.id, 'A-01');
    const cb = await claimOk(t, bob.token, s.id, 'A-02');
    await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', ca.fencing_token, {
        counted_qty: 8,
        variance_reason: 'two missing',
        counted_at: '2026-11-29T10:00:00Z',
      }),
      countRecord(s.id, 'A-01', 'ITM-B', ca.fencing_token, {
        counted_qty: 100,
        counted_at: '2026-11-29T10:04:00Z',
      }),
    ]);
    await sync(t, bob.token, [
      countRecord(s.id, 'A-02', 'ITM-C', cb.fencing_token, {
        counted_qty: 11,
        variance_reason: 'extra box',
        counted_at: '2026-11-29T10:00:00Z',
      }),
    ]);

    const detail = await t.request<{
      metrics: { counters: Array<{ username: string; lines: number; items_per_minute: number }> };
    }>('GET', `/api/sessions/${s.id}`, { token: supervisor.token });
    expect(
      detail.body.data.metrics.counters.map((c) => [c.username, c.lines, c.items_per_minute]),
    ).toEqual(
      expect.arrayContaining([
        ['alice', 2, 0.5],
        ['bob', 1, 1],
      ]),
    );

    // Books counted: A 10, B 100, C 10 → Σ|book| 120; discrepancies |−2| + 0 + |+1| = 3 → 97.5 %.
    const byWarehouse = await t.request<{ groups: Array<Record<string, unknown>> }>(
      'GET',
      '/api/sessions/analytics?group_by=warehouse',
      { token: supervisor.token },
    );
    expect(byWarehouse.body.data.groups).toEqual([
      expect.objectContaining({
        key: 'WH-T',
        sessions: 1,
        lines: 3,
        variance: -1,
        accuracy: 97.5,
        variance_value_at_cost: 0,
      }),
    ]);
    const byStaff = await t.request<{ groups: Array<Record<string, unknown>> }>(
      'GET',
      '/api/sessions/analytics?group_by=staff',
      { token: supervisor.token },
    );
    const staff = Object.fromEntries(byStaff.body.data.groups.map((g) => [g['label'], g]));
    // Alice: books 10 + 100, discrepancy 2 → 98.18 %; Bob: book 10, discrepancy 1 → 90 %.
    expect(staff['alice']).toMatchObject({ lines: 2, variance: -2, accuracy: 98.18 });
    expect(staff['bob']).toMatchObject({ lines: 1, variance: 1, accuracy: 90 });
    expect(
      (
        await t.request('GET', '/api/sessions/analytics?group_by=floor', {
          token: supervisor.token,
        })
      ).status,
    ).toBe(400);
    expect((await t.request('GET', '/api/sessions/analytics', { token: alice.token })).status).toBe(
      403,
    );
  });
});

describe('rack map and live events', () => {
  it('shows each rack’s state, claimant, lines and variances for a session', async () => {
    const s = await createSession(t, supervisor.token, { scope: { floors: ['GF'] } });
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
        counted_qty: 9,
        variance_reason: 'one short',
      }),
    ]);
    await claimOk(t, bob.token, s.id, 'A-02');
    await t.request('POST', `/api/sessions/${s.id}/racks/A-02/complete`, {
      token: bob.token,
      body: {},
    });
    const map = await t.request<{
      items: Array<{
        code: string;
        state: string;
        claimant: { username: string } | null;
        lines: number;
        has_variances: boolean;
      }>;
    }>('GET', `/api/warehouses/WH-T/racks?session=${s.id}`, { token: supervisor.token });
    expect(
      map.body.data.items.map((r) => [
        r.code,
        r.state,
        r.claimant?.username ?? null,
        r.lines,
        r.has_variances,
      ]),
    ).toEqual([
      ['A-01', 'claimed', 'alice', 1, true],
      ['A-02', 'completed', null, 0, false],
    ]);
    await t.request('POST', `/api/sessions/${s.id}/racks/A-02/reopen`, {
      token: supervisor.token,
      body: {},
    });
    const after = await t.request<{ items: Array<{ code: string; state: string }> }>(
      'GET',
      `/api/warehouses/WH-T/racks?session=${s.id}`,
      { token: alice.token },
    );
    expect(after.body.data.items.find((r) => r.code === 'A-02')?.state).toBe('recount');
  });

  it('streams claims and scans to a supervisor over SSE, and refuses staff', async () => {
    const s = await createSession(t, supervisor.token);
    const staffStream = await fetch(`${t.baseUrl}/api/events?access_token=${alice.token}`);
    expect(staffStream.status).toBe(403);
    await staffStream.body?.cancel();

    const stream = await openSse<{ action: string; rack?: string }>(
      `${t.baseUrl}/api/events?session=${s.id}&access_token=${supervisor.token}`,
    );
    const seen = stream.events;
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 10 }),
    ]);
    await stream.readFor(5_000, () => seen.some((e) => e.event === 'scan'));
    stream.close();
    expect(seen.map((e) => [e.event, e.data.action])).toEqual(
      expect.arrayContaining([
        ['claim', 'claimed'],
        ['scan', 'line'],
      ]),
    );
    expect(seen.find((e) => e.event === 'scan')?.data.rack).toBe('A-01');
  });
});

describe('stale heartbeats and a failing store', () => {
  it('announces a silent phone once per silence', async () => {
    const s = await createSession(t, supervisor.token);
    await claimOk(t, alice.token, s.id, 'A-01');
    t.advance(30_000);
    expect(await t.services.claims.announceStale(90_000)).toBe(0);
    t.advance(70_000);
    expect(await t.services.claims.announceStale(90_000)).toBe(1);
    expect(await t.services.claims.announceStale(90_000)).toBe(0);
    await t.request('POST', `/api/sessions/${s.id}/heartbeat`, { token: alice.token, body: {} });
    t.advance(91_000);
    expect(await t.services.claims.announceStale(90_000)).toBe(1);
  });
});

describe('store failures', () => {
  it('opens the store circuit after repeated failures: 503 with Retry-After, nothing half-written', async () => {
    await t.close();
    t = await startTestApp();
    await seedCounting(t);
    supervisor = await t.userWithRole('supervisor', 'sup');
    alice = await t.userWithRole('staff', 'alice');
    const s = await createSession(t, supervisor.token);
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    const insertMany = t.store.lines.insertMany.bind(t.store.lines);
    t.store.lines.insertMany = async () => {
      throw new Error('disk I/O error');
    };
    for (let i = 0; i < 5; i++) {
      const res = await sync(t, alice.token, [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token)]);
      expect(res.status).toBe(500);
    }
    const open = await sync(t, alice.token, [countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token)]);
    expect(open.status).toBe(503);
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThan(0);
    t.store.lines.insertMany = insertMany;
    expect((await t.store.lines.list(s.id, { page: 1, page_size: 5 })).total).toBe(0);
  });
});
