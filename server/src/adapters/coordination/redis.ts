/**
 * Redis Coordination adapter (design §3): what several API processes share when scaled out.
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
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { CoordinationUnavailableError } from '../../ports/coordination';
import type {
  Coordination,
  CounterState,
  LockResult,
  LockState,
  PresenceEntry,
  Unsubscribe,
} from '../../ports/coordination';
import { checkTtl, toJson } from './values';

export interface RedisCoordinationOptions {
  url: string;
  /** Prefix of every key and channel, so several deployments or test runs share one Redis; default `sv:`. */
  keyPrefix?: string;
  /** Upper bound on any one command, in ms; default 2000. Lock endpoints rely on it to fail fast. */
  commandTimeout?: number;
  /** Receives connection errors and exceptions thrown by subscribers; default `console.error`. */
  onError?: (error: unknown) => void;
}

/** Redis could not be reached or did not answer in time; callers should answer 503 and retry later. */
export class RedisUnavailableError extends CoordinationUnavailableError {
  constructor(cause: unknown) {
    super(`Redis unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Lock value is JSON {owner, token}; the fence key holds the last token issued and never expires, so
 * a token is never reissued (design §4). Returns {acquired 0|1, owner, token, pttl}.
 */
const ACQUIRE_LOCK = `
local current = redis.call('GET', KEYS[1])
if current then
  local holder = cjson.decode(current)
  if holder.owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, holder.owner, holder.token, tonumber(ARGV[2])}
  end
  return {0, holder.owner, holder.token, redis.call('PTTL', KEYS[1])}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], cjson.encode({owner = ARGV[1], token = token}), 'PX', ARGV[2])
return {1, ARGV[1], token, tonumber(ARGV[2])}
`;

/** Compare-and-extend: returns {token, pttl}, or nil when `owner` no longer holds the lock. */
const RENEW_LOCK = `
local current = redis.call('GET', KEYS[1])
if not current then return false end
local holder = cjson.decode(current)
if holder.owner ~= ARGV[1] then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {holder.token, tonumber(ARGV[2])}
`;

/** Compare-and-delete: 1 when `owner` held the lock and it is now free. */
const RELEASE_LOCK = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current).owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * Presence: a ZSET of member → expires_at plus a HASH of member → JSON data. The keys themselves
 * only ever get a longer TTL, so an abandoned scope disappears once its last member would have.
 */
const SET_PRESENCE = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local ttl = tonumber(ARGV[4])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return 1
`;

/** Drops members expired at ARGV[1], then returns flat {member, expires_at, data json, ...}. */
const LIST_PRESENCE = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, member in ipairs(expired) do redis.call('HDEL', KEYS[2], member) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = live[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or '{}'
end
return out
`;

/** Fixed window: the expiry is set with the first hit (and repaired if ever missing). {count, pttl}. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  pttl = tonumber(ARGV[1])
end
return {count, pttl}
`;

type ScriptArg = string | number;

interface LuaScript {
  source: string;
  sha: string;
}

const script = (source: string): LuaScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

const scripts = {
  acquireLock: script(ACQUIRE_LOCK),
  renewLock: script(RENEW_LOCK),
  releaseLock: script(RELEASE_LOCK),
  setPresence: script(SET_PRESENCE),
  listPresence: script(LIST_PRESENCE),
  hit: script(HIT),
};

/** Builds the Redis Coordination adapter; connects at once, fails fast per command when Redis is down. */
export function createRedisCoordination(options: RedisCoordinationOptions): Coordination {
  const prefix = options.keyPrefix ?? 'sv:';
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const client = new Redis(options.url, {
    commandTimeout: options.commandTimeout ?? 2000,
    // With the default (20) a command survives 20 reconnect attempts; one is enough to know.
    maxRetriesPerRequest: 1,
    // Reconnect often so recovery is noticed quickly; commands meanwhile fail fast (see `run`).
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt.
  client.on('error', onError);

  let subscriber: Redis | undefined;
  let closed = false;
  const channels = new Map<string, ChannelState>();

  // Hash tags ({...}) keep a lock and its fence (and a scope's two presence keys) in one cluster
  // slot, which a Lua script touching both requires; harmless on a single server.
  const keys = {
    lock: (key: string) => `${prefix}lock:{${key}}`,
    fence: (key: string) => `${prefix}fence:{${key}}`,
    presenceExpiry: (scope: string) => `${prefix}presence:{${scope}}:expiry`,
    presenceData: (scope: string) => `${prefix}presence:{${scope}}:data`,
    cache: (key: string) => `${prefix}cache:${key}`,
    counter: (key: string) => `${prefix}counter:${key}`,
    channel: (channel: string) => `${prefix}channel:${channel}`,
  };

  // Set while Redis is known not to answer on a live connection (CLIENT PAUSE, a stuck server):
  // a probe write runs until Redis takes it, and meanwhile every command fails at once instead of
  // each waiting out `commandTimeout` (issue #7 fault suite: lock endpoints fail fast).
  let probing: Promise<void> | null = null;
  const probeKey = `${prefix}probe`;

  function startProbe(): void {
    if (probing || closed) return;
    probing = (async () => {
      // A write, so CLIENT PAUSE WRITE keeps the probe waiting as it keeps the real commands.
      while (!closed) {
        try {
          await client.set(probeKey, '1', 'PX', 10_000);
          return;
        } catch {
          if (client.status !== 'ready') await delay(100);
        }
      }
    })().finally(() => {
      probing = null;
    });
  }

  /** Runs one operation, failing at once while Redis is known to be down; maps outages to RedisUnavailableError. */
  async function run<T>(connection: Redis, operation: () => Promise<T>): Promise<T> {
    // The offline queue is only useful before the first connect; after a drop, queueing would make
    // lock endpoints wait out the timeout instead of answering 503 now.
    const status = connection.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      throw new RedisUnavailableError(new Error(`connection is ${status}`));
    }
    if (probing && connection === client) {
      throw new RedisUnavailableError(new Error('not answering (waiting for it to take a write)'));
    }
    try {
      return await operation();
    } catch (error) {
      if (isOutage(error)) {
        if (connection === client && isTimeout(error)) startProbe();
        throw new RedisUnavailableError(error);
      }
      throw error;
    }
  }

  async function evalScript(
    lua: LuaScript,
    keyNames: string[],
    args: ScriptArg[],
  ): Promise<unknown> {
    return run(client, async () => {
      try {
        return await client.evalsha(lua.sha, keyNames.length, ...keyNames, ...args);
      } catch (error) {
        // First use on this server (or after SCRIPT FLUSH): send the source once, cached thereafter.
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
          return await client.eval(lua.source, keyNames.length, ...keyNames, ...args);
        }
        throw error;
      }
    });
  }

  function dispatch(channel: string, raw: string): void {
    const state = channels.get(channel);
    if (!state) return;
    for (const subscription of [...state.subscribers]) {
      // Skip anyone an earlier handler unsubscribed during this very dispatch.
      if (!state.subscribers.has(subscription)) continue;
      try {
        // A fresh parse per subscriber so one handler mutating its copy cannot affect another; a
        // throwing handler must not break the ioredis parser that called us.
        subscription.handler(JSON.parse(raw));
      } catch (error) {
        onError(error);
      }
    }
  }

  function subscriberConnection(): Redis {
    if (!subscriber) {
      // Created on first subscribe: a connection in subscriber mode can run nothing else.
      subscriber = client.duplicate();
      subscriber.on('error', onError);
      subscriber.on('message', dispatch);
    }
    return subscriber;
  }

  return {
    kind: 'redis',

    async acquireLock(key, owner, ttlMs): Promise<LockResult> {
      const ttl = checkTtl(ttlMs);
      const reply = await evalScript(
        scripts.acquireLock,
        [keys.lock(key), keys.fence(key)],
        [owner, ttl],
      );
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
      const reply = await evalScript(scripts.renewLock, [keys.lock(key)], [owner, ttl]);
      if (reply === null) return null;
      const [token, pttl] = tuple(reply, 2);
      return { owner, token: Number(token), expires_at: Date.now() + Number(pttl) };
    },

    async releaseLock(key, owner) {
      const reply = await evalScript(scripts.releaseLock, [keys.lock(key)], [owner]);
      return Number(reply) === 1;
    },

    async forceReleaseLock(key) {
      return (await run(client, () => client.del(keys.lock(key)))) === 1;
    },

    async getLock(key): Promise<LockState | null> {
      const lockKey = keys.lock(key);
      // MULTI so value and TTL describe the same moment.
      const replies = await run(client, () => client.multi().get(lockKey).pttl(lockKey).exec());
      const [raw, pttl] = execResults(replies);
      if (typeof raw !== 'string') return null;
      const holder = parseLockValue(raw);
      return { ...holder, expires_at: Date.now() + Number(pttl) };
    },

    async currentFence(key) {
      const raw = await run(client, () => client.get(keys.fence(key)));
      return raw === null ? 0 : Number(raw);
    },

    async setPresence(scope, member, data, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const presenceKeys = [keys.presenceExpiry(scope), keys.presenceData(scope)];
      // This process's clock decides expiry; API hosts are NTP-synced and presence TTLs are ~90 s.
      await evalScript(scripts.setPresence, presenceKeys, [
        member,
        Date.now() + ttl,
        toJson(data),
        ttl,
      ]);
    },

    async removePresence(scope, member) {
      await run(client, () =>
        client
          .multi()
          .zrem(keys.presenceExpiry(scope), member)
          .hdel(keys.presenceData(scope), member)
          .exec(),
      );
    },

    async listPresence(scope) {
      const presenceKeys = [keys.presenceExpiry(scope), keys.presenceData(scope)];
      const reply = await evalScript(scripts.listPresence, presenceKeys, [Date.now()]);
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

    async cacheGet<T>(key: string) {
      const raw = await run(client, () => client.get(keys.cache(key)));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },

    async cacheSet(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const json = toJson(value);
      await run(client, () => client.set(keys.cache(key), json, 'PX', ttl));
    },

    async cacheSetIfAbsent(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const json = toJson(value);
      const reply = await run(client, () => client.set(keys.cache(key), json, 'PX', ttl, 'NX'));
      return reply === 'OK';
    },

    async cacheDelete(key) {
      await run(client, () => client.del(keys.cache(key)));
    },

    async hit(key, windowMs): Promise<CounterState> {
      const window = checkTtl(windowMs);
      const reply = await evalScript(scripts.hit, [keys.counter(key)], [window]);
      const [count, pttl] = tuple(reply, 2);
      return { count: Number(count), reset_at: Date.now() + Number(pttl) };
    },

    async resetCounter(key) {
      await run(client, () => client.del(keys.counter(key)));
    },

    async publish(channel, message) {
      const json = toJson(message);
      await run(client, () => client.publish(keys.channel(channel), json));
    },

    async subscribe(channel, handler): Promise<Unsubscribe> {
      const connection = subscriberConnection();
      const name = keys.channel(channel);
      let state = channels.get(name);
      if (!state) {
        // Later subscribers await the same SUBSCRIBE, so none returns before Redis confirms it and
        // a publish right after subscribe() resolves is never missed.
        const subscribed = run(connection, () => connection.subscribe(name)).then(() => undefined);
        state = { subscribers: new Set(), subscribed };
        channels.set(name, state);
      }
      // An object per call, so the same function subscribed twice is two subscriptions.
      const subscription: Subscription = { handler };
      state.subscribers.add(subscription);
      try {
        await state.subscribed;
      } catch (error) {
        removeSubscription(name, subscription);
        throw error;
      }

      let subscribed = true;
      return async () => {
        if (!subscribed) return;
        subscribed = false;
        // Redis drops a closed connection's subscriptions itself.
        if (removeSubscription(name, subscription) && !closed) {
          await run(connection, () => connection.unsubscribe(name));
        }
      };
    },

    async ping() {
      await run(client, () => client.ping());
    },

    async close() {
      closed = true;
      channels.clear();
      await Promise.all([client, subscriber].map((connection) => connection && quit(connection)));
    },
  };

  /** Removes one subscription; true when it was the channel's last, so the caller unsubscribes. */
  function removeSubscription(name: string, subscription: Subscription): boolean {
    const state = channels.get(name);
    if (!state?.subscribers.delete(subscription) || state.subscribers.size > 0) return false;
    channels.delete(name);
    return true;
  }
}

interface Subscription {
  handler: (message: unknown) => void;
}

interface ChannelState {
  subscribers: Set<Subscription>;
  /** The channel's one SUBSCRIBE; settles when Redis has confirmed it. */
  subscribed: Promise<void>;
}

/** QUIT lets in-flight replies arrive; when Redis is unreachable that would hang, so disconnect. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** ioredis rejects a command that outlived `commandTimeout` with this message. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && /timed out/i.test(error.message);
}

/** Replies Redis gives while it cannot serve (starting up, stuck script, mid-failover). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN)\b/;

/** No answer at all is an outage; so are the transient replies. Any other reply is a bug to surface. */
function isOutage(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(error.message);
}

function tuple(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) {
    throw new TypeError(`Unexpected script reply: ${JSON.stringify(reply)}`);
  }
  return reply;
}

/** MULTI replies come as [error, result] pairs; a null array means the transaction was aborted. */
function execResults(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('Redis transaction aborted');
  return replies.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
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

/** PX needs a positive integer; reject the rest the same way the memory adapter does. */
