/**
 * Two API instances on one store and one Coordination (in production: two processes sharing
 * MongoDB and Redis) must agree on the sync path's limits (design §5, issue #7): one per-user
 * budget of sync batches, and one in-flight marker per Idempotency-Key, so a retry that lands on
 * the other process answers 409 instead of running the batch twice. Runs with a shared memory
 * instance always, and with two Redis clients when REDIS_URL is set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ClaimAnswer } from '@stockverify/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryCoordination } from '../../src/adapters/coordination/memory';
import { createRedisCoordination } from '../../src/adapters/coordination/redis';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import type { Coordination } from '../../src/ports/coordination';
import type { Store } from '../../src/ports/store';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
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

describe.each(kinds)('two API instances on one store and %s', (_name, make) => {
  let apps: TestApp[] = [];
  let coordinations: Coordination[] = [];
  let store: Store | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    for (const app of apps) await app.close();
    for (const c of new Set(coordinations)) await c.close();
    await store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    apps = [];
    coordinations = [];
    store = undefined;
    dir = undefined;
  });

  const sharedStore = async (): Promise<Store> => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-shared-'));
    store = createSqliteStore({ file: path.join(dir, 'shared.db') });
    await store.init();
    return store;
  };

  it('share one per-user budget of sync batches, answered 429 with Retry-After on either', async () => {
    coordinations = make();
    const shared = await sharedStore();
    const settings = { syncBatchesPerMinute: 3 };
    apps = [
      await startTestApp({ store: shared, coordination: coordinations[0], settings }),
      await startTestApp({ store: shared, coordination: coordinations[1], settings }),
    ];
    const [a, b] = apps as [TestApp, TestApp];
    const carol = await a.userWithRole('staff', 'carol');
    const onB = await b.signIn('carol', carol.password);
    // Records that fail validation still make a 200 batch: each one spends budget.
    expect((await sync(a, carol.token, [{ op_id: 'x1' }])).status).toBe(200);
    expect((await sync(b, onB, [{ op_id: 'x2' }])).status).toBe(200);
    expect((await sync(a, carol.token, [{ op_id: 'x3' }])).status).toBe(200);
    for (const [app, token] of [
      [b, onB],
      [a, carol.token],
    ] as const) {
      const limited = await sync(app, token, [{ op_id: 'x4' }]);
      expect(limited.status).toBe(429);
      expect(limited.body.success).toBe(false);
      expect(limited.body.error?.code).toBe('RATE_LIMITED');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.error?.retry_after).toBe(retryAfter);
    }
    // Another user's budget is untouched.
    const dave = await b.userWithRole('staff', 'dave');
    expect((await sync(b, dave.token, [{ op_id: 'y1' }])).status).toBe(200);
  });

  it('hold an Idempotency-Key in flight across instances: 409 on the other, then one stored answer', async () => {
    coordinations = make();
    const shared = await sharedStore();
    // Instance A's count-line writes wait at a gate, so its batch stays in flight.
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inFlight = new Promise<void>((r) => (entered = r));
    const gatedStore: Store = {
      ...shared,
      lines: {
        ...shared.lines,
        insertMany: async (lines) => {
          entered();
          await gate;
          return shared.lines.insertMany(lines);
        },
      },
    };
    apps = [
      await startTestApp({ store: gatedStore, coordination: coordinations[0] }),
      await startTestApp({ store: shared, coordination: coordinations[1] }),
    ];
    const [a, b] = apps as [TestApp, TestApp];
    await seedCounting(b);
    const supervisor = await b.userWithRole('supervisor');
    const alice = await a.userWithRole('staff', 'alice');
    const aliceOnB = await b.signIn('alice', alice.password);
    const session = await createSession(b, supervisor.token);
    const claimed = await claim(a, alice.token, session.id, 'A-01');
    expect(claimed.status).toBe(200);
    const token = (claimed.body.data as ClaimAnswer).fencing_token;

    const key = randomUUID();
    const records = [countRecord(session.id, 'A-01', 'ITM-A', token, { counted_qty: 7 })];
    const first = sync(a, alice.token, records, key);
    await inFlight;
    const retryOnB = await sync(b, aliceOnB, records, key);
    expect(retryOnB.status).toBe(409);
    expect(retryOnB.body.error?.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    expect(Number(retryOnB.headers.get('retry-after'))).toBeGreaterThan(0);

    release();
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body.data.replayed).toBe(false);
    expect(done.body.data.results[0]?.status).toBe('OK');

    // The marker is gone once A finished; B answers the stored results, and nothing ran twice.
    const replay = await sync(b, aliceOnB, records, key);
    expect(replay.status).toBe(200);
    expect(replay.body.data.replayed).toBe(true);
    expect(replay.body.data.results).toEqual(done.body.data.results);
    expect((await shared.lines.list(session.id, { page: 1, page_size: 10 })).total).toBe(1);
  });
});
