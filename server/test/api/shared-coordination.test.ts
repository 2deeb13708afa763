/**
 * Two API instances sharing one Coordination (in production: two processes sharing Redis) must
 * agree on what is correctness-critical: per-IP login limits and the ERP sync lock.
 * Runs with a shared memory instance always, and with Redis when REDIS_URL is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryCoordination } from '../../src/adapters/coordination/memory';
import { createRedisCoordination } from '../../src/adapters/coordination/redis';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import type { Coordination } from '../../src/ports/coordination';
import type { ErpSource } from '../../src/ports/erp';
import { startTestApp, type TestApp } from '../support/test-app';

const kinds: Array<[string, () => Coordination[]]> = [
  [
    'memory (one instance shared)',
    () => {
      const shared = createMemoryCoordination();
      return [shared, shared];
    },
  ],
];
const redisUrl = process.env.REDIS_URL;
if (redisUrl) {
  kinds.push([
    'redis (two clients)',
    () => {
      const keyPrefix = `sv-test-${Math.random().toString(36).slice(2)}:`;
      return [
        createRedisCoordination({ url: redisUrl, keyPrefix }),
        createRedisCoordination({ url: redisUrl, keyPrefix }),
      ];
    },
  ]);
}

describe.each(kinds)('two API instances on %s', (_name, make) => {
  let apps: TestApp[] = [];
  let coordinations: Coordination[] = [];
  afterEach(async () => {
    for (const app of apps) await app.close();
    for (const c of new Set(coordinations)) await c.close();
    apps = [];
    coordinations = [];
  });

  it('share the per-IP failed-login budget', async () => {
    coordinations = make();
    apps = [
      await startTestApp({ coordination: coordinations[0], settings: { loginRateLimit: 4 } }),
      await startTestApp({ coordination: coordinations[1], settings: { loginRateLimit: 4 } }),
    ];
    const [a, b] = apps as [TestApp, TestApp];
    for (const app of [a, b, a, b]) {
      const res = await app.request('POST', '/api/auth/login', {
        body: { username: 'ghost', password: 'wrong-password' },
      });
      expect(res.status).toBe(401);
    }
    const limitedOnA = await a.request('POST', '/api/auth/login', {
      body: { username: 'ghost', password: 'x' },
    });
    const limitedOnB = await b.request('POST', '/api/auth/login', {
      body: { username: 'ghost', password: 'x' },
    });
    expect(limitedOnA.status).toBe(429);
    expect(limitedOnB.status).toBe(429);
  });

  it('let only one ERP sync run at a time', async () => {
    coordinations = make();
    // A's ERP holds its sync open until the test lets go, so B's attempt lands mid-sync.
    const demo = createDemoErpSource({ itemCount: 50 });
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const syncStarted = new Promise<void>((r) => (started = r));
    const gated: ErpSource = {
      ...demo,
      async fetchWarehouses() {
        started();
        await gate;
        return demo.fetchWarehouses();
      },
    };
    apps = [
      await startTestApp({ coordination: coordinations[0], erp: gated }),
      await startTestApp({ coordination: coordinations[1] }),
    ];
    const [a, b] = apps as [TestApp, TestApp];
    const adminA = await a.userWithRole('admin');
    const adminB = await b.userWithRole('admin');
    const first = a.request('POST', '/api/erp/sync', { token: adminA.token, body: {} });
    await syncStarted;
    const second = await b.request('POST', '/api/erp/sync', { token: adminB.token, body: {} });
    expect(second.status).toBe(409);
    expect(second.body.error?.code).toBe('CONFLICT');
    release();
    expect((await first).status).toBe(200);
    // Once A is done the lock is free again.
    expect(
      (await b.request('POST', '/api/erp/sync', { token: adminB.token, body: {} })).status,
    ).toBe(200);
  });
});
