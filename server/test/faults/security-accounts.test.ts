/**
 * Account and session security probes (issue #12, account findings), end to end through the HTTP
 * API beside security-probes.test.ts. Each probe reproduces one finding and checks that nothing
 * changed for the other users:
 * PIN guesses on an account without a PIN, lockout answers for real and unknown names, refresh
 * tokens after a PIN change, recovery of a locked admin by another admin, live streams of a user
 * disabled mid-stream and a cap on one user's streams, `Cache-Control: no-store` on API answers, file permissions of the data
 * folder, an unbounded `X-Device-Id`, full paths in the request log, and releasing a claim in a
 * reconciled session.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPair, User } from '@stockverify/shared';
import { createApp, EVENT_STREAMS_PER_USER } from '../../src/app';
import { createMemoryCoordination } from '../../src/adapters/coordination/memory';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import { loadConfig } from '../../src/config';
import { buildAdapters } from '../../src/deps';
import { claim, countRecord, createSession, seedCounting } from '../support/counting-fixture';
import { startTestApp, type ApiResponse, type TestApp } from '../support/test-app';
import { expectPlaceFreed, openSse } from '../support/sse';

const pinLogin = (t: TestApp, username: string, pin: string) =>
  t.request<TokenPair>('POST', '/api/auth/pin-login', { body: { username, pin } });
const passwordLogin = (t: TestApp, username: string, password: string) =>
  t.request<TokenPair>('POST', '/api/auth/login', { body: { username, password } });
const refresh = (t: TestApp, token: string) =>
  t.request<TokenPair>('POST', '/api/auth/refresh', { body: { refresh_token: token } });

/** What a client can tell apart in a refused sign-in: status, error body, Retry-After. */
const answerOf = (res: ApiResponse) => ({
  status: res.status,
  error: res.body.error,
  message: res.body.message,
  retryAfter: res.headers.get('retry-after'),
});

describe('lockout: PIN guesses and unknown names (finding #9 and the lockout low finding)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The per-IP limit is not what these probes are about: keep it out of the way.
    t = await startTestApp({ settings: { loginRateLimit: 10_000 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('PIN guesses on an admin without a PIN answer like wrong PINs but never lock the admin out', async () => {
    const admin = await t.userWithRole('admin', 'lonely-admin');
    const pinUser = await t.userWithRole('staff', 'pin-holder', '7391');
    const noPin: ReturnType<typeof answerOf>[] = [];
    const wrongPin: ReturnType<typeof answerOf>[] = [];
    const unknown: ReturnType<typeof answerOf>[] = [];
    // Ten guesses each, spaced out as the attack was (about 16 minutes), then more.
    for (let guess = 0; guess < 12; guess++) {
      noPin.push(answerOf(await pinLogin(t, 'lonely-admin', String(1000 + guess))));
      wrongPin.push(answerOf(await pinLogin(t, 'pin-holder', String(1000 + guess))));
      unknown.push(answerOf(await pinLogin(t, 'nobody-here', String(1000 + guess))));
      t.advance(100_000);
    }
    // The same answers, one by one: whether an account exists or has a PIN does not show.
    expect(noPin).toEqual(wrongPin);
    expect(unknown).toEqual(wrongPin);
    expect(wrongPin.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(wrongPin.map((a) => a.status)).toContain(423);

    // The admin's password still works; the PIN holder is locked as before.
    expect((await passwordLogin(t, 'lonely-admin', admin.password)).status).toBe(200);
    expect((await passwordLogin(t, 'pin-holder', pinUser.password)).status).toBe(423);
    const record = await t.store.users.get(admin.user.id);
    expect(record?.hard_locked).toBe(false);
    expect(record?.consecutive_failures).toBe(0);
    // The attempts are in the audit trail all the same.
    const audit = await t.store.audit.list({
      page: 1,
      page_size: 50,
      action: 'auth.login_failed',
      actor_id: admin.user.id,
    });
    expect(audit.total).toBeGreaterThanOrEqual(5);
  });

  it('password lockout answers for an unknown name match a real account, soft and hard lock alike', async () => {
    await t.userWithRole('staff', 'real-name');
    const real: ReturnType<typeof answerOf>[] = [];
    const ghost: ReturnType<typeof answerOf>[] = [];
    for (let attempt = 0; attempt < 14; attempt++) {
      real.push(answerOf(await passwordLogin(t, 'real-name', 'wrong-password')));
      ghost.push(answerOf(await passwordLogin(t, 'ghost-name', 'wrong-password')));
      // Past every growing delay, so each attempt counts, up to the hard lock at ten in 24 h.
      t.advance(61 * 60 * 1000);
    }
    expect(ghost).toEqual(real);
    expect(real.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    const last = real.at(-1)!;
    expect(last.status).toBe(423);
    expect(last.error?.['hard_lock']).toBe(true);
    // Mixed PIN and password guesses on an unknown name share one counter, as on a real account.
    await t.userWithRole('staff', 'mixed-real', '2468');
    const mixedReal: ReturnType<typeof answerOf>[] = [];
    const mixedGhost: ReturnType<typeof answerOf>[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const kind = attempt % 2 === 0 ? 'pin' : 'password';
      for (const [name, into] of [
        ['mixed-real', mixedReal],
        ['mixed-ghost', mixedGhost],
      ] as const) {
        const res =
          kind === 'pin'
            ? await pinLogin(t, name, '0000')
            : await passwordLogin(t, name, 'nope-nope');
        into.push(answerOf(res));
      }
    }
    expect(mixedGhost).toEqual(mixedReal);
    expect(mixedReal.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 423, 423]);
  });

  it('memory for unknown names stays bounded', async () => {
    const { createPhantomLockouts } = await import('../../src/modules/auth/lockout');
    const phantoms = createPhantomLockouts(100);
    const now = new Date();
    for (let i = 0; i < 1000; i++) phantoms.fail(`name-${i}`, now);
    expect(phantoms.size()).toBe(100);
    // The newest names are the ones kept.
    expect(phantoms.status('name-999', now).locked).toBe(false);
    for (let i = 0; i < 5; i++) phantoms.fail('name-999', now);
    expect(phantoms.status('name-999', now).locked).toBe(true);
  });
});

describe('refresh tokens end with a changed secret', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a PIN change by the user ends every refresh token of that user, and only that user', async () => {
    const victim = await t.userWithRole('staff', 'pin-changer', '1357');
    const otherPhone = await passwordLogin(t, 'pin-changer', victim.password);
    const bystander = await t.userWithRole('staff', 'bystander');
    const changed = await t.request('PUT', '/api/auth/me/pin', {
      token: victim.token,
      body: { current_password: victim.password, new_pin: '8642' },
    });
    expect(changed.status).toBe(200);
    expect((await refresh(t, victim.tokens.refresh_token)).status).toBe(401);
    expect((await refresh(t, otherPhone.body.data.refresh_token)).status).toBe(401);
    expect((await refresh(t, bystander.tokens.refresh_token)).status).toBe(200);
    expect((await pinLogin(t, 'pin-changer', '8642')).status).toBe(200);
  });

  it('a PIN reset by an admin ends the user’s refresh tokens', async () => {
    const admin = await t.userWithRole('admin');
    const victim = await t.userWithRole('staff', 'pin-reset', '1357');
    const reset = await t.request('PATCH', `/api/users/${victim.user.id}`, {
      token: admin.token,
      body: { pin: '9753' },
    });
    expect(reset.status).toBe(200);
    expect((await refresh(t, victim.tokens.refresh_token)).status).toBe(401);
    expect((await refresh(t, admin.tokens.refresh_token)).status).toBe(200);
  });
});

describe('account recovery through the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ settings: { loginRateLimit: 10_000 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Ten wrong passwords spaced past every delay: the account is hard-locked. */
  async function hardLock(username: string) {
    for (let i = 0; i < 10; i++) {
      await passwordLogin(t, username, 'wrong-password');
      t.advance(61 * 60 * 1000);
    }
  }

  it('a hard-locked admin is unlocked by another admin, never by a supervisor', async () => {
    const locked = await t.userWithRole('admin', 'locked-admin');
    const rescuer = await t.userWithRole('admin', 'rescuer');
    const supervisor = await t.userWithRole('supervisor', 'sup-unlock');
    await hardLock('locked-admin');
    const refused = await passwordLogin(t, 'locked-admin', locked.password);
    expect(refused.status).toBe(423);
    expect(refused.body.error?.['hard_lock']).toBe(true);
    // Tokens from before the lock have expired by now; sign in afresh.
    const supToken = await t.signIn('sup-unlock', supervisor.password);
    const adminToken = await t.signIn('rescuer', rescuer.password);

    // The supervisor's list of locked accounts leaves out the admin it may not unlock.
    type LockedList = { items: Array<{ username: string }> };
    const lockedFor = async (token: string) =>
      (await t.request<LockedList>('GET', '/api/users/locked', { token })).body.data.items.map(
        (u) => u.username,
      );
    expect(await lockedFor(supToken)).not.toContain('locked-admin');
    expect(await lockedFor(adminToken)).toContain('locked-admin');

    const bySupervisor = await t.request('POST', `/api/users/${locked.user.id}/unlock`, {
      token: supToken,
      body: {},
    });
    expect(bySupervisor.status).toBe(403);
    expect((await t.store.users.get(locked.user.id))?.hard_locked).toBe(true);

    const byAdmin = await t.request<User>('POST', `/api/users/${locked.user.id}/unlock`, {
      token: adminToken,
      body: {},
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data.locked).toBe(false);
    expect((await passwordLogin(t, 'locked-admin', locked.password)).status).toBe(200);
  });

  it('an admin resets another admin’s password: a new random one shown once, sign-ins ended, audited', async () => {
    const target = await t.userWithRole('admin', 'forgetful-admin');
    const rescuer = await t.userWithRole('admin', 'rescuer-2');
    const supervisor = await t.userWithRole('supervisor', 'sup-reset');
    const staff = await t.userWithRole('staff', 'staff-reset');
    await hardLock('forgetful-admin');
    const adminToken = await t.signIn('rescuer-2', rescuer.password);
    const url = `/api/users/${target.user.id}/reset-password`;

    for (const token of [
      await t.signIn('sup-reset', supervisor.password),
      await t.signIn('staff-reset', staff.password),
    ]) {
      const denied = await t.request('POST', url, { token, body: {} });
      expect(denied.status).toBe(403);
    }
    const before = (await t.store.users.get(target.user.id))!.password_hash;
    expect(before).not.toBeNull();

    const reset = await t.request<{ user: User; password: string }>('POST', url, {
      token: adminToken,
      body: {},
    });
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    const password = reset.body.data.password;
    expect(password).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(reset.body.data.user.locked).toBe(false);
    // The old password and the old refresh token are gone; the new password signs in.
    expect((await passwordLogin(t, 'forgetful-admin', target.password)).status).toBe(401);
    expect((await refresh(t, target.tokens.refresh_token)).status).toBe(401);
    expect((await passwordLogin(t, 'forgetful-admin', password)).status).toBe(200);
    // The new password is never stored or audited in clear.
    const audit = await t.store.audit.list({
      page: 1,
      page_size: 5,
      action: 'user.password_reset',
    });
    expect(audit.items[0]?.target_id).toBe(target.user.id);
    expect(audit.items[0]?.actor_id).toBe(rescuer.user.id);
    expect(JSON.stringify(audit.items[0])).not.toContain(password);
    // Another user's sign-in is untouched.
    expect((await refresh(t, rescuer.tokens.refresh_token)).status).toBe(200);

    const unknown = await t.request('POST', '/api/users/no-such-id/reset-password', {
      token: adminToken,
      body: {},
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('USER_NOT_FOUND');
    const extra = await t.request('POST', url, { token: adminToken, body: { password: 'mine' } });
    expect(extra.status).toBe(400);
    expect(extra.body.error?.details?.[0]?.path).toBe('password');
  });
});

describe('live event stream of a user disabled mid-stream', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await seedCounting(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends the streams of a disabled or demoted supervisor; others keep receiving', async () => {
    const admin = await t.userWithRole('admin');
    const leaver = await t.userWithRole('supervisor', 'sse-leaver');
    const demoted = await t.userWithRole('supervisor', 'sse-demoted');
    const stayer = await t.userWithRole('supervisor', 'sse-stayer');
    const open = (token: string) =>
      openSse<Record<string, unknown>>(
        `${t.baseUrl}/api/events?access_token=${encodeURIComponent(token)}`,
      );
    const leaving = await open(leaver.token);
    const demoting = await open(demoted.token);
    const staying = await open(stayer.token);
    try {
      await createSession(t, admin.token, { name: 'before' });
      for (const s of [leaving, demoting, staying])
        await s.readFor(3000, () => s.events.some((e) => e.event === 'session'));
      expect(leaving.events.some((e) => e.event === 'session')).toBe(true);

      expect(
        (
          await t.request('PATCH', `/api/users/${leaver.user.id}`, {
            token: admin.token,
            body: { active: false },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await t.request('PATCH', `/api/users/${demoted.user.id}`, {
            token: admin.token,
            body: { role: 'staff' },
          })
        ).status,
      ).toBe(200);
      await leaving.readFor(2000, () => false);
      await demoting.readFor(500, () => false);
      expect(leaving.ended).toBe(true);
      expect(demoting.ended).toBe(true);

      // The one left still gets events.
      const seen = staying.events.length;
      await createSession(t, admin.token, { name: 'after' });
      await staying.readFor(3000, () => staying.events.length > seen);
      expect(staying.ended).toBe(false);
      expect(staying.events.at(-1)?.event).toBe('session');
    } finally {
      for (const s of [leaving, demoting, staying]) s.close();
    }
  });

  it('are at most EVENT_STREAMS_PER_USER per supervisor: the next is 429, others unaffected, a closed one frees its place', async () => {
    // Each open stream is handed every live event: one user opening them without end slowed
    // everyone's events (noticed 2026-12-07; the counters' task streams had their cap already).
    const hoarder = await t.userWithRole('supervisor', 'sse-hoarder');
    const other = await t.userWithRole('supervisor', 'sse-other');
    const url = (token: string) =>
      `${t.baseUrl}/api/events?access_token=${encodeURIComponent(token)}`;
    const held = [];
    for (let n = 0; n < EVENT_STREAMS_PER_USER; n++) held.push(await openSse(url(hoarder.token)));
    try {
      const refused = await fetch(url(hoarder.token));
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'RATE_LIMITED',
      );
      const others = await openSse(url(other.token));
      others.close();
      held.shift()!.close();
      await expectPlaceFreed(url(hoarder.token));
    } finally {
      for (const stream of held) stream.close();
    }
  });
});

describe('Cache-Control on API answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every answer carrying tokens or personal data is no-store, errors too, the lookup fast path too', async () => {
    const admin = await t.userWithRole('admin', 'cache-admin');
    const answers = [
      await passwordLogin(t, 'cache-admin', admin.password),
      await refresh(
        t,
        (await passwordLogin(t, 'cache-admin', admin.password)).body.data.refresh_token,
      ),
      await t.request('GET', '/api/auth/me', { token: admin.token }),
      await t.request('GET', '/api/users', { token: admin.token }),
      await t.request('GET', `/api/users/${admin.user.id}`, { token: admin.token }),
      await passwordLogin(t, 'cache-admin', 'wrong-password'),
      await t.request('GET', '/api/no-such-route', { token: admin.token }),
      await t.request('GET', '/api/items/barcode/NOPE-0000', { token: admin.token }),
      await t.request('GET', '/api/items/barcode/NOPE-0000'),
    ];
    for (const res of answers)
      expect(res.headers.get('cache-control'), String(res.status)).toBe('no-store');
  });
});

describe('file permissions in the data folder', () => {
  it('DATA_DIR is created 700; the database, its WAL and SHM, and photos are 600; photos folder 700', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-perm-'));
    const dataDir = path.join(root, 'data');
    const previous = process.umask(0o022);
    try {
      const config = loadConfig({ DATA_DIR: dataDir, ERP_SOURCE: 'demo' });
      const { store, coordination, erp } = await buildAdapters(config, pino({ level: 'silent' }));
      await store.init();
      const photoId = randomUUID();
      await store.photos.save(
        {
          id: photoId,
          content_type: 'image/jpeg',
          bytes: 3,
          sha256: '0'.repeat(64),
          uploaded_by: 'u',
          uploaded_by_name: 'u',
          uploaded_at: new Date().toISOString(),
        },
        Buffer.from([0xff, 0xd8, 0xff]),
      );
      const mode = (p: string) => fs.statSync(p).mode & 0o777;
      expect(mode(dataDir).toString(8)).toBe('700');
      const db = path.join(dataDir, 'stockverify.db');
      for (const file of [db, `${db}-wal`, `${db}-shm`])
        expect(mode(file).toString(8), file).toBe('600');
      expect(mode(path.join(dataDir, 'photos')).toString(8)).toBe('700');
      expect(mode(path.join(dataDir, 'photos', photoId)).toString(8)).toBe('600');
      await Promise.all([store.close(), coordination.close(), erp.close()]);
    } finally {
      process.umask(previous);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('an existing database left 644 by an older version is made 600 when opened', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-perm-'));
    try {
      const file = path.join(root, 'stockverify.db');
      const first = createSqliteStore({ file });
      await first.init();
      await first.close();
      fs.chmodSync(file, 0o644);
      const again = createSqliteStore({ file });
      await again.init();
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
      await again.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('requests that touch counting', () => {
  let t: TestApp;
  let supervisor: Awaited<ReturnType<TestApp['userWithRole']>>;
  let staff: Awaited<ReturnType<TestApp['userWithRole']>>;
  beforeAll(async () => {
    t = await startTestApp();
    await seedCounting(t);
    supervisor = await t.userWithRole('supervisor', 'count-sup');
    staff = await t.userWithRole('staff', 'count-staff');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an X-Device-Id longer than 128 characters or not printable ASCII is 400 naming the header; nothing stored', async () => {
    const session = await createSession(t, supervisor.token);
    const held = await claim(t, staff.token, session.id, 'A-01');
    const fence = held.body.data.fencing_token;
    const url = `/api/sessions/${session.id}/count-lines`;
    for (const deviceId of ['x'.repeat(5000), 'x'.repeat(129), 'phone\u00e9', 'pho\tne']) {
      const refused = await t.request('POST', url, {
        token: staff.token,
        body: countRecord(session.id, 'A-01', 'ITM-A', fence),
        headers: { 'x-device-id': deviceId },
      });
      expect(refused.status, deviceId.slice(0, 10)).toBe(400);
      expect(refused.body.error?.code).toBe('VALIDATION_FAILED');
      expect(refused.body.error?.details?.[0]?.path).toBe('headers.x-device-id');
    }
    expect((await t.store.lines.list(session.id, { page: 1, page_size: 10 })).total).toBe(0);
    const ok = await t.request('POST', url, {
      token: staff.token,
      body: countRecord(session.id, 'A-01', 'ITM-A', fence),
      headers: { 'x-device-id': 'p'.repeat(128) },
    });
    expect(ok.status).toBeLessThan(300);
    const lines = await t.store.lines.list(session.id, { page: 1, page_size: 10 });
    expect(lines.items.map((l) => l.device_id)).toEqual(['p'.repeat(128)]);
  });

  it('staff cannot release a claim in a reconciled session (409 SESSION_CLOSED); the claim stays', async () => {
    const session = await createSession(t, supervisor.token);
    expect((await claim(t, staff.token, session.id, 'A-02')).status).toBe(200);
    for (const action of ['close', 'reconcile']) {
      const res = await t.request('POST', `/api/sessions/${session.id}/${action}`, {
        token: supervisor.token,
        body: {},
      });
      expect(res.status, action).toBe(200);
    }
    const before = await t.store.claims.latest(session.id, 'A-02');
    const release = await t.request('POST', `/api/sessions/${session.id}/racks/A-02/release`, {
      token: staff.token,
      body: {},
    });
    expect(release.status).toBe(409);
    expect(release.body.error?.code).toBe('SESSION_CLOSED');
    expect(await t.store.claims.latest(session.id, 'A-02')).toEqual(before);
  });
});

describe('request log', () => {
  it('records the full path of every request (not the router-relative one), without the query', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-log-'));
    const store = createSqliteStore({ file: path.join(dir, 'log.db') });
    await store.init();
    const coordination = createMemoryCoordination();
    const { handler, services } = createApp({
      settings: {
        jwtSecret: 'test-secret-that-is-long-enough-for-hs256-0123456789',
        accessTokenMinutes: 15,
        refreshTokenDays: 7,
        loginRateLimit: 50,
        loginRateWindowMs: 60_000,
        bodyLimit: '100kb',
        uploadLimitBytes: 1024 * 1024,
        itemCacheMs: 60_000,
        trustProxy: 'loopback',
      },
      store,
      coordination,
      erp: createDemoErpSource({ itemCount: 10 }),
      log: pino({ level: 'info' }, sink),
    });
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'wrong-password' }),
      });
      await services.users.create(
        { id: 'test', username: 'test', role: 'admin' },
        { request_id: null, ip: null },
        { username: 'logged', full_name: 'Logged', role: 'staff', password: 'logged-password' },
      );
      const signedIn = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'logged', password: 'logged-password' }),
      });
      const { data } = (await signedIn.json()) as { data: TokenPair };
      await fetch(`${base}/api/auth/me?note=secret-query-text`, {
        headers: { authorization: `Bearer ${data.access_token}` },
      });
      await fetch(`${base}/api/events?access_token=secret-token-text`);
      await fetch(`${base}/api/items/barcode/ABC?session=s1`);
      await new Promise((r) => setTimeout(r, 50));
      const urls = lines
        .map((l) => JSON.parse(l) as { msg: string; url?: string })
        .filter((e) => e.msg === 'request' || e.msg === 'request failed')
        .map((e) => e.url);
      expect(urls).toEqual([
        '/api/auth/login',
        '/api/auth/login',
        '/api/auth/me',
        '/api/events',
        '/api/items/barcode/ABC',
      ]);
      expect(lines.join('\n')).not.toContain('secret-token-text');
      expect(lines.join('\n')).not.toContain('secret-query-text');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await coordination.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
