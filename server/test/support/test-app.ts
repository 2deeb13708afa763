/**
 * Starts the real app (createApp) on port 0 with real adapters: SQLite in a fresh temp dir,
 * memory coordination (or Redis when asked), and the given ERP source.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Item, Role, TokenPair } from '@stockverify/shared';
import { createApp, type AppSettings } from '../../src/app';
import { createMemoryCoordination } from '../../src/adapters/coordination/memory';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import type { Coordination } from '../../src/ports/coordination';
import type { ErpSource } from '../../src/ports/erp';
import type { Store } from '../../src/ports/store';

export interface TestAppOptions {
  erp?: ErpSource;
  coordination?: Coordination;
  /** A store shared with another app (two API processes on one database); the caller closes it. */
  store?: Store;
  settings?: Partial<AppSettings>;
  /** Start time of the controllable clock (default: now). */
  startAt?: Date;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: {
    success: boolean;
    data: T;
    error: {
      code: string;
      message: string;
      details?: Array<{ path: string; message: string }>;
      [k: string]: unknown;
    } | null;
    message: string;
    request_id: string;
  };
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string | FormData;
  headers?: Record<string, string>;
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** A running app plus helpers: a clock to move, users by role, and a typed fetch. */
export async function startTestApp(options: TestAppOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-test-'));
  const store = options.store ?? createSqliteStore({ file: path.join(dir, 'test.db') });
  await store.init();
  let now = (options.startAt ?? new Date()).getTime();
  // The memory coordination runs on the test clock too, so lock TTLs move with `advance`.
  const coordination = options.coordination ?? createMemoryCoordination({ now: () => now });
  const erp = options.erp ?? createDemoErpSource({ itemCount: 200 });
  const clock = () => new Date(now);
  const settings: AppSettings = {
    jwtSecret: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    accessTokenMinutes: 15,
    refreshTokenDays: 7,
    loginRateLimit: 50,
    loginRateWindowMs: 15 * 60 * 1000,
    bodyLimit: '100kb',
    uploadLimitBytes: 2 * 1024 * 1024,
    itemCacheMs: 60_000,
    trustProxy: 'loopback',
    ...options.settings,
  };
  const { handler, services } = createApp({
    settings,
    store,
    coordination,
    erp,
    log: pino({ level: 'silent' }),
    clock,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function request<T = unknown>(
    method: string,
    url: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | FormData | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + url, { method, headers, body });
    const text = await res.text();
    let parsed: ApiResponse<T>['body'];
    try {
      parsed = JSON.parse(text) as ApiResponse<T>['body'];
    } catch {
      throw new Error(`non-JSON answer ${res.status} to ${method} ${url}: ${text.slice(0, 200)}`);
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** Creates a user through the service (not the API) and signs in through the API. */
  async function userWithRole(
    role: Role,
    username = `${role}-${Math.random().toString(36).slice(2, 8)}`,
    pin?: string,
  ) {
    const password = `pw-${username}-secret`;
    const user = await services.users.create(
      { id: 'test', username: 'test', role: 'admin' },
      { request_id: null, ip: null },
      { username, full_name: `${role} user`, role, password, pin },
    );
    const login = await request<TokenPair>('POST', '/api/auth/login', {
      body: { username, password },
    });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    return { user, password, pin, tokens: login.body.data, token: login.body.data.access_token };
  }

  /** Signs in again (after `advance` made the old access token expire); returns the new token. */
  async function signIn(username: string, password: string): Promise<string> {
    const res = await request<TokenPair>('POST', '/api/auth/login', {
      body: { username, password },
    });
    if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
    return res.body.data.access_token;
  }

  return {
    baseUrl,
    signIn,
    store,
    coordination,
    erp,
    services,
    settings,
    request,
    userWithRole,
    clock,
    advance(ms: number) {
      now += ms;
    },
    async seedItems(items: Item[]) {
      await store.items.upsertMany(items);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.store) await store.close();
      if (!options.coordination) await coordination.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small item factory for API tests. */
export function makeItem(code: string, name: string, extra: Partial<Item> = {}): Item {
  return {
    item_code: code,
    name,
    category: 'Tools',
    brand: 'Acme',
    supplier: 'Acme Supply',
    uom: 'PCS',
    decimal_qty: false,
    price: 10,
    cost: 6,
    serialized: false,
    batch_tracked: false,
    barcodes: [],
    stock: [{ warehouse: 'WH-MAIN', rack: 'A-01', qty: 10 }],
    active: true,
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}
