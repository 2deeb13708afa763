/**
 * One token verifier (issue #15 point 9): the Express guard (passport-jwt) and the lookup fast path
 * both check a token through the app's access verifier, so a token verified on one path is not
 * verified again, uncached, on the other; and the guard's answers stay the verifier's.
 */
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let token: string;
let refresh: string;
beforeAll(async () => {
  t = await startTestApp();
  await t.seedItems([
    makeItem('TV-1', 'Verifier Item', {
      barcodes: [{ code: 'TV-0001', kind: 'primary', pack_qty: 1 }],
    }),
  ]);
  const staff = await t.userWithRole('staff');
  token = staff.token;
  refresh = staff.tokens.refresh_token;
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('one token verifier for Express and the fast path', () => {
  it('checks a token signature once, whichever path sees it first', async () => {
    const verify = vi.spyOn(jwt, 'verify');
    for (let i = 0; i < 3; i++) {
      expect((await t.request('GET', '/api/items/barcode/TV-0001', { token })).status).toBe(200);
    }
    for (let i = 0; i < 3; i++) {
      expect((await t.request('GET', '/api/items/TV-1', { token })).status).toBe(200);
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('a token first seen by Express is not verified again by the fast path', async () => {
    const fresh = await t.signIn(...(await credentials()));
    const verify = vi.spyOn(jwt, 'verify');
    expect((await t.request('GET', '/api/items/TV-1', { token: fresh })).status).toBe(200);
    expect((await t.request('GET', '/api/items/TV-1', { token: fresh })).status).toBe(200);
    expect((await t.request('GET', '/api/items/barcode/TV-0001', { token: fresh })).status).toBe(
      200,
    );
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('Express still refuses what the verifier refuses, with the same errors as the fast path', async () => {
    const forged = jwt.sign({ sub: 'x', typ: 'access' }, 'another-secret-0123456789-0123456789');
    for (const [bad, code] of [
      [forged, 'TOKEN_INVALID'],
      [refresh, 'TOKEN_INVALID'],
      ['not.a.jwt', 'TOKEN_INVALID'],
    ] as const) {
      const viaExpress = await t.request('GET', '/api/items/TV-1', { token: bad });
      const fast = await t.request('GET', '/api/items/barcode/TV-0001', { token: bad });
      expect(viaExpress.status).toBe(401);
      expect(viaExpress.body.error?.code).toBe(code);
      expect(fast.body.error).toEqual(viaExpress.body.error);
    }
    t.advance(16 * 60 * 1000);
    const expired = await t.request('GET', '/api/items/TV-1', { token });
    expect(expired.body.error?.code).toBe('TOKEN_EXPIRED');
    t.advance(-16 * 60 * 1000);
  });
});

let signIns = 0;
async function credentials(): Promise<[string, string]> {
  const username = `tv-staff-${++signIns}`;
  const { password } = await t.userWithRole('staff', username);
  return [username, password];
}
