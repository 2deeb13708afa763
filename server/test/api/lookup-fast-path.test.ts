/**
 * The barcode lookup is served outside Express for speed (modules/items/lookup-fast-path.ts).
 * These tests hold it to the same contract as the Express stack: auth errors, validation errors,
 * envelope, request id, and leaving every other URL to Express; and the parity suite below diffs
 * every header and the body of its answers against Express's answer to the same request.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCoordination } from '../../src/adapters/coordination/memory';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import { createApp } from '../../src/app';
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

describe('lookup fast path', () => {
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

/**
 * Parity: one app, served twice over one store: through the real request listener (fast path
 * first) and through Express alone. The same request goes to both and every header of the two
 * answers is compared, except:
 * - `date`: the clock's second at which each answer was written;
 * - `keep-alive`, `connection`: node:http's connection handling, not the app's answer.
 * The request id is not excluded: every request below sends its own X-Request-Id, so both answers
 * must echo the same one. Trust proxy is on (loopback) and every request carries X-Forwarded-For,
 * so the address in the log line is Express's `req.ip`, and the fast path's must be the same.
 */
describe('lookup fast path parity with Express', () => {
  const EXCLUDED = new Set(['date', 'keep-alive', 'connection']);
  const CONSOLE = 'app://renderer';
  const CLIENT_IP = '203.0.113.7';
  const logLines: Array<Record<string, unknown>> = [];
  let dir: string;
  let close: () => Promise<void>;
  let fastUrl: string;
  let expressUrl: string;
  let staffToken: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-parity-'));
    const store = createSqliteStore({ file: path.join(dir, 'test.db') });
    await store.init();
    const coordination = createMemoryCoordination();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const { app, handler, services } = createApp({
      settings: {
        jwtSecret: 'test-secret-that-is-long-enough-for-hs256-0123456789',
        accessTokenMinutes: 15,
        refreshTokenDays: 7,
        loginRateLimit: 50,
        loginRateWindowMs: 15 * 60 * 1000,
        bodyLimit: '100kb',
        uploadLimitBytes: 2 * 1024 * 1024,
        itemCacheMs: 60_000,
        trustProxy: 'loopback',
      },
      store,
      coordination,
      erp: createDemoErpSource({ itemCount: 50 }),
      log: pino({ level: 'info' }, sink),
      clock: () => new Date(),
    });
    const listen = async (listener: http.RequestListener) => {
      const server = http.createServer(listener);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const fast = await listen(handler);
    const viaExpress = await listen(app);
    fastUrl = fast.url;
    expressUrl = viaExpress.url;
    close = async () => {
      for (const { server } of [fast, viaExpress]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await store.close();
      await coordination.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    await store.items.upsertMany([
      makeItem('FP-1', 'Fast Path Item', {
        barcodes: [{ code: 'FP-0001', kind: 'primary', pack_qty: 1 }],
      }),
    ]);
    const admin = { id: 'test', username: 'test', role: 'admin' as const };
    await services.users.create(
      admin,
      { request_id: null, ip: null },
      { username: 'parity', full_name: 'Parity', role: 'staff', password: 'pw-parity-secret' },
    );
    const login = await fetch(`${expressUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'parity', password: 'pw-parity-secret' }),
    });
    staffToken = ((await login.json()) as { data: { access_token: string } }).data.access_token;
    // One lookup first, so both servers answer from the items cache (`source: "cache"`).
    await fetch(`${expressUrl}/api/items/barcode/FP-0001`, {
      headers: { authorization: `Bearer ${staffToken}` },
    });
  });
  afterAll(async () => {
    await close();
  });

  let n = 0;
  /** The same request to both servers; every header but the excluded ones, and the bodies. */
  async function both(method: string, url: string, headers: Record<string, string>) {
    const answer = async (base: string, id: string) => {
      const res = await fetch(base + url, {
        method,
        headers: { 'x-request-id': id, 'x-forwarded-for': CLIENT_IP, ...headers },
      });
      const all = Object.fromEntries(
        [...res.headers].filter(([name]) => !EXCLUDED.has(name.toLowerCase())),
      );
      return { status: res.status, headers: all, body: await res.text() };
    };
    const id = `parity-${++n}`;
    const fast = await answer(fastUrl, id);
    const express = await answer(expressUrl, id);
    // Each server has written its log line by the time its answer is read.
    await new Promise((resolve) => setImmediate(resolve));
    const logged = logLines.filter((l) => l['req_id'] === id && l['msg'] === 'request');
    return { fast, express, logged };
  }

  const bearer = () => ({ authorization: `Bearer ${staffToken}` });
  const cases: Array<[string, string, string, () => Record<string, string>, number]> = [
    ['a hit', 'GET', '/api/items/barcode/FP-0001', bearer, 200],
    ['a miss', 'GET', '/api/items/barcode/NO-SUCH-CODE', bearer, 404],
    ['no token', 'GET', '/api/items/barcode/FP-0001', () => ({}), 401],
    [
      'a CORS preflight from the console',
      'OPTIONS',
      '/api/items/barcode/FP-0001',
      () => ({
        origin: CONSOLE,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      }),
      204,
    ],
    [
      'a CORS GET from the console',
      'GET',
      '/api/items/barcode/FP-0001',
      () => ({ ...bearer(), origin: CONSOLE }),
      200,
    ],
    [
      'a GET from an origin not allowed',
      'GET',
      '/api/items/barcode/FP-0001',
      () => ({ ...bearer(), origin: 'https://elsewhere.example' }),
      200,
    ],
  ];

  for (const [name, method, url, headers, status] of cases) {
    it(`answers ${name} with Express's headers and body, and logs Express's req.ip`, async () => {
      const { fast, express, logged } = await both(method, url, headers());
      expect(express.status).toBe(status);
      expect(fast.status).toBe(express.status);
      expect(fast.headers).toEqual(express.headers);
      expect(fast.body).toBe(express.body);
      expect(logged.map((l) => l['ip'])).toEqual([CLIENT_IP, CLIENT_IP]);
    });
  }

  it('the CORS GET carries the console headers (the diff compares something)', async () => {
    const { fast } = await both('GET', '/api/items/barcode/FP-0001', {
      ...bearer(),
      origin: CONSOLE,
    });
    expect(fast.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(fast.headers['vary']).toBe('Origin');
    expect(fast.headers['content-security-policy']).toBeDefined();
    expect(fast.headers['x-request-id']).toMatch(/^parity-/);
  });
});
