import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page, User } from '@stockverify/shared';
import { startTestApp, type TestApp } from '../support/test-app';
import { systemStatusSchema } from '@stockverify/shared';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('RBAC: each role is refused what is above it', () => {
  it('staff and supervisor get 403 on admin and supervisor routes; admin passes', async () => {
    const staff = await t.userWithRole('staff');
    const supervisor = await t.userWithRole('supervisor');
    const admin = await t.userWithRole('admin');
    const cases: Array<[string, string, Record<string, boolean>]> = [
      ['GET', '/api/users', { staff: false, supervisor: false, admin: true }],
      ['GET', '/api/users/locked', { staff: false, supervisor: true, admin: true }],
      [
        'POST',
        `/api/users/${staff.user.id}/unlock`,
        { staff: false, supervisor: true, admin: true },
      ],
      ['GET', '/api/erp/status', { staff: false, supervisor: true, admin: true }],
      ['POST', '/api/erp/sync', { staff: false, supervisor: false, admin: true }],
      ['GET', '/api/admin/system-status', { staff: false, supervisor: false, admin: true }],
      ['GET', '/api/admin/audit', { staff: false, supervisor: false, admin: true }],
      ['GET', '/api/items/search?q=a', { staff: true, supervisor: true, admin: true }],
    ];
    const tokens = { staff: staff.token, supervisor: supervisor.token, admin: admin.token };
    for (const [method, url, allowed] of cases) {
      for (const role of ['staff', 'supervisor', 'admin'] as const) {
        const res = await t.request(method, url, {
          token: tokens[role],
          body: method === 'POST' ? {} : undefined,
        });
        if (allowed[role]) expect(res.status, `${role} ${method} ${url}`).not.toBe(403);
        else {
          expect(res.status, `${role} ${method} ${url}`).toBe(403);
          expect(res.body.error?.code).toBe('FORBIDDEN');
        }
      }
    }
  });
});

describe('user management', () => {
  it('creates, lists, filters, updates, and audits users; never shows hashes', async () => {
    const admin = await t.userWithRole('admin', 'boss');
    const created = await t.request<User>('POST', '/api/users', {
      token: admin.token,
      body: {
        username: 'New.Counter',
        full_name: 'New Counter',
        role: 'staff',
        password: 'long-enough-pw',
        pin: '2468',
        warehouse: 'WH-MAIN',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      username: 'new.counter',
      has_pin: true,
      warehouse: 'WH-MAIN',
      active: true,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|hash/);

    const dup = await t.request('POST', '/api/users', {
      token: admin.token,
      body: {
        username: 'new.counter',
        full_name: 'Again',
        role: 'staff',
        password: 'long-enough-pw',
      },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error?.code).toBe('USERNAME_TAKEN');

    const list = await t.request<Page<User>>('GET', '/api/users?role=staff&q=counter', {
      token: admin.token,
    });
    expect(list.body.data.total).toBe(1);
    expect(list.body.data.items[0]?.username).toBe('new.counter');

    const patched = await t.request<User>('PATCH', `/api/users/${created.body.data.id}`, {
      token: admin.token,
      body: { role: 'supervisor', pin: null },
    });
    expect(patched.body.data).toMatchObject({ role: 'supervisor', has_pin: false });
    const audit = await t.store.audit.list({
      page: 1,
      page_size: 10,
      target_id: created.body.data.id,
    });
    expect(audit.items.map((e) => e.action).sort()).toEqual(['user.create', 'user.update']);
    expect(JSON.stringify(audit.items)).not.toMatch(/long-enough-pw|2468/);
  });

  it('refuses to demote or disable the last active admin', async () => {
    const admin = await t.userWithRole('admin', 'only');
    // The test fixture's creator is not a stored user, so "only" is the one admin.
    const res = await t.request('PATCH', `/api/users/${admin.user.id}`, {
      token: admin.token,
      body: { active: false },
    });
    expect(res.status).toBe(409);
    expect(res.body.error?.details?.[0]?.path).toBe('active');
  });

  it('404s an unknown user id', async () => {
    const admin = await t.userWithRole('admin');
    const res = await t.request('PATCH', '/api/users/no-such-id', {
      token: admin.token,
      body: { full_name: 'X' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('USER_NOT_FOUND');
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  it('400 with every field path at fault', async () => {
    const admin = await t.userWithRole('admin');
    const before = await t.store.users.count();
    const res = await t.request('POST', '/api/users', {
      token: admin.token,
      body: {
        username: 'x',
        full_name: '',
        role: 'boss',
        password: 'short',
        pin: '12ab',
        extra: 1,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.data).toBeNull();
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    const paths = res.body.error?.details?.map((d) => d.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining(['username', 'full_name', 'role', 'password', 'pin']),
    );
    expect(await t.store.users.count()).toBe(before);
  });

  it('query validation names the query field', async () => {
    const admin = await t.userWithRole('admin');
    const res = await t.request('GET', '/api/users?page=0&role=king', { token: admin.token });
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.map((d) => d.path).sort()).toEqual([
      'query.page',
      'query.role',
    ]);
  });

  it('malformed JSON is 400 MALFORMED_JSON, too large is 413, both enveloped', async () => {
    const bad = await t.request('POST', '/api/auth/login', {
      rawBody: '{"username": "a",',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('MALFORMED_JSON');
    const big = await t.request('POST', '/api/auth/login', {
      body: { username: 'a', password: 'x'.repeat(200 * 1024) },
    });
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a non-JSON body is a validation error, not a crash', async () => {
    const res = await t.request('POST', '/api/auth/login', {
      rawBody: 'username=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
  });

  it('unknown /api routes are JSON 404s', async () => {
    const res = await t.request('GET', '/api/nope/nothing');
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('HTTP basics', () => {
  it('echoes a sane client request id and replaces an unsafe one', async () => {
    const ok = await t.request('GET', '/api/health', { headers: { 'x-request-id': 'phone-123' } });
    expect(ok.headers.get('x-request-id')).toBe('phone-123');
    expect(ok.body.request_id).toBe('phone-123');
    const unsafe = await t.request('GET', '/api/health', {
      headers: { 'x-request-id': 'bad id\twith tabs' },
    });
    expect(unsafe.headers.get('x-request-id')).not.toBe('bad id\twith tabs');
    expect(unsafe.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers that keep the camera allowed for our origin only', async () => {
    const res = await fetch(`${t.baseUrl}/api/health`);
    expect(res.headers.get('permissions-policy')).toContain('camera=(self)');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // WebAssembly for the barcode decoder, but never JavaScript eval.
    expect(res.headers.get('content-security-policy')).toContain(
      "script-src 'self' 'wasm-unsafe-eval'",
    );
    expect(res.headers.get('content-security-policy')).not.toContain("'unsafe-eval'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('system status reports each dependency with latency', async () => {
    const admin = await t.userWithRole('admin');
    const res = await t.request<{
      store: { kind: string; ok: boolean };
      coordination: { ok: boolean };
      erp: { ok: boolean };
    }>('GET', '/api/admin/system-status', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.data.store).toMatchObject({ kind: 'sqlite', ok: true });
    expect(res.body.data.coordination.ok).toBe(true);
    expect(res.body.data.erp.ok).toBe(true);
    // The overall state in one word (issue #14: the console showed "Overall: ·"), to the schema.
    expect(systemStatusSchema.parse(res.body.data).status).toBe('ok');
  });
});
