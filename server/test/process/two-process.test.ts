/**
 * Scale-out as design §3 describes it, on one machine: two real API processes (main.ts) sharing one
 * SQLite data dir and one Redis. Rack locks and live events must go through Redis, so a claim made
 * through one process holds against the other, and a scan posted to one reaches an SSE subscriber
 * of the other. Runs only when REDIS_URL is set; the start-up refusal of an unreachable Redis
 * always runs.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimAnswer, CountSession, Item, TokenPair } from '@stockverify/shared';
import {
  PROCESS_ADMIN_PASSWORD,
  spawnApiProcess,
  startApiProcess,
  type ApiProcess,
} from '../support/api-process';

const ADMIN_PASSWORD = PROCESS_ADMIN_PASSWORD;

interface Envelope<T> {
  success: boolean;
  data: T;
  error: { code: string; message: string; [k: string]: unknown } | null;
}

async function call<T>(
  base: string,
  method: string,
  url: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: Envelope<T> }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Envelope<T> };
}

async function login(base: string, username: string, password: string): Promise<string> {
  const res = await call<TokenPair>(base, 'POST', '/api/auth/login', undefined, {
    username,
    password,
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(res.body)}`);
  return res.body.data.access_token;
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a Server-Sent Events stream with fetch; `next` waits for an event matching a test. */
function subscribe(url: string) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => (opened = resolve));
  let cancelBody: () => Promise<unknown> = () => Promise.resolve();
  const reading = (async () => {
    const res = await fetch(url, { signal: controller.signal });
    if (res.status !== 200 || !res.body) throw new Error(`SSE answered ${res.status}`);
    opened();
    const body = res.body;
    cancelBody = () => body.cancel().catch(() => undefined);
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue;
        events.push({ event, data: JSON.parse(data.join('\n')) as unknown });
        waiters.splice(0).forEach((wake) => wake());
      }
    }
  })().catch((err: unknown) => {
    if (!controller.signal.aborted) throw err;
  });

  async function next(test: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find(test);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return {
    open,
    next,
    async close() {
      controller.abort();
      await cancelBody();
      await reading;
    },
  };
}

it('main.ts refuses to start when REDIS_URL does not answer, naming the coordination', async () => {
  // A socket that accepts connections and never answers: the Redis commands time out.
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-noredis-'));
  try {
    const started = spawnApiProcess({
      DATA_DIR: dataDir,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      ERP_SYNC_ON_START: 'false',
    });
    const timer = setTimeout(() => started.child.kill('SIGKILL'), 25_000);
    const code = await started.exited;
    clearTimeout(timer);
    expect(code, started.output()).toBe(3);
    // One startup-check line naming the dependency and the variable, then the refusal.
    expect(started.output()).toMatch(/FAIL {2}coordination +redis redis:\/\/127\.0\.0\.1:\d+: /);
    expect(started.output()).toContain('fix REDIS_URL');
    expect(started.output()).toContain('Cannot start: coordination not usable');
    expect(started.output()).not.toMatch(/listening on/);
  } finally {
    silent.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 30_000);

const redisUrl = process.env.REDIS_URL;
if (redisUrl) {
  describe('two API processes sharing one SQLite data dir and one Redis', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-two-'));
    let a: ApiProcess | undefined;
    let b: ApiProcess | undefined;
    const shared = { DATA_DIR: dataDir, REDIS_URL: redisUrl };

    beforeAll(async () => {
      a = await startApiProcess(shared);
      // A creates the admin and mirrors the ERP in the background; B starts on the mirrored store.
      const adminToken = await login(a.url, 'admin', ADMIN_PASSWORD);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const status = await call<{ last_success_at: string | null }>(
          a.url,
          'GET',
          '/api/erp/status',
          adminToken,
        );
        if (status.body.data?.last_success_at) break;
        if (Date.now() > deadline)
          throw new Error(`ERP mirror not done: ${JSON.stringify(status.body)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      b = await startApiProcess(shared);
    }, 90_000);

    afterAll(async () => {
      const codes = await Promise.all([a?.stop(), b?.stop()]);
      fs.rmSync(dataDir, { recursive: true, force: true });
      expect(codes[0], a?.output()).toBe(0);
      // B served the SSE stream, still open: shutdown ends it instead of waiting on it.
      expect(codes[1], b?.output()).toBe(0);
    }, 30_000);

    it('a claim through A holds against B, and B streams the scan posted to A', async () => {
      const A = a!.url;
      const B = b!.url;
      const admin = await login(A, 'admin', ADMIN_PASSWORD);
      const suffix = randomUUID().slice(0, 6);
      const people = {
        supervisor: `sup-${suffix}`,
        staff1: `staff1-${suffix}`,
        staff2: `staff2-${suffix}`,
      };
      for (const [role, username] of [
        ['supervisor', people.supervisor],
        ['staff', people.staff1],
        ['staff', people.staff2],
      ] as const) {
        const made = await call(A, 'POST', '/api/users', admin, {
          username,
          full_name: `${role} ${username}`,
          role,
          password: `pw-${username}-secret`,
        });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
      }
      const supervisor = await login(A, people.supervisor, `pw-${people.supervisor}-secret`);
      // Staff 2 signs in through B: the same JWT secret and the same store.
      const staff1 = await login(A, people.staff1, `pw-${people.staff1}-secret`);
      const staff2 = await login(B, people.staff2, `pw-${people.staff2}-secret`);

      const warehouses = await call<{ items: Array<{ id: string }> }>(
        A,
        'GET',
        '/api/warehouses',
        supervisor,
      );
      expect(warehouses.body.data.items.map((w) => w.id)).toContain('WH-MAIN');
      const session = await call<CountSession>(A, 'POST', '/api/sessions', supervisor, {
        warehouse: 'WH-MAIN',
        name: `two-process ${suffix}`,
        mode: 'standard',
      });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
      const sessionId = session.body.data.id;

      const exported = await call<{ items: Item[] }>(
        A,
        'GET',
        '/api/items/export?warehouse=WH-MAIN&format=json&limit=50',
        supervisor,
      );
      const item = exported.body.data.items.find((i) =>
        i.stock?.some(
          (s) => s.warehouse === 'WH-MAIN' && s.rack && !i.serialized && !i.decimal_qty,
        ),
      );
      expect(item, 'an item with a WH-MAIN rack').toBeDefined();
      const rack = item!.stock!.find((s) => s.warehouse === 'WH-MAIN' && s.rack)!.rack!;
      expect(session.body.data.racks).toContain(rack);

      const claimed = await call<ClaimAnswer>(
        A,
        'POST',
        `/api/sessions/${sessionId}/racks/${rack}/claim`,
        staff1,
        {},
      );
      expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
      const refused = await call(
        B,
        'POST',
        `/api/sessions/${sessionId}/racks/${rack}/claim`,
        staff2,
        {},
      );
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('RACK_LOCKED');
      expect((refused.body.error?.holder as { username: string }).username).toBe(people.staff1);

      const stream = subscribe(`${B}/api/events?access_token=${encodeURIComponent(supervisor)}`);
      try {
        await stream.open;
        // The subscription to the Redis channel completes just after the stream opens: post until
        // a scan arrives (each post is a new line), a few times at most.
        let scan: SseEvent | null = null;
        const posted: string[] = [];
        for (let attempt = 0; attempt < 5 && !scan; attempt++) {
          const line = await call<{ line_id: string }>(
            A,
            'POST',
            `/api/sessions/${sessionId}/count-lines`,
            staff1,
            {
              op_id: randomUUID(),
              type: 'count',
              rack,
              item_code: item!.item_code,
              counted_qty: 3,
              damaged_qty: 0,
              non_returnable_damaged_qty: 0,
              serials: [],
              fencing_token: claimed.body.data.fencing_token,
              counted_at: new Date().toISOString(),
            },
          );
          expect(line.status, JSON.stringify(line.body)).toBe(201);
          posted.push(line.body.data.line_id);
          scan = await stream.next((e) => {
            const data = e.data as { session_id?: string; data?: { line_id?: string } };
            return (
              e.event === 'scan' &&
              data.session_id === sessionId &&
              posted.includes(data.data?.line_id ?? '')
            );
          }, 2000);
        }
        expect(scan, 'scan event of A’s line on B’s stream').not.toBeNull();
        expect(scan!.data).toMatchObject({
          type: 'scan',
          session_id: sessionId,
          rack,
          username: people.staff1,
          data: { item_code: item!.item_code, counted_qty: 3 },
        });
      } finally {
        await stream.close();
      }
    }, 60_000);
  });
}
