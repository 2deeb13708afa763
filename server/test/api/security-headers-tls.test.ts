/**
 * Plain HTTP must work from any host name (issue #11): a browser that gets
 * `upgrade-insecure-requests` or HSTS over plain HTTP fetches every script and stylesheet over
 * https:// and shows a blank page. Both are sent only when the server itself serves HTTPS
 * (`settings.tls`), and the lookup fast path sends the same set as Express in both cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaderPairs } from '../../src/http/security-headers';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

function headerMap(tls: boolean): Map<string, string> {
  return new Map(securityHeaderPairs(tls).map(([name, value]) => [name.toLowerCase(), value]));
}

describe('security headers as a function of TLS', () => {
  it('plain HTTP: no upgrade-insecure-requests, no HSTS, the rest of the CSP intact', () => {
    const headers = headerMap(false);
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(headers.has('strict-transport-security')).toBe(false);
    expect(headers.get('permissions-policy')).toContain('camera=(self)');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('HTTPS: upgrade-insecure-requests and HSTS are sent', () => {
    const headers = headerMap(true);
    expect(headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    // Everything else is the same in both modes.
    const plain = headerMap(false);
    for (const [name, value] of plain) {
      if (name === 'content-security-policy') continue;
      expect(headers.get(name), name).toBe(value);
    }
    expect(headers.get('content-security-policy')?.replace(/;?upgrade-insecure-requests/, '')).toBe(
      plain.get('content-security-policy'),
    );
  });
});

describe.each([
  ['plain HTTP (default)', undefined],
  ['tls: false', false],
  ['tls: true', true],
] as const)('an app with %s', (_label, tls) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp(tls === undefined ? {} : { settings: { tls } });
    await t.seedItems([
      makeItem('TLS-1', 'Header Item', {
        barcodes: [{ code: 'TLS-0001', kind: 'primary', pack_qty: 1 }],
      }),
    ]);
    token = (await t.userWithRole('staff')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('Express routes and the lookup fast path send the same, matching set', async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const fast = await fetch(`${t.baseUrl}/api/items/barcode/TLS-0001`, auth);
    const viaExpress = await fetch(`${t.baseUrl}/api/items/search?q=TLS`, auth);
    const page = await fetch(`${t.baseUrl}/api/health`);
    expect(fast.status).toBe(200);
    for (const [name, value] of headerMap(tls === true)) {
      expect(fast.headers.get(name), `fast path ${name}`).toBe(value);
      expect(viaExpress.headers.get(name), `express ${name}`).toBe(value);
      expect(page.headers.get(name), `health ${name}`).toBe(value);
    }
    const upgrades = tls === true;
    for (const res of [fast, viaExpress, page]) {
      expect(
        res.headers.get('content-security-policy')?.includes('upgrade-insecure-requests'),
      ).toBe(upgrades);
      expect(res.headers.has('strict-transport-security')).toBe(upgrades);
    }
  });
});
