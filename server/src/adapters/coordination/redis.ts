/**
 * Redis Coordination adapter (design §3): what several API processes share when scaled out.
 *
 * One module per job, composed here: rack locks and fencing tokens (redis-locks.ts), presence
 * (redis-presence.ts), caches and rate-limit counters (redis-caches.ts), event fan-out over pub/sub
 * (redis-events.ts). Their Lua scripts, each with what it guarantees, are in redis-scripts.ts; how
 * commands are run and failures classified is in redis-connection.ts.
 *
 * Failure behaviour: every command is bounded by `commandTimeout` (default 2 s), and while the
 * connection is known to be down commands fail at once instead of queueing. Anything that means
 * "Redis did not answer" (timeout, refused or lost connection, retry limit) rejects with
 * `RedisUnavailableError` (code `COORDINATION_UNAVAILABLE`, original error as `cause`), which the
 * HTTP layer maps to 503; so do replies meaning "not now" (LOADING, BUSY, MASTERDOWN, READONLY,
 * TRYAGAIN). Any other error Redis answered with (a `ReplyError`) propagates unchanged: that is a
 * bug, not an outage. A command that timed out may still have been applied; every write here is a
 * lease or idempotent, so a retry by the same caller is safe.
 */
import type { Coordination } from '../../ports/coordination';
import { createRedisCaches } from './redis-caches';
import { createRedisConnection } from './redis-connection';
import { createRedisEvents } from './redis-events';
import { createRedisLocks } from './redis-locks';
import { createRedisPresence } from './redis-presence';

export { RedisUnavailableError } from './redis-connection';

export interface RedisCoordinationOptions {
  url: string;
  /** Prefix of every key and channel, so several deployments or test runs share one Redis; default `sv:`. */
  keyPrefix?: string;
  /** Upper bound on any one command, in ms; default 2000. Lock endpoints rely on it to fail fast. */
  commandTimeout?: number;
  /** Receives connection errors and exceptions thrown by subscribers; default `console.error`. */
  onError?: (error: unknown) => void;
}

/** Builds the Redis Coordination adapter; connects at once, fails fast per command when Redis is down. */
export function createRedisCoordination(options: RedisCoordinationOptions): Coordination {
  const prefix = options.keyPrefix ?? 'sv:';
  const connection = createRedisConnection({
    url: options.url,
    prefix,
    commandTimeout: options.commandTimeout ?? 2000,
    onError: options.onError ?? ((error: unknown) => console.error(error)),
  });
  const { client, run } = connection;
  const events = createRedisEvents(connection, prefix);
  const { close: closeEvents, ...pubsub } = events;

  return {
    kind: 'redis',
    ...createRedisLocks(connection, prefix),
    ...createRedisPresence(connection, prefix),
    ...createRedisCaches(connection, prefix),
    ...pubsub,

    async ping() {
      await run(client, () => client.ping());
    },

    async close() {
      // The connection first: once it is marked closed, unsubscribing sends nothing more.
      await Promise.all([connection.close(), closeEvents()]);
    },
  };
}
