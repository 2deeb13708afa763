/**
 * Issue #11: a server started without its built front ends says so at `/` and `/console/` instead
 * of a bare "Cannot GET /"; `GET /api/admin/phone-access` tells the console which LAN address
 * phones open (supervisor+), in the shared schema.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { phoneAccessSchema, type PhoneAccess } from '@stockverify/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let root: string;
let access: PhoneAccess | null = null;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-not-built-'));
  t = await startTestApp({
    settings: {
      // Folders without an index.html: nothing built yet.
      pwaDir: path.join(root, 'pwa', 'dist'),
      consoleDir: path.join(root, 'desktop', 'dist', 'renderer'),
      phoneAccess: () => access,
    },
  });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function get(url: string, accept = 'text/html') {
  const res = await fetch(t.baseUrl + url, { headers: { accept } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('front ends not built', () => {
  it('/ explains that the staff app is not built and how to build it', async () => {
    const page = await get('/');
    expect(page.status).toBe(503);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('The staff app is not built');
    expect(page.text).toContain('npm run build');
    expect(page.text).toContain('npm start');
    expect(page.text).not.toContain('Cannot GET');
    const plain = await get('/', 'text/plain');
    expect(plain.type).toMatch(/^text\/plain/);
    expect(plain.text).toContain('The staff app is not built');
  });

  it('/console and /console/ explain that the console is not built', async () => {
    for (const url of ['/console', '/console/', '/console/sessions']) {
      const page = await get(url);
      expect(page.status, url).toBe(503);
      expect(page.text, url).toContain('The console is not built');
    }
  });

  it('the API is unaffected', async () => {
    const res = await t.request('GET', '/api/health');
    expect(res.status).toBe(200);
    expect((await t.request('GET', '/api/nope')).status).toBe(404);
  });
});

describe('GET /api/admin/phone-access', () => {
  it('answers supervisors with the addresses main.ts reported, in the shared schema', async () => {
    access = {
      scheme: 'https',
      urls: ['https://192.168.1.20:8443/'],
      camera_ready: true,
      trust: { url: 'http://192.168.1.20:8080/trust', fingerprint256: 'AB:CD' },
      warning: null,
    };
    const { token } = await t.userWithRole('supervisor');
    const res = await t.request<PhoneAccess>('GET', '/api/admin/phone-access', { token });
    expect(res.status).toBe(200);
    expect(phoneAccessSchema.parse(res.body.data)).toEqual(access);
  });

  it('says so when the server has not reported its addresses', async () => {
    access = null;
    const { token } = await t.userWithRole('admin');
    const res = await t.request<PhoneAccess>('GET', '/api/admin/phone-access', { token });
    expect(res.status).toBe(200);
    const body = phoneAccessSchema.parse(res.body.data);
    expect(body.urls).toEqual([]);
    expect(body.warning).toMatch(/not reported/);
  });

  it('is refused to staff and to anonymous callers', async () => {
    const { token } = await t.userWithRole('staff');
    expect((await t.request('GET', '/api/admin/phone-access', { token })).status).toBe(403);
    expect((await t.request('GET', '/api/admin/phone-access')).status).toBe(401);
  });
});
