/**
 * Presence on Redis (design §3): who is where, each member with its own expiry. A scope is a ZSET
 * of member → expires_at plus a HASH of member → JSON data, written and pruned by Lua scripts
 * (redis-scripts.ts).
 */
import type { Coordination, PresenceEntry } from '../../ports/coordination';
import type { RedisConnection } from './redis-connection';
import { LIST_PRESENCE, SET_PRESENCE } from './redis-scripts';
import { checkTtl, toJson } from './values';

export type RedisPresence = Pick<Coordination, 'setPresence' | 'removePresence' | 'listPresence'>;

export function createRedisPresence(connection: RedisConnection, prefix: string): RedisPresence {
  const { client, run, evalScript } = connection;
  // The hash tag ({scope}) keeps a scope's two keys in one cluster slot, which a Lua script
  // touching both requires; harmless on a single server.
  const expiryKey = (scope: string) => `${prefix}presence:{${scope}}:expiry`;
  const dataKey = (scope: string) => `${prefix}presence:{${scope}}:data`;
  const scopeKeys = (scope: string) => [expiryKey(scope), dataKey(scope)];

  return {
    async setPresence(scope, member, data, ttlMs) {
      const ttl = checkTtl(ttlMs);
      // This process's clock decides expiry; API hosts are NTP-synced and presence TTLs are ~90 s.
      await evalScript(SET_PRESENCE, scopeKeys(scope), [
        member,
        Date.now() + ttl,
        toJson(data),
        ttl,
      ]);
    },

    async removePresence(scope, member) {
      await run(client, () =>
        client.multi().zrem(expiryKey(scope), member).hdel(dataKey(scope), member).exec(),
      );
    },

    async listPresence(scope) {
      const reply = await evalScript(LIST_PRESENCE, scopeKeys(scope), [Date.now()]);
      if (!Array.isArray(reply)) throw new TypeError('Unexpected listPresence reply');
      const entries: PresenceEntry[] = [];
      for (let i = 0; i + 2 < reply.length; i += 3) {
        entries.push({
          member: String(reply[i]),
          expires_at: Number(reply[i + 1]),
          data: JSON.parse(String(reply[i + 2])) as Record<string, unknown>,
        });
      }
      return entries;
    },
  };
}
