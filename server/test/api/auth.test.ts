import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenPair, User } from '@stockverify/shared';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('password login', () => {
  it('signs in and the access token works for /auth/me', async () => {
    const { user, password } = await t.userWithRole('staff', 'alice');
    const res = await t.request<TokenPair>('POST', '/api/auth/login', {
      body: { username: 'ALICE', password },
    });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.token_type).toBe('Bearer');
    expect(res.body.data.expires_in).toBe(15 * 60);
    expect(res.body.data.user).toMatchObject({ id: user.id, username: 'alice', role: 'staff' });
    expect(JSON.stringify(res.body.data.user)).not.toMatch(/hash/);
    const me = await t.request<User>('GET', '/api/auth/me', { token: res.body.data.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.username).toBe('alice');
    expect(me.headers.get('x-request-id')).toBe(me.body.request_id);
  });

  it('a wrong password and an unknown user get the same 401', async () => {
    await t.userWithRole('staff', 'bob');
    const wrong = await t.request('POST', '/api/auth/login', {
      body: { username: 'bob', password: 'nope-nope' },
    });
    const unknown = await t.request('POST', '/api/auth/login', {
      body: { username: 'nobody', password: 'nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(wrong.body.error?.code).toBe('INVALID_CREDENTIALS');
  });

  it('a disabled account cannot sign in', async () => {
    const { user, password } = await t.userWithRole('staff', 'carol');
    const admin = await t.userWithRole('admin');
    await t.request('PATCH', `/api/users/${user.id}`, {
      token: admin.token,
      body: { active: false },
    });
    const res = await t.request('POST', '/api/auth/login', {
      body: { username: 'carol', password },
    });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('ACCOUNT_DISABLED');
  });

  it('records sign-ins and failures in the audit trail', async () => {
    const { user, password } = await t.userWithRole('staff', 'dave');
    await t.request('POST', '/api/auth/login', {
      body: { username: 'dave', password: 'wrong-one' },
    });
    await t.request('POST', '/api/auth/login', {
      body: { username: 'dave', password },
      headers: { 'x-request-id': 'req-42' },
    });
    const audit = await t.store.audit.list({ page: 1, page_size: 50, actor_id: user.id });
    const actions = audit.items.map((e) => e.action);
    expect(actions).toContain('auth.login_failed');
    expect(audit.items.find((e) => e.request_id === 'req-42')?.action).toBe('auth.login');
  });
});

describe('PIN login and lockout', () => {
  it('locks after 5 failures (423 + Retry-After, growing), hard-locks after 10 in 24 h, supervisor unlocks', async () => {
    const { user } = await t.userWithRole('staff', 'erin', '4821');
    const supervisor = await t.userWithRole('supervisor');
    const pinLogin = (pin: string) =>
      t.request<TokenPair>('POST', '/api/auth/pin-login', { body: { username: 'erin', pin } });

    expect((await pinLogin('4821')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await pinLogin('0000')).status).toBe(401);
    const locked = await pinLogin('4821');
    expect(locked.status).toBe(423);
    expect(locked.body.error?.code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBe(30);

    t.advance(31_000);
    expect((await pinLogin('1111')).status).toBe(401); // 6th consecutive failure
    const longer = await pinLogin('4821');
    expect(longer.status).toBe(423);
    expect(Number(longer.headers.get('retry-after'))).toBe(60);

    // Keep failing past the delays until 10 failures within 24 h: hard lock, no Retry-After.
    let last = longer;
    for (let failures = 6; failures < 10; failures++) {
      t.advance(60 * 60 * 1000);
      last = await pinLogin('2222');
    }
    expect(last.status).toBe(423);
    expect(last.body.error?.hard_lock).toBe(true);
    t.advance(23 * 60 * 60 * 1000);
    const still = await pinLogin('4821');
    expect(still.status).toBe(423);
    expect(still.headers.get('retry-after')).toBeNull();

    // A day has passed: the supervisor signs in afresh.
    const fresh = await t.request<{ access_token: string }>('POST', '/api/auth/login', {
      body: { username: supervisor.user.username, password: supervisor.password },
    });
    type LockedList = { items: Array<{ id: string; username: string }> };
    const lockedList = () =>
      t.request<LockedList>('GET', '/api/users/locked', { token: fresh.body.data.access_token });
    // Supervisors see who is locked out (and only that) so they can unlock without user management.
    const before = await lockedList();
    expect(before.status).toBe(200);
    expect(before.body.data.items).toEqual([
      {
        id: user.id,
        username: 'erin',
        full_name: expect.any(String),
        role: 'staff',
        warehouse: null,
      },
    ]);
    const unlock = await t.request<User>('POST', `/api/users/${user.id}/unlock`, {
      token: fresh.body.data.access_token,
      body: {},
    });
    expect(unlock.status).toBe(200);
    expect(unlock.body.data.locked).toBe(false);
    expect((await lockedList()).body.data.items).toEqual([]);
    expect((await pinLogin('4821')).status).toBe(200);
    const audit = await t.store.audit.list({ page: 1, page_size: 5, action: 'user.unlock' });
    expect(audit.items[0]?.target_id).toBe(user.id);
  });

  it('a password login is refused while the account is PIN-locked', async () => {
    const { password } = await t.userWithRole('staff', 'frank', '1234');
    for (let i = 0; i < 5; i++)
      await t.request('POST', '/api/auth/pin-login', { body: { username: 'frank', pin: '9999' } });
    const res = await t.request('POST', '/api/auth/login', {
      body: { username: 'frank', password },
    });
    expect(res.status).toBe(423);
  });

  it('a user without a PIN gets the generic 401', async () => {
    await t.userWithRole('staff', 'gina');
    const res = await t.request('POST', '/api/auth/pin-login', {
      body: { username: 'gina', pin: '1234' },
    });
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('INVALID_CREDENTIALS');
  });

  it('a supervisor cannot unlock an admin', async () => {
    const admin = await t.userWithRole('admin', 'root2');
    const supervisor = await t.userWithRole('supervisor');
    const res = await t.request('POST', `/api/users/${admin.user.id}/unlock`, {
      token: supervisor.token,
      body: {},
    });
    expect(res.status).toBe(403);
  });
});

describe('per-IP login rate limit', () => {
  it('answers 429 with Retry-After after too many failures from one address', async () => {
    await t.close();
    t = await startTestApp({ settings: { loginRateLimit: 3, loginRateWindowMs: 60_000 } });
    const { password } = await t.userWithRole('staff', 'henry');
    for (let i = 0; i < 3; i++) {
      const r = await t.request('POST', '/api/auth/login', {
        body: { username: `ghost${i}`, password: 'wrong-pass' },
      });
      expect(r.status).toBe(401);
    }
    const limited = await t.request('POST', '/api/auth/login', {
      body: { username: 'henry', password },
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    t.advance(61_000);
    expect(
      (await t.request('POST', '/api/auth/login', { body: { username: 'henry', password } }))
        .status,
    ).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('rotates on every use; replaying a used token revokes the whole family', async () => {
    const { tokens } = await t.userWithRole('staff', 'ivy');
    const first = await t.request<TokenPair>('POST', '/api/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
    });
    expect(first.status).toBe(200);
    expect(first.body.data.refresh_token).not.toBe(tokens.refresh_token);
    const second = await t.request<TokenPair>('POST', '/api/auth/refresh', {
      body: { refresh_token: first.body.data.refresh_token },
    });
    expect(second.status).toBe(200);

    const replay = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error?.code).toBe('REFRESH_TOKEN_REUSED');
    // The newest token of the family is dead too: the thief and the victim both sign in again.
    const newest = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: second.body.data.refresh_token },
    });
    expect(newest.status).toBe(401);
    expect(newest.body.error?.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('other sign-ins of the same user survive a family revocation', async () => {
    const { tokens, password } = await t.userWithRole('staff', 'jack');
    const other = await t.request<TokenPair>('POST', '/api/auth/login', {
      body: { username: 'jack', password },
    });
    await t.request('POST', '/api/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
    await t.request('POST', '/api/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
    const res = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: other.body.data.refresh_token },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a refresh token used as an access token, and an access token used as a refresh token', async () => {
    const { tokens } = await t.userWithRole('staff', 'kate');
    const asAccess = await t.request('GET', '/api/auth/me', { token: tokens.refresh_token });
    expect(asAccess.status).toBe(401);
    expect(asAccess.body.error?.code).toBe('TOKEN_INVALID');
    const asRefresh = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: tokens.access_token },
    });
    expect(asRefresh.status).toBe(401);
  });

  it('an expired refresh token is refused', async () => {
    const { tokens } = await t.userWithRole('staff', 'liam');
    t.advance(8 * 24 * 60 * 60 * 1000);
    const res = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
    });
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('logout revokes the refresh family of that sign-in', async () => {
    const { tokens, token } = await t.userWithRole('staff', 'mia');
    const out = await t.request('POST', '/api/auth/logout', { token, body: {} });
    expect(out.status).toBe(200);
    const res = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
    });
    expect(res.status).toBe(401);
  });
});

describe('access tokens', () => {
  it('refuses tampered, expired, alg:none, wrong-key and wrong-typ tokens', async () => {
    const { token, user } = await t.userWithRole('admin', 'noah');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
      string,
      unknown
    >;

    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin', sub: 'someone-else' })).toString('base64url')}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const wrongKey = jwt.sign(claims, 'another-secret-another-secret-another', {
      algorithm: 'HS256',
    });
    const hs512 = jwt.sign(claims, t.settings.jwtSecret, { algorithm: 'HS512' });
    const refreshTyp = jwt.sign({ ...claims, typ: 'refresh' }, t.settings.jwtSecret, {
      algorithm: 'HS256',
    });

    for (const bad of [tampered, none, wrongKey, hs512, refreshTyp, 'garbage']) {
      const res = await t.request('GET', '/api/auth/me', { token: bad });
      expect(res.status, bad).toBe(401);
      expect(res.body.error?.code).toBe('TOKEN_INVALID');
    }
    expect((await t.request('GET', '/api/auth/me', { token })).status).toBe(200);

    t.advance(15 * 60 * 1000 + 1000);
    const expired = await t.request('GET', '/api/auth/me', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.code).toBe('TOKEN_EXPIRED');
    expect(user.role).toBe('admin');
  });

  it('no token at all is 401 UNAUTHENTICATED', async () => {
    const res = await t.request('GET', '/api/auth/me');
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('UNAUTHENTICATED');
  });

  it('a demotion applies at once, before the token expires', async () => {
    const target = await t.userWithRole('admin', 'olga');
    const admin = await t.userWithRole('admin');
    expect((await t.request('GET', '/api/users', { token: target.token })).status).toBe(200);
    await t.request('PATCH', `/api/users/${target.user.id}`, {
      token: admin.token,
      body: { role: 'staff' },
    });
    expect((await t.request('GET', '/api/users', { token: target.token })).status).toBe(403);
  });
});

describe('own secrets', () => {
  it('changing the password needs the current one and ends other sign-ins', async () => {
    const { token, tokens, password } = await t.userWithRole('staff', 'pete');
    const wrong = await t.request('PUT', '/api/auth/me/password', {
      token,
      body: { current_password: 'not-it-at-all', new_password: 'a-new-password' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.details?.[0]?.path).toBe('current_password');
    const ok = await t.request('PUT', '/api/auth/me/password', {
      token,
      body: { current_password: password, new_password: 'a-new-password' },
    });
    expect(ok.status).toBe(200);
    expect(
      (
        await t.request('POST', '/api/auth/refresh', {
          body: { refresh_token: tokens.refresh_token },
        })
      ).status,
    ).toBe(401);
    expect(
      (await t.request('POST', '/api/auth/login', { body: { username: 'pete', password } })).status,
    ).toBe(401);
    expect(
      (
        await t.request('POST', '/api/auth/login', {
          body: { username: 'pete', password: 'a-new-password' },
        })
      ).status,
    ).toBe(200);
  });

  it('sets a PIN that then works for PIN login', async () => {
    const { token, password } = await t.userWithRole('staff', 'quinn');
    const bad = await t.request('PUT', '/api/auth/me/pin', {
      token,
      body: { current_password: password, new_pin: '12' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.details?.[0]?.path).toBe('new_pin');
    const ok = await t.request<User>('PUT', '/api/auth/me/pin', {
      token,
      body: { current_password: password, new_pin: '7531' },
    });
    expect(ok.body.data.has_pin).toBe(true);
    expect(
      (await t.request('POST', '/api/auth/pin-login', { body: { username: 'quinn', pin: '7531' } }))
        .status,
    ).toBe(200);
  });
});
