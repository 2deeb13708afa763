/**
 * The supervisor console served by the server at /console (beside the PWA at /), and CORS for the
 * Electron console's origin (issue #5; design §2, §6).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-console-'));
  const consoleDir = path.join(root, 'console');
  const pwaDir = path.join(root, 'pwa');
  fs.mkdirSync(path.join(consoleDir, 'assets'), { recursive: true });
  fs.mkdirSync(pwaDir);
  fs.writeFileSync(path.join(consoleDir, 'index.html'), '<title>console shell</title>');
  fs.writeFileSync(path.join(consoleDir, 'assets', 'app.js'), 'console.log("console")');
  fs.writeFileSync(path.join(pwaDir, 'index.html'), '<title>pwa shell</title>');
  t = await startTestApp({
    settings: {
      consoleDir,
      pwaDir,
      corsOrigins: ['app://renderer', 'https://office.example:8443'],
    },
  });
});
afterAll(async () => {
  // Only what beforeAll got to make: a failed set-up reports its own error and nothing more.
  await t?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(t.baseUrl + url, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('/console', () => {
  it('serves the console shell and its assets, not the PWA', async () => {
    const shell = await get('/console/');
    expect(shell.status).toBe(200);
    expect(shell.text).toContain('console shell');
    const asset = await get('/console/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.text).toContain('console');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    // The shell is revalidated on every load; assets may be cached.
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    expect(asset.headers.get('cache-control')).toMatch(/max-age=3600/);
  });

  it('redirects /console to /console/ so relative asset URLs resolve', async () => {
    const res = await get('/console');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('falls back to the console shell for client-side routes under /console', async () => {
    const res = await get('/console/sessions/123');
    expect(res.status).toBe(200);
    expect(res.text).toContain('console shell');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('leaves / and other routes to the PWA and /api to the API', async () => {
    expect((await get('/')).text).toContain('pwa shell');
    expect((await get('/scan')).text).toContain('pwa shell');
    expect((await get('/consoles')).text).toContain('pwa shell');
    const api = await get('/api/console/nothing');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.text)).toMatchObject({ success: false });
  });
});

describe('CORS for the console', () => {
  it('allows the Electron renderer origin on API answers', async () => {
    const res = await get('/api/health', { headers: { Origin: 'app://renderer' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('app://renderer');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('answers an allowed preflight with 204 and the methods and headers the console uses', async () => {
    const res = await get('/api/sessions/bulk/close', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://office.example:8443',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://office.example:8443');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each([
    'https://evil.example',
    'app://renderer.evil.example',
    'https://office.example', // same host, other port
    'http://office.example:8443', // other scheme
    'https://office.example:8443.evil.example',
    'null',
  ])('gives %s no CORS headers, preflight or not', async (origin) => {
    const simple = await get('/api/health', { headers: { Origin: origin } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await get('/api/sessions', {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).not.toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin call an authenticated route with a bearer token', async () => {
    const sup = await t.userWithRole('supervisor', 'cors-sup');
    const res = await get('/api/sessions', {
      headers: { Origin: 'app://renderer', Authorization: `Bearer ${sup.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('app://renderer');
  });
});
