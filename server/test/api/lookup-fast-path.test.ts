/**
 * The barcode lookup is served outside Express for speed (modules/items/lookup-fast-path.ts).
 * These tests hold it to the same contract as the Express stack: headers, auth errors,
 * validation errors, envelope, request id, and leaving every other URL to Express.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  await t.seedItems([
    makeItem('FP-1', 'Fast Path Item', {
      barcodes: [{ code: 'FP-0001', kind: 'primary', pack_qty: 1 }],
    }),
  ]);
  token = (await t.userWithRole('staff')).token;
});
afterAll(async () => {
  await t.close();
});

const securityHeaderNames = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'permissions-policy',
  'referrer-policy',
  // No Strict-Transport-Security over plain HTTP: security-headers-tls.test.ts covers both modes.
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

describe('lookup fast path', () => {
  it('sends exactly the security headers Express routes send', async () => {
    const fast = await fetch(`${t.baseUrl}/api/items/barcode/FP-0001`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const viaExpress = await fetch(`${t.baseUrl}/api/items/search?q=FP`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(fast.status).toBe(200);
    for (const name of securityHeaderNames) {
      expect(fast.headers.get(name), name).not.toBeNull();
      expect(fast.headers.get(name), name).toBe(viaExpress.headers.get(name));
    }
    expect(fast.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(fast.headers.get('x-powered-by')).toBeNull();
  });

  it('answers auth failures like the Express guard', async () => {
    const none = await t.request('GET', '/api/items/barcode/FP-0001');
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe('UNAUTHENTICATED');
    const bad = await t.request('GET', '/api/items/barcode/FP-0001', { token: 'not.a.jwt' });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.code).toBe('TOKEN_INVALID');
    const viaExpress = await t.request('GET', '/api/items/FP-1', { token: 'not.a.jwt' });
    expect(viaExpress.body.error).toEqual(bad.body.error);
    t.advance(16 * 60 * 1000);
    const expired = await t.request('GET', '/api/items/barcode/FP-0001', { token });
    expect(expired.body.error?.code).toBe('TOKEN_EXPIRED');
    t.advance(-16 * 60 * 1000);
  });

  it('validates the code and the query with field paths, and echoes the request id', async () => {
    const badEncoding = await t.request('GET', '/api/items/barcode/%E0%A4%A', {
      token,
      headers: { 'x-request-id': 'scan-7' },
    });
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body.error?.details?.[0]?.path).toBe('params.code');
    expect(badEncoding.body.request_id).toBe('scan-7');
    expect(badEncoding.headers.get('x-request-id')).toBe('scan-7');
    const longSession = await t.request(
      'GET',
      `/api/items/barcode/FP-0001?session=${'x'.repeat(65)}`,
      { token },
    );
    expect(longSession.status).toBe(400);
    expect(longSession.body.error?.details?.[0]?.path).toBe('query.session');
  });

  it('leaves every other URL and method to Express', async () => {
    const deeper = await t.request('GET', '/api/items/barcode/FP-0001/extra', { token });
    expect(deeper.status).toBe(404);
    expect(deeper.body.error?.code).toBe('ROUTE_NOT_FOUND');
    const post = await t.request('POST', '/api/items/barcode/FP-0001', { token, body: {} });
    expect(post.body.error?.code).toBe('ROUTE_NOT_FOUND');
    const empty = await t.request('GET', '/api/items/barcode/', { token });
    expect(empty.status).toBe(404);
  });

  it('answers the success envelope with a generated request id', async () => {
    const ok = await t.request<{ item: { item_code: string } }>(
      'GET',
      '/api/items/barcode/FP-0001?session=s1',
      { token },
    );
    expect(ok.body).toMatchObject({
      success: true,
      error: null,
      message: 'OK',
      data: { item: { item_code: 'FP-1' } },
    });
    expect(ok.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
