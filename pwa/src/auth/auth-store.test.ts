import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TokenPair } from '@stockverify/shared';
import { freshDeviceDb } from '../../test/support/fake-db';
import { AuthStore } from './auth-store';
import { IdleTimer } from './idle-timer';

const user = {
  id: 'u1',
  username: 'asha',
  full_name: 'Asha Rao',
  role: 'staff' as const,
  warehouse: 'WH-MAIN',
  active: true,
  has_pin: true,
  locked: false,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  last_login_at: null,
};

function pair(n: number, refreshExpires = '2026-12-29T00:00:00.000Z'): TokenPair {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: 'Bearer',
    expires_in: 900,
    refresh_expires_at: refreshExpires,
    user,
  };
}

function envelope(status: number, data: unknown, code?: string) {
  const body = code
    ? { success: false, data: null, error: { code, message: code, details: [] }, request_id: 'r' }
    : { success: true, data, error: null, request_id: 'r' };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A server with rotating refresh tokens; `valid` is the one access token it accepts. */
function fakeServer() {
  const state = { n: 1, valid: 'access-1', refreshes: 0, offline: false, refuse: false };
  const fetchImpl = vi.fn<typeof fetch>(async (input, init) => {
    if (state.offline) throw new TypeError('Failed to fetch');
    const path = String(input);
    const auth = new Headers(init?.headers).get('Authorization');
    if (path === '/api/auth/refresh') {
      state.refreshes += 1;
      const body = JSON.parse(String(init?.body)) as { refresh_token: string };
      if (state.refuse || body.refresh_token !== `refresh-${state.n}`) {
        return envelope(401, null, 'REFRESH_TOKEN_REUSED');
      }
      state.n += 1;
      state.valid = `access-${state.n}`;
      return envelope(200, pair(state.n));
    }
    if (path === '/api/auth/logout') return envelope(200, {});
    if (auth !== `Bearer ${state.valid}`) return envelope(401, null, 'TOKEN_EXPIRED');
    return envelope(200, { path });
  });
  return { state, fetchImpl };
}

function setup() {
  let now = new Date('2026-11-29T10:00:00.000Z');
  const db = freshDeviceDb();
  const server = fakeServer();
  const make = () => new AuthStore(db, { fetchImpl: server.fetchImpl, now: () => now });
  return {
    db,
    server,
    make,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

const anything = { safeParse: (data: unknown) => ({ success: true as const, data }) };

describe('AuthStore', () => {
  it('survives a reload: the stored session is used until the refresh token expires', async () => {
    const { make, db, advance } = setup();
    await make().signIn(pair(1, '2026-11-30T10:00:00.000Z'));
    expect(await make().load()).toMatchObject({ username: 'asha' });
    expect(await db.recentUsers.get('asha')).toMatchObject({ has_pin: true });
    advance(24 * 3600_000 + 1);
    expect(await make().load()).toBeNull();
    expect(await db.meta.get('auth')).toBeUndefined();
  });

  it('refreshes an expiring access token once for many concurrent requests', async () => {
    const { make, server, advance } = setup();
    const auth = make();
    await auth.signIn(pair(1));
    advance(880_000); // 20 s left: inside the refresh margin
    await Promise.all([1, 2, 3].map(() => auth.request('/api/x', anything)));
    expect(server.state.refreshes).toBe(1);
    expect(await auth.accessToken()).toBe('access-2');
  });

  it('retries once after a 401 with a refreshed token', async () => {
    const { make, server } = setup();
    const auth = make();
    await auth.signIn(pair(1));
    server.state.n = 1;
    server.state.valid = 'revoked';
    // The server now only accepts the token it will hand out on refresh.
    const original = server.fetchImpl.getMockImplementation()!;
    server.fetchImpl.mockImplementation(async (input, init) => {
      if (server.state.valid === 'revoked' && String(input) !== '/api/auth/refresh') {
        server.state.valid = 'access-2';
        return envelope(401, null, 'TOKEN_INVALID');
      }
      return original(input, init);
    });
    await expect(auth.request('/api/x', anything)).resolves.toEqual({ path: '/api/x' });
    expect(server.state.refreshes).toBe(1);
  });

  it('signs out when the server refuses the refresh token', async () => {
    const { make, server, advance } = setup();
    const auth = make();
    const seen: Array<string | null> = [];
    auth.subscribe((u) => seen.push(u?.username ?? null));
    await auth.signIn(pair(1));
    server.state.refuse = true;
    advance(900_000);
    expect(await auth.refresh()).toBeNull();
    expect(auth.user()).toBeNull();
    expect(seen).toEqual(['asha', null]);
  });

  it('stays signed in with the old token while offline', async () => {
    const { make, server, advance } = setup();
    const auth = make();
    await auth.signIn(pair(1));
    server.state.offline = true;
    advance(3600_000);
    expect(await auth.accessToken()).toBe('access-1');
    expect(auth.user()).toMatchObject({ username: 'asha' });
  });

  it('signs out locally even when the server cannot be told, keeping recent users', async () => {
    const { make, server, db } = setup();
    const auth = make();
    await auth.signIn(pair(1));
    server.state.offline = true;
    await auth.signOut();
    expect(auth.user()).toBeNull();
    expect(await db.recentUsers.count()).toBe(1);
  });
});

describe('IdleTimer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('warns before signing out, and activity starts the countdown again', () => {
    vi.useFakeTimers();
    const events: string[] = [];
    const timer = new IdleTimer({
      timeoutMs: 30 * 60_000,
      warnMs: 60_000,
      onWarn: (s) => events.push(`warn ${s}`),
      onTimeout: () => events.push('out'),
    });
    timer.activity();
    vi.advanceTimersByTime(29 * 60_000);
    expect(events).toEqual(['warn 60']);
    expect(timer.isWarning()).toBe(true);
    timer.activity();
    expect(timer.isWarning()).toBe(false);
    vi.advanceTimersByTime(29 * 60_000 - 1);
    expect(events).toEqual(['warn 60']);
    vi.advanceTimersByTime(60_001);
    expect(events).toEqual(['warn 60', 'warn 60', 'out']);
    timer.stop();
  });
});
