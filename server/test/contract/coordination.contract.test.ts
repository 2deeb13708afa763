/**
 * Coordination contract (design §3): one suite, every adapter that can run here. Memory always;
 * redis when REDIS_URL is set (CI starts a server). Each test gets its own key prefix, so runs
 * sharing a Redis never collide and cleanup deletes only this test's keys.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCoordination } from '../../src/adapters/coordination/memory';
import {
  createRedisCoordination,
  RedisUnavailableError,
} from '../../src/adapters/coordination/redis';
import type { Coordination } from '../../src/ports/coordination';

interface Harness {
  coordination: Coordination;
  /** Another process's view of the same state (redis: a second instance; memory: the same one). */
  peer: Coordination;
  /** An instance in a different namespace, which must share nothing with `coordination`. */
  stranger: Coordination;
  /** Exceptions the adapters reported through `onError` (e.g. from a throwing subscriber). */
  errors: unknown[];
  /** Redis only: how many connections Redis counts as subscribed to `channel` (PUBSUB NUMSUB). */
  redisSubscribers?: (channel: string) => Promise<number>;
  dispose: () => Promise<void>;
}

interface AdapterCase {
  name: string;
  setup: () => Promise<Harness>;
}

const memoryCase: AdapterCase = {
  name: 'memory',
  async setup() {
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    const coordination = createMemoryCoordination({ onError });
    const stranger = createMemoryCoordination({ onError });
    return {
      coordination,
      peer: coordination,
      stranger,
      errors,
      dispose: async () => {
        await coordination.close();
        await stranger.close();
      },
    };
  },
};

function redisCase(url: string): AdapterCase {
  return {
    name: 'redis',
    async setup() {
      const errors: unknown[] = [];
      const onError = (error: unknown) => errors.push(error);
      const keyPrefix = `sv-test:${randomUUID()}:`;
      const strangerPrefix = `sv-test:${randomUUID()}:`;
      const coordination = createRedisCoordination({ url, keyPrefix, onError });
      const peer = createRedisCoordination({ url, keyPrefix, onError });
      const stranger = createRedisCoordination({ url, keyPrefix: strangerPrefix, onError });
      const admin = new Redis(url);
      return {
        coordination,
        peer,
        stranger,
        errors,
        redisSubscribers: async (channel) => {
          // Mirrors the adapter's channel naming; a rename there must be reflected here.
          const reply = await admin.pubsub('NUMSUB', `${keyPrefix}channel:${channel}`);
          return Number(reply[1]);
        },
        dispose: async () => {
          await Promise.all([coordination.close(), peer.close(), stranger.close()]);
          await deleteKeys(admin, [keyPrefix, strangerPrefix]);
          await admin.quit();
        },
      };
    },
  };
}

/** Deletes only keys under the given prefixes (never FLUSHALL: the server may be shared). */
async function deleteKeys(admin: Redis, prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) {
    let cursor = '0';
    do {
      const [next, found] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (found.length > 0) await admin.del(...found);
      cursor = next;
    } while (cursor !== '0');
  }
}

const adapters: AdapterCase[] = [memoryCase];
if (process.env.REDIS_URL) adapters.push(redisCase(process.env.REDIS_URL));

/** Short real TTLs keep the suite fast while crossing real expiry paths (Redis PX, lazy checks). */
const SHORT_TTL = 150;
const PAST_SHORT_TTL = 220;
const LONG_TTL = 10_000;

/** Waits until `condition` holds; pub/sub is asynchronous in both adapters. */
async function eventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe.each(adapters)('Coordination contract: $name', ({ setup }) => {
  let harness: Harness;
  let c: Coordination;

  beforeEach(async () => {
    harness = await setup();
    c = harness.coordination;
  });

  afterEach(async () => {
    await harness.dispose();
  });

  /** Redis-level subscription count; memory has no such thing, so nothing to check there. */
  async function expectRedisSubscribers(channel: string, expected: number): Promise<void> {
    if (harness.redisSubscribers) expect(await harness.redisSubscribers(channel)).toBe(expected);
  }

  describe('rack locks and fencing tokens', () => {
    it('grants a free lock with token 1, and keys are independent', async () => {
      const before = Date.now();
      const first = await c.acquireLock('rack:A1', 'alice', LONG_TTL);
      expect(first).toMatchObject({ ok: true, owner: 'alice', token: 1 });
      expect(first.expires_at).toBeGreaterThanOrEqual(before + LONG_TTL - 50);
      expect(first.expires_at).toBeLessThanOrEqual(Date.now() + LONG_TTL + 50);

      const other = await c.acquireLock('rack:A2', 'bob', LONG_TTL);
      expect(other).toMatchObject({ ok: true, owner: 'bob', token: 1 });
      expect(await c.getLock('rack:A1')).toMatchObject({ owner: 'alice', token: 1 });
      expect(await c.getLock('rack:A2')).toMatchObject({ owner: 'bob', token: 1 });
    });

    it('refuses a second owner and reports the holder', async () => {
      const held = await c.acquireLock('rack:A1', 'alice', LONG_TTL);
      const refused = await c.acquireLock('rack:A1', 'bob', LONG_TTL);
      expect(refused.ok).toBe(false);
      expect(refused.owner).toBe('alice');
      expect(refused.token).toBe(held.token);
      expect(Math.abs(refused.expires_at - held.expires_at)).toBeLessThan(100);
      expect(await c.currentFence('rack:A1')).toBe(1);
    });

    it('lets the same owner re-acquire: same token, TTL extended', async () => {
      const first = await c.acquireLock('rack:A1', 'alice', 250);
      await sleep(150);
      const again = await c.acquireLock('rack:A1', 'alice', 250);
      expect(again).toMatchObject({ ok: true, owner: 'alice', token: first.token });
      expect(again.expires_at).toBeGreaterThan(first.expires_at + 100);
      // Past the first lease's end: only the extension keeps it held.
      await sleep(150);
      expect(await c.getLock('rack:A1')).toMatchObject({ owner: 'alice', token: 1 });
      expect((await c.acquireLock('rack:A1', 'bob', LONG_TTL)).ok).toBe(false);
      expect(await c.currentFence('rack:A1')).toBe(1);
    });

    it('gives an expired lock to another owner with a strictly greater token', async () => {
      const first = await c.acquireLock('rack:A1', 'alice', SHORT_TTL);
      await sleep(PAST_SHORT_TTL);
      expect(await c.getLock('rack:A1')).toBeNull();
      const second = await c.acquireLock('rack:A1', 'bob', LONG_TTL);
      expect(second.ok).toBe(true);
      expect(second.owner).toBe('bob');
      expect(second.token).toBeGreaterThan(first.token);
      // The old holder coming back is refused: its lease is gone.
      expect(await c.acquireLock('rack:A1', 'alice', LONG_TTL)).toMatchObject({
        ok: false,
        owner: 'bob',
      });
      expect(await c.currentFence('rack:A1')).toBe(second.token);
    });

    it('releases only for the owner', async () => {
      await c.acquireLock('rack:A1', 'alice', LONG_TTL);
      expect(await c.releaseLock('rack:A1', 'bob')).toBe(false);
      expect(await c.getLock('rack:A1')).toMatchObject({ owner: 'alice' });
      expect(await c.releaseLock('rack:A1', 'alice')).toBe(true);
      expect(await c.getLock('rack:A1')).toBeNull();
      expect(await c.releaseLock('rack:A1', 'alice')).toBe(false);
      expect(await c.acquireLock('rack:A1', 'bob', LONG_TTL)).toMatchObject({
        ok: true,
        owner: 'bob',
        token: 2,
      });
    });

    it('force-releases whoever holds the lock', async () => {
      await c.acquireLock('rack:A1', 'alice', LONG_TTL);
      expect(await c.forceReleaseLock('rack:A1')).toBe(true);
      expect(await c.getLock('rack:A1')).toBeNull();
      expect(await c.forceReleaseLock('rack:A1')).toBe(false);
      expect(await c.forceReleaseLock('rack:never-claimed')).toBe(false);
      expect(await c.acquireLock('rack:A1', 'bob', LONG_TTL)).toMatchObject({ ok: true, token: 2 });
    });

    it('renews for the owner only, and not after expiry', async () => {
      const first = await c.acquireLock('rack:A1', 'alice', 250);
      await sleep(150);
      const renewed = await c.renewLock('rack:A1', 'alice', 250);
      expect(renewed).toMatchObject({ owner: 'alice', token: first.token });
      expect(renewed?.expires_at).toBeGreaterThan(first.expires_at + 100);
      expect(await c.renewLock('rack:A1', 'bob', 250)).toBeNull();
      await sleep(150);
      expect(await c.getLock('rack:A1')).toMatchObject({ owner: 'alice' });

      await c.acquireLock('rack:B1', 'alice', SHORT_TTL);
      await sleep(PAST_SHORT_TTL);
      expect(await c.renewLock('rack:B1', 'alice', LONG_TTL)).toBeNull();
      expect(await c.getLock('rack:B1')).toBeNull();
      expect(await c.renewLock('rack:never-claimed', 'alice', LONG_TTL)).toBeNull();
    });

    it('keeps the fence across release and expiry; 0 for an unknown key', async () => {
      expect(await c.currentFence('rack:unknown')).toBe(0);
      await c.acquireLock('rack:A1', 'alice', LONG_TTL);
      await c.releaseLock('rack:A1', 'alice');
      expect(await c.currentFence('rack:A1')).toBe(1);
      await c.acquireLock('rack:A1', 'bob', SHORT_TTL);
      await sleep(PAST_SHORT_TTL);
      expect(await c.getLock('rack:A1')).toBeNull();
      expect(await c.currentFence('rack:A1')).toBe(2);
      await c.forceReleaseLock('rack:A1');
      expect(await c.currentFence('rack:A1')).toBe(2);
    });

    it('lets exactly one of 20 concurrent claimants win', async () => {
      const owners = Array.from({ length: 20 }, (_, i) => `counter-${i}`);
      const results = await Promise.all(
        owners.map((owner, i) =>
          // Alternate instances so, on redis, the race spans two connections.
          (i % 2 === 0 ? c : harness.peer).acquireLock('rack:hot', owner, LONG_TTL),
        ),
      );
      const winners = results.filter((result) => result.ok);
      expect(winners).toHaveLength(1);
      const [winner] = winners;
      for (const result of results) {
        expect(result).toMatchObject({ owner: winner?.owner, token: 1 });
      }
      expect(await c.currentFence('rack:hot')).toBe(1);
    });

    it('rejects a non-positive TTL', async () => {
      await expect(c.acquireLock('rack:A1', 'alice', 0)).rejects.toThrow(RangeError);
      await expect(c.cacheSet('k', 1, -5)).rejects.toThrow(RangeError);
      expect(await c.currentFence('rack:A1')).toBe(0);
    });
  });

  describe('presence', () => {
    it('lists members with their data and drops expired ones', async () => {
      const before = Date.now();
      await c.setPresence('session:1', 'alice', { rack: 'A1', device: { id: 'p-1' } }, LONG_TTL);
      await c.setPresence('session:1', 'bob', { rack: 'A2' }, SHORT_TTL);
      await c.setPresence('session:2', 'carol', {}, LONG_TTL);

      const listed = await c.listPresence('session:1');
      expect(listed.map((entry) => entry.member).sort()).toEqual(['alice', 'bob']);
      const alice = listed.find((entry) => entry.member === 'alice');
      expect(alice?.data).toEqual({ rack: 'A1', device: { id: 'p-1' } });
      expect(alice?.expires_at).toBeGreaterThanOrEqual(before + LONG_TTL);
      expect(alice?.expires_at).toBeLessThanOrEqual(Date.now() + LONG_TTL);

      await sleep(PAST_SHORT_TTL);
      expect((await c.listPresence('session:1')).map((entry) => entry.member)).toEqual(['alice']);
      expect(await harness.peer.listPresence('session:2')).toMatchObject([
        { member: 'carol', data: {} },
      ]);
      expect(await c.listPresence('session:none')).toEqual([]);
    });

    it('updates a member in place and removes it', async () => {
      await c.setPresence('session:1', 'alice', { rack: 'A1' }, SHORT_TTL);
      await c.setPresence('session:1', 'alice', { rack: 'B7' }, LONG_TTL);
      await sleep(PAST_SHORT_TTL);
      // The refresh carried a longer TTL, so the first (shorter) lease no longer applies.
      expect(await c.listPresence('session:1')).toMatchObject([
        { member: 'alice', data: { rack: 'B7' } },
      ]);
      await c.removePresence('session:1', 'alice');
      expect(await c.listPresence('session:1')).toEqual([]);
      await c.removePresence('session:1', 'nobody');
    });

    it('returns copies of presence data', async () => {
      const data = { rack: 'A1' };
      await c.setPresence('session:1', 'alice', data, LONG_TTL);
      data.rack = 'mutated';
      const [entry] = await c.listPresence('session:1');
      expect(entry?.data).toEqual({ rack: 'A1' });
    });
  });

  describe('cache', () => {
    it('gets what was set, until it expires or is deleted', async () => {
      expect(await c.cacheGet('item:1')).toBeUndefined();
      await c.cacheSet('item:1', { code: 'X1', qty: 4, tags: ['a'] }, SHORT_TTL);
      await c.cacheSet('item:2', 'plain', LONG_TTL);
      await c.cacheSet('item:3', 0, LONG_TTL);
      expect(await c.cacheGet('item:1')).toEqual({ code: 'X1', qty: 4, tags: ['a'] });
      expect(await harness.peer.cacheGet('item:2')).toBe('plain');
      expect(await c.cacheGet('item:3')).toBe(0);
      await sleep(PAST_SHORT_TTL);
      expect(await c.cacheGet('item:1')).toBeUndefined();
      await c.cacheDelete('item:2');
      expect(await c.cacheGet('item:2')).toBeUndefined();
      await c.cacheDelete('item:never-set');
    });

    it('isolates stored values from caller mutation and keeps JSON semantics', async () => {
      const value = { nested: { n: 1 }, at: new Date(0) };
      await c.cacheSet('k', value, LONG_TTL);
      value.nested.n = 2;
      const read = await c.cacheGet<{ nested: { n: number }; at: string }>('k');
      expect(read).toEqual({ nested: { n: 1 }, at: '1970-01-01T00:00:00.000Z' });
      // Readers get a read-only snapshot: a write either throws (memory: frozen) or stays local.
      try {
        if (read) read.nested.n = 3;
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
      }
      expect(await c.cacheGet('k')).toEqual({ nested: { n: 1 }, at: '1970-01-01T00:00:00.000Z' });
      await expect(c.cacheSet('k', undefined, LONG_TTL)).rejects.toThrow(TypeError);
    });

    it('setIfAbsent: only the first caller wins, and again after expiry', async () => {
      const claims = await Promise.all(
        ['first', 'second', 'third'].map((value, i) =>
          (i % 2 === 0 ? c : harness.peer).cacheSetIfAbsent('idem:batch-1', value, SHORT_TTL),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = ['first', 'second', 'third'][claims.indexOf(true)];
      expect(await c.cacheGet('idem:batch-1')).toBe(winner);
      expect(await c.cacheSetIfAbsent('idem:batch-1', 'late', SHORT_TTL)).toBe(false);
      await sleep(PAST_SHORT_TTL);
      expect(await c.cacheSetIfAbsent('idem:batch-1', 'after-expiry', LONG_TTL)).toBe(true);
      expect(await c.cacheGet('idem:batch-1')).toBe('after-expiry');
    });
  });

  describe('rate-limit counters', () => {
    it('counts hits within a fixed window and starts a new one after it', async () => {
      const before = Date.now();
      const first = await c.hit('login:ip-1', 200);
      expect(first.count).toBe(1);
      expect(first.reset_at).toBeGreaterThanOrEqual(before + 150);
      expect(first.reset_at).toBeLessThanOrEqual(Date.now() + 200 + 20);
      expect((await c.hit('login:ip-1', 200)).count).toBe(2);
      const third = await harness.peer.hit('login:ip-1', 200);
      expect(third.count).toBe(3);
      // Fixed window: later hits do not push the end of the window out.
      expect(Math.abs(third.reset_at - first.reset_at)).toBeLessThan(50);
      expect((await c.hit('login:ip-2', 200)).count).toBe(1);

      await sleep(first.reset_at - Date.now() + 30);
      const next = await c.hit('login:ip-1', 200);
      expect(next.count).toBe(1);
      expect(next.reset_at).toBeGreaterThan(first.reset_at);
    });

    it('resetCounter starts the count again', async () => {
      await c.hit('pin:alice', LONG_TTL);
      await c.hit('pin:alice', LONG_TTL);
      await c.resetCounter('pin:alice');
      expect((await c.hit('pin:alice', LONG_TTL)).count).toBe(1);
      await c.resetCounter('pin:never-hit');
    });
  });

  describe('pub/sub', () => {
    it('delivers to every subscriber of that channel only', async () => {
      const first: unknown[] = [];
      const second: unknown[] = [];
      const other: unknown[] = [];
      await c.subscribe('session:1', (message) => first.push(message));
      await c.subscribe('session:1', (message) => second.push(message));
      await c.subscribe('session:2', (message) => other.push(message));

      await c.publish('session:1', { type: 'claimed', rack: 'A1' });
      await c.publish('session:2', { type: 'closed' });
      // Messages arrive in publish order, so once the second one is in, the first was routed too.
      await eventually(() => other.length === 1 && first.length === 1 && second.length === 1);
      expect(first).toEqual([{ type: 'claimed', rack: 'A1' }]);
      expect(second).toEqual([{ type: 'claimed', rack: 'A1' }]);
      expect(other).toEqual([{ type: 'closed' }]);
    });

    it('stops delivery after unsubscribe', async () => {
      const kept: unknown[] = [];
      const dropped: unknown[] = [];
      const marker: unknown[] = [];
      const unsubscribeKept = await c.subscribe('session:1', (message) => kept.push(message));
      const unsubscribeDropped = await c.subscribe('session:1', (message) => dropped.push(message));
      await c.subscribe('marker', (message) => marker.push(message));
      // Both handlers share one Redis subscription.
      await expectRedisSubscribers('session:1', 1);

      await unsubscribeDropped();
      await unsubscribeDropped();
      await expectRedisSubscribers('session:1', 1);
      await c.publish('session:1', 1);
      await eventually(() => kept.length === 1);
      // Published but not yet delivered when unsubscribe is called: still not delivered.
      const inFlight = c.publish('session:1', 2);
      await unsubscribeKept();
      await inFlight;
      await c.publish('session:1', 3);
      await c.publish('marker', 'done');
      await eventually(() => marker.length === 1);
      expect(kept).toEqual([1]);
      expect(dropped).toEqual([]);
      // The last handler gone, the channel is unsubscribed in Redis too.
      await expectRedisSubscribers('session:1', 0);
    });

    it('is subscribed once subscribe() resolves, even while another subscribe is pending', async () => {
      const early: unknown[] = [];
      const late: unknown[] = [];
      const pending = c.subscribe('session:1', (message) => early.push(message));
      await c.subscribe('session:1', (message) => late.push(message));
      await c.publish('session:1', 'right away');
      await pending;
      await eventually(() => late.length === 1 && early.length === 1);
      expect(late).toEqual(['right away']);
    });

    it('keeps delivering when a handler throws, and reports the error', async () => {
      const received: unknown[] = [];
      await c.subscribe('session:1', () => {
        throw new Error('handler bug');
      });
      await c.subscribe('session:1', (message) => received.push(message));
      await c.publish('session:1', 'a');
      await c.publish('session:1', 'b');
      await eventually(() => received.length === 2);
      expect(received).toEqual(['a', 'b']);
      expect(
        harness.errors.filter((error) => error instanceof Error && error.message === 'handler bug'),
      ).toHaveLength(2);
    });

    it('hands each subscriber its own copy of the message', async () => {
      const received: { n: number }[] = [];
      await c.subscribe('session:1', (message) => {
        const copy = message as { n: number };
        copy.n += 1;
        received.push(copy);
      });
      await c.subscribe('session:1', (message) => received.push(message as { n: number }));
      await c.publish('session:1', { n: 1 });
      await eventually(() => received.length === 2);
      expect(received.map((message) => message.n).sort()).toEqual([1, 2]);
    });

    it('reaches subscribers of another instance sharing the same backend', async () => {
      const atPeer: unknown[] = [];
      const atSelf: unknown[] = [];
      await harness.peer.subscribe('watchtower', (message) => atPeer.push(message));
      await c.subscribe('watchtower', (message) => atSelf.push(message));
      await c.publish('watchtower', { from: 'c' });
      await harness.peer.publish('watchtower', { from: 'peer' });
      await eventually(() => atPeer.length === 2 && atSelf.length === 2);
      expect(atPeer).toEqual([{ from: 'c' }, { from: 'peer' }]);
      expect(atSelf).toEqual([{ from: 'c' }, { from: 'peer' }]);
    });
  });

  it('shares nothing with an instance in another namespace', async () => {
    const { stranger } = harness;
    await c.acquireLock('rack:A1', 'alice', LONG_TTL);
    expect(await stranger.acquireLock('rack:A1', 'bob', LONG_TTL)).toMatchObject({
      ok: true,
      token: 1,
    });
    await c.cacheSet('k', 'mine', LONG_TTL);
    expect(await stranger.cacheGet('k')).toBeUndefined();

    const received: unknown[] = [];
    await stranger.subscribe('session:1', (message) => received.push(message));
    await c.publish('session:1', 'not for the stranger');
    await stranger.publish('session:1', 'own');
    await eventually(() => received.length > 0);
    expect(received).toEqual(['own']);
  });

  it('answers ping', async () => {
    await expect(c.ping()).resolves.toBeUndefined();
  });
});

// Not part of the shared contract: the outage behaviour the HTTP layer maps to 503. Needs no server,
// only a loopback port nothing listens on, so it always runs.
describe('redis adapter with Redis unreachable', () => {
  it('fails fast with RedisUnavailableError instead of hanging', async () => {
    const errors: unknown[] = [];
    const coordination = createRedisCoordination({
      url: 'redis://127.0.0.1:1',
      commandTimeout: 1500,
      onError: (error) => errors.push(error),
    });
    try {
      let started = Date.now();
      await expect(coordination.acquireLock('rack:A1', 'alice', 1000)).rejects.toBeInstanceOf(
        RedisUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(1500);

      // Once the client knows the connection is down it does not even queue the command.
      started = Date.now();
      const failure = await coordination.ping().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RedisUnavailableError);
      expect(failure).toMatchObject({ code: 'COORDINATION_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(100);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await coordination.close();
    }
  });
});
