/**
 * Monitoring through the real app (api.md "Monitoring", design §7): Prometheus metrics and their
 * access rule, today's KPIs against hand-computed figures, and presence from heartbeats.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countRecord,
  createSession,
  seedCounting,
  sync,
  claimOk,
} from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

const DAY = 24 * 60 * 60_000;
// Ten minutes before a UTC midnight, so a line can be counted "yesterday". In the future: the
// JWT library checks expiry against the real clock, so the test clock must not run behind it.
const MIDNIGHT = new Date(Math.ceil(Date.now() / DAY) * DAY + DAY);
const START = new Date(MIDNIGHT.getTime() - 10 * 60_000);

interface Person {
  token: string;
  password: string;
  user: { id: string; username: string };
}

let t: TestApp;
let supervisor: Person;
let admin: Person;
let alice: Person;
let bob: Person;

beforeEach(async () => {
  t = await startTestApp({ startAt: START });
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  admin = await t.userWithRole('admin', 'root');
  alice = await t.userWithRole('staff', 'alice');
  bob = await t.userWithRole('staff', 'bob');
});
afterEach(async () => {
  await t.close();
});

async function signInAgain() {
  for (const person of [supervisor, admin, alice, bob]) {
    person.token = await t.signIn(person.user.username, person.password);
  }
}

async function scrape(headers: Record<string, string> = {}) {
  const res = await fetch(`${t.baseUrl}/api/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /metrics', () => {
  it('answers loopback without a token, labelling requests by route pattern', async () => {
    await t.request('GET', '/api/health');
    const s = await createSession(t, supervisor.token);
    await t.request('GET', `/api/sessions/${s.id}`, { token: supervisor.token });
    await t.request('GET', `/api/no-such-route/${randomUUID()}`);

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE stockverify_http_request_duration_seconds histogram');
    expect(res.text).toContain('# TYPE stockverify_sync_records_total counter');
    expect(res.text).toContain('stockverify_active_claims');
    const counts = res.text
      .split('\n')
      .filter((line) => line.startsWith('stockverify_http_request_duration_seconds_count'));
    const routeOf = (line: string) => /route="([^"]*)"/.exec(line)?.[1];
    expect(counts.map(routeOf)).toEqual(
      expect.arrayContaining(['/api/health', '/api/sessions/:id', '/api/sessions', 'unmatched']),
    );
    // Raw URLs never become labels.
    expect(res.text).not.toContain(s.id);
    expect(res.text).not.toContain('no-such-route');
    expect(counts.find((l) => l.includes('route="/api/health"'))).toMatch(/status="200"/);
  });

  it('labels a request whose handler failed with its route, not the unwound base', async () => {
    await t.request('GET', '/api/sessions/no-such-session', { token: supervisor.token });
    const res = await scrape();
    const line = res.text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('stockverify_http_request_duration_seconds_count') &&
          l.includes('status="404"') &&
          l.includes('route="/api/sessions/:id"'),
      );
    expect(line).toBeDefined();
  });

  it('shows open claims in the active-claims gauge at scrape time', async () => {
    const s = await createSession(t, supervisor.token);
    await claimOk(t, alice.token, s.id, 'A-01');
    await claimOk(t, bob.token, s.id, 'A-02');
    expect((await scrape()).text).toMatch(/^stockverify_active_claims 2$/m);
    await t.request('POST', `/api/sessions/${s.id}/racks/A-02/release`, {
      token: bob.token,
      body: {},
    });
    expect((await scrape()).text).toMatch(/^stockverify_active_claims 1$/m);
  });

  it('needs an admin token from a network off the allow-list', async () => {
    // The test app trusts a loopback proxy, so this is a client at 203.0.113.9 behind it.
    const outside = { 'x-forwarded-for': '203.0.113.9' };
    expect((await scrape(outside)).status).toBe(401);
    const asStaff = await scrape({ ...outside, authorization: `Bearer ${alice.token}` });
    expect(asStaff.status).toBe(403);
    const asSupervisor = await scrape({ ...outside, authorization: `Bearer ${supervisor.token}` });
    expect(asSupervisor.status).toBe(403);
    const asAdmin = await scrape({ ...outside, authorization: `Bearer ${admin.token}` });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.text).toContain('stockverify_http_request_duration_seconds');
  });
});

describe('GET /metrics/json', () => {
  it('is for admins only, and carries the same metrics', async () => {
    expect((await t.request('GET', '/api/metrics/json')).status).toBe(401);
    expect((await t.request('GET', '/api/metrics/json', { token: supervisor.token })).status).toBe(
      403,
    );
    const res = await t.request<Array<{ name: string; type: string }>>('GET', '/api/metrics/json', {
      token: admin.token,
    });
    expect(res.status).toBe(200);
    const names = res.body.data.map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'stockverify_http_request_duration_seconds',
        'stockverify_sync_records_total',
        'stockverify_lock_operations_total',
        'stockverify_active_claims',
      ]),
    );
  });
});

interface Kpis {
  since: string;
  counted_today: number;
  active_counters: number;
  accuracy_today: number | null;
  variance_value_today: number;
  open_sessions: number;
  open_conflicts: number;
  active_claims: number;
}

describe('GET /admin/kpis', () => {
  it('reports today’s figures from lines that still count', async () => {
    const s = await createSession(t, supervisor.token);
    // Yesterday (23:50 UTC): bob counts rice on B-01, then lets the rack go. Not today's figures.
    const rice = await claimOk(t, bob.token, s.id, 'B-01');
    const late = await sync(t, bob.token, [
      countRecord(s.id, 'B-01', 'KG-1', rice.fencing_token, { counted_qty: 20.5 }),
    ]);
    expect(late.body.data.results[0]?.status).toBe('OK');
    await t.request('POST', `/api/sessions/${s.id}/racks/B-01/release`, {
      token: bob.token,
      body: {},
    });

    t.advance(20 * 60_000); // 00:10 UTC the next day
    await signInAgain();
    const empty = await t.request<Kpis>('GET', '/api/admin/kpis', { token: supervisor.token });
    expect(empty.body.data).toMatchObject({
      since: MIDNIGHT.toISOString(),
      counted_today: 0,
      active_counters: 0,
      accuracy_today: null,
      variance_value_today: 0,
      open_sessions: 1,
      active_claims: 0,
    });

    // Today: alice on A-01, bob on A-02; book quantities are the session snapshot.
    const a = await claimOk(t, alice.token, s.id, 'A-01');
    const b = await claimOk(t, bob.token, s.id, 'A-02');
    const first = countRecord(s.id, 'A-01', 'ITM-A', a.fencing_token, { counted_qty: 7 });
    const results = await sync(t, alice.token, [
      first, // ITM-A: book 10, 7 found → −3, at cost 2 → −6 (superseded below)
      countRecord(s.id, 'A-01', 'ITM-B', a.fencing_token, { counted_qty: 100 }), // book 100 → 0
      // alice corrects ITM-A: 9 found → −1, at cost 2 → −2
      countRecord(s.id, 'A-01', 'ITM-A', a.fencing_token, {
        counted_qty: 9,
        supersedes: first.op_id,
      }),
    ]);
    expect(results.body.data.results.map((r) => r.status)).toEqual(['OK', 'OK', 'OK']);
    // ITM-C: book 10 (6 on A-02 + 4 on B-01), 12 found → +2, at cost 4 → +8
    const bobs = await sync(t, bob.token, [
      countRecord(s.id, 'A-02', 'ITM-C', b.fencing_token, { counted_qty: 12 }),
    ]);
    expect(bobs.body.data.results[0]?.status).toBe('OK');

    // A second open session and a closed one; one open conflict and one resolved.
    await createSession(t, supervisor.token, { name: 'Second' });
    const closed = await createSession(t, supervisor.token, { name: 'Closed' });
    const close = await t.request('POST', `/api/sessions/${closed.id}/close`, {
      token: supervisor.token,
      body: {},
    });
    expect(close.status, JSON.stringify(close.body)).toBe(200);
    const conflict = (id: string, status: 'OPEN' | 'DISCARDED') => ({
      id,
      op_id: randomUUID(),
      session_id: s.id,
      rack: 'A-01',
      code: 'LOCK_LOST',
      message: 'lost',
      record: {},
      user_id: alice.user.id,
      username: 'alice',
      device_id: null,
      created_at: t.clock().toISOString(),
      status,
      resolved_by: null,
      resolved_at: null,
      note: null,
      line_id: null,
    });
    await t.store.conflicts.insertIfAbsent(conflict('k-open', 'OPEN'));
    await t.store.conflicts.insertIfAbsent(conflict('k-done', 'DISCARDED'));

    const res = await t.request<Kpis>('GET', '/api/admin/kpis', { token: supervisor.token });
    expect(res.status).toBe(200);
    // Lines that count today: ITM-A (9, book 10), ITM-B (100, book 100), ITM-C (12, book 10).
    // Σ|book| = 120, Σ|variance| = 1 + 0 + 2 = 3 → accuracy 100 × 117 / 120 = 97.5.
    expect(res.body.data).toEqual({
      since: MIDNIGHT.toISOString(),
      counted_today: 3,
      active_counters: 2,
      accuracy_today: 97.5,
      variance_value_today: 6,
      open_sessions: 2,
      open_conflicts: 1,
      active_claims: 2,
    });
  });

  it('is for supervisors and admins', async () => {
    expect((await t.request('GET', '/api/admin/kpis', { token: alice.token })).status).toBe(403);
    expect((await t.request('GET', '/api/admin/kpis')).status).toBe(401);
    expect((await t.request('GET', '/api/admin/kpis', { token: admin.token })).status).toBe(200);
  });
});

interface ActiveUser {
  user_id: string;
  username: string;
  session_id: string;
  racks: string[];
  device_id: string | null;
  last_seen: string;
}

describe('GET /admin/active-users', () => {
  it('shows who is counting where after a heartbeat, until presence expires', async () => {
    const s = await createSession(t, supervisor.token);
    await claimOk(t, alice.token, s.id, 'A-01');
    const beat = await t.request('POST', `/api/sessions/${s.id}/heartbeat`, {
      token: alice.token,
      body: { device_id: 'phone-9' },
    });
    expect(beat.status, JSON.stringify(beat.body)).toBe(200);

    const res = await t.request<{ items: ActiveUser[]; total: number }>(
      'GET',
      '/api/admin/active-users',
      { token: supervisor.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.items).toEqual([
      expect.objectContaining({
        user_id: alice.user.id,
        username: 'alice',
        session_id: s.id,
        racks: ['A-01'],
        device_id: 'phone-9',
        last_seen: START.toISOString(),
      }),
    ]);

    // Presence lives 90 s (HEARTBEAT_STALE_SECONDS) without a heartbeat.
    t.advance(91_000);
    const later = await t.request<{ items: ActiveUser[] }>('GET', '/api/admin/active-users', {
      token: supervisor.token,
    });
    expect(later.body.data.items).toEqual([]);
  });

  it('is for supervisors and admins', async () => {
    const res = await t.request('GET', '/api/admin/active-users', { token: alice.token });
    expect(res.status).toBe(403);
  });
});
