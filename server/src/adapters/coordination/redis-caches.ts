/**
 * Caches and rate-limit counters on Redis (design §3): plain keys with a PX expiry. Values are
 * stored as JSON, so every reader gets a fresh copy. The fixed-window counter is a Lua script
 * (redis-scripts.ts).
 */
import type { Coordination, CounterState } from '../../ports/coordination';
import { tuple, type RedisConnection } from './redis-connection';
import { HIT } from './redis-scripts';
import { checkTtl, toJson } from './values';

export type RedisCaches = Pick<
  Coordination,
  'cacheGet' | 'cacheSet' | 'cacheSetIfAbsent' | 'cacheDelete' | 'hit' | 'resetCounter'
>;

export function createRedisCaches(connection: RedisConnection, prefix: string): RedisCaches {
  const { client, run, evalScript } = connection;
  const cacheKey = (key: string) => `${prefix}cache:${key}`;
  const counterKey = (key: string) => `${prefix}counter:${key}`;

  return {
    async cacheGet<T>(key: string) {
      const raw = await run(client, () => client.get(cacheKey(key)));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },

    async cacheSet(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const json = toJson(value);
      await run(client, () => client.set(cacheKey(key), json, 'PX', ttl));
    },

    async cacheSetIfAbsent(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const json = toJson(value);
      const reply = await run(client, () => client.set(cacheKey(key), json, 'PX', ttl, 'NX'));
      return reply === 'OK';
    },

    async cacheDelete(key) {
      await run(client, () => client.del(cacheKey(key)));
    },

    async hit(key, windowMs): Promise<CounterState> {
      const window = checkTtl(windowMs);
      const reply = await evalScript(HIT, [counterKey(key)], [window]);
      const [count, pttl] = tuple(reply, 2);
      return { count: Number(count), reset_at: Date.now() + Number(pttl) };
    },

    async resetCounter(key) {
      await run(client, () => client.del(counterKey(key)));
    },
  };
}
