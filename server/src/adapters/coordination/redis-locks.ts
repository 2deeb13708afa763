/**
 * Rack locks with fencing tokens on Redis (design §3, §4): the lock and fence parts of the Redis
 * Coordination adapter. The compare-and-set steps run as Lua scripts (redis-scripts.ts).
 */
import type { Coordination, LockResult, LockState } from '../../ports/coordination';
import { execResults, tuple, type RedisConnection } from './redis-connection';
import { ACQUIRE_LOCK, RELEASE_LOCK, RENEW_LOCK } from './redis-scripts';
import { checkTtl } from './values';

export type RedisLocks = Pick<
  Coordination,
  'acquireLock' | 'renewLock' | 'releaseLock' | 'forceReleaseLock' | 'getLock' | 'currentFence'
>;

export function createRedisLocks(connection: RedisConnection, prefix: string): RedisLocks {
  const { client, run, evalScript } = connection;
  // Hash tags ({...}) keep a lock and its fence in one cluster slot, which a Lua script touching
  // both requires; harmless on a single server.
  const lockKey = (key: string) => `${prefix}lock:{${key}}`;
  const fenceKey = (key: string) => `${prefix}fence:{${key}}`;

  return {
    async acquireLock(key, owner, ttlMs): Promise<LockResult> {
      const ttl = checkTtl(ttlMs);
      const reply = await evalScript(ACQUIRE_LOCK, [lockKey(key), fenceKey(key)], [owner, ttl]);
      const [acquired, holder, token, pttl] = tuple(reply, 4);
      return {
        ok: Number(acquired) === 1,
        owner: String(holder),
        token: Number(token),
        expires_at: Date.now() + Number(pttl),
      };
    },

    async renewLock(key, owner, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const reply = await evalScript(RENEW_LOCK, [lockKey(key)], [owner, ttl]);
      if (reply === null) return null;
      const [token, pttl] = tuple(reply, 2);
      return { owner, token: Number(token), expires_at: Date.now() + Number(pttl) };
    },

    async releaseLock(key, owner) {
      const reply = await evalScript(RELEASE_LOCK, [lockKey(key)], [owner]);
      return Number(reply) === 1;
    },

    async forceReleaseLock(key) {
      return (await run(client, () => client.del(lockKey(key)))) === 1;
    },

    async getLock(key): Promise<LockState | null> {
      const name = lockKey(key);
      // MULTI so value and TTL describe the same moment.
      const replies = await run(client, () => client.multi().get(name).pttl(name).exec());
      const [raw, pttl] = execResults(replies);
      if (typeof raw !== 'string') return null;
      const holder = parseLockValue(raw);
      return { ...holder, expires_at: Date.now() + Number(pttl) };
    },

    async currentFence(key) {
      const raw = await run(client, () => client.get(fenceKey(key)));
      return raw === null ? 0 : Number(raw);
    },
  };
}

function parseLockValue(raw: string): { owner: string; token: number } {
  const value: unknown = JSON.parse(raw);
  if (
    typeof value === 'object' &&
    value !== null &&
    'owner' in value &&
    typeof value.owner === 'string' &&
    'token' in value &&
    typeof value.token === 'number'
  ) {
    return { owner: value.owner, token: value.token };
  }
  throw new TypeError(`Malformed lock value: ${raw}`);
}
