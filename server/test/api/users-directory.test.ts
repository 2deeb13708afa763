/**
 * `GET /users/directory?q=` (issue #14 point 7): supervisors pick people by name, not by id. Only
 * id, username, full name, role and warehouse come back — nothing about sign-in; staff get 403;
 * bad input is a 400 naming the field.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userDirectoryEntrySchema } from '@stockverify/shared';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

interface Entry {
  id: string;
  username: string;
  full_name: string;
  role: string;
  warehouse: string | null;
}

describe('GET /users/directory', () => {
  it('finds people by part of their name for a supervisor, with no secrets', async () => {
    const supervisor = await t.userWithRole('supervisor', 'sup');
    const priya = await t.userWithRole('staff', 'priya');
    await t.userWithRole('staff', 'bob');
    const admin = await t.userWithRole('admin', 'boss');
    // Full names are "<role> user"; make one findable by a real name.
    await t.request('PATCH', `/api/users/${priya.user.id}`, {
      token: admin.token,
      body: { full_name: 'Priya Raman' },
    });
    const res = await t.request<{ items: Entry[] }>('GET', '/api/users/directory?q=rama', {
      token: supervisor.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.items).toEqual([
      {
        id: priya.user.id,
        username: 'priya',
        full_name: 'Priya Raman',
        role: 'staff',
        warehouse: null,
      },
    ]);
    for (const item of res.body.data.items) userDirectoryEntrySchema.parse(item);

    const all = await t.request<{ items: Entry[] }>('GET', '/api/users/directory?role=staff', {
      token: supervisor.token,
    });
    expect(all.body.data.items.map((u) => u.username).sort()).toEqual(['bob', 'priya']);
    const text = JSON.stringify(all.body);
    for (const secret of ['password', 'pin', 'hash', 'locked', 'last_login']) {
      expect(text).not.toContain(secret);
    }
  });

  it('is refused to staff (403) and to the signed out (401)', async () => {
    const staff = await t.userWithRole('staff', 'carol');
    const res = await t.request('GET', '/api/users/directory?q=a', { token: staff.token });
    expect(res.status).toBe(403);
    const anon = await t.request('GET', '/api/users/directory');
    expect(anon.status).toBe(401);
  });

  it('answers bad input with 400 naming the field', async () => {
    const supervisor = await t.userWithRole('supervisor', 'sup2');
    const res = await t.request('GET', `/api/users/directory?limit=0&q=${'x'.repeat(65)}`, {
      token: supervisor.token,
    });
    expect(res.status).toBe(400);
    const paths = (res.body.error?.details ?? []).map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['query.limit', 'query.q']);
  });
});
