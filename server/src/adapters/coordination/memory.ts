/**
 * In-process Coordination adapter (design §3): the single-process default. Correct only while one API
 * process serves every client; scale-out must use the redis adapter.
 *
 * Semantics deliberately mirror the redis adapter so the contract suite holds for both:
 * - values (cache, presence data, pub/sub messages) go through a JSON round trip, so callers cannot
 *   mutate what is stored and a value that would not survive Redis (Date, Map, undefined) behaves
 *   the same here instead of hiding a bug until production;
 * - pub/sub delivers asynchronously, like a message arriving over a socket;
 * - fencing tokens never expire, so a token is never reissued (design §4).
 */
import type {
  Coordination,
  CounterState,
  LockResult,
  LockState,
  PresenceEntry,
  Unsubscribe,
} from '../../ports/coordination';
import { checkTtl, toJson } from './values';

export interface MemoryCoordinationOptions {
  /** Clock in epoch milliseconds; injectable so TTL logic can be tested without sleeping. */
  now?: () => number;
  /** How often expired entries are swept from the maps; default 30 s. */
  sweepIntervalMs?: number;
  /** Receives exceptions thrown by subscribers; default `console.error`. */
  onError?: (error: unknown) => void;
}

interface LockHolding {
  owner: string;
  token: number;
  expiresAt: number;
}

interface StoredJson {
  json: string;
  expiresAt: number;
  /** The parsed, deep-frozen value, made on first read. */
  value?: unknown;
}

/** Freezes a parsed JSON value all the way down so a shared cached snapshot cannot be changed. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

interface CounterWindow {
  count: number;
  resetAt: number;
}

interface Subscription {
  handler: (message: unknown) => void;
  active: boolean;
}

/** Builds the single-process Coordination adapter. */
export function createMemoryCoordination(options: MemoryCoordinationOptions = {}): Coordination {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((error: unknown) => console.error(error));

  const locks = new Map<string, LockHolding>();
  // Never swept: a fence must outlive every holding of its key (design §4), and it is one number per rack.
  const fences = new Map<string, number>();
  const presence = new Map<string, Map<string, StoredJson>>();
  const cache = new Map<string, StoredJson>();
  const counters = new Map<string, CounterWindow>();
  const channels = new Map<string, Set<Subscription>>();

  const isLive = (entry: { expiresAt: number }): boolean => entry.expiresAt > now();

  function liveLock(key: string): LockHolding | undefined {
    const holding = locks.get(key);
    if (holding && !isLive(holding)) {
      locks.delete(key);
      return undefined;
    }
    return holding;
  }

  function liveCache(key: string): StoredJson | undefined {
    const entry = cache.get(key);
    if (entry && !isLive(entry)) {
      cache.delete(key);
      return undefined;
    }
    return entry;
  }

  // Lazy expiry alone would keep entries nobody reads again (a rack never re-claimed, a one-off
  // rate-limit key), so a periodic sweep bounds memory.
  function sweep(): void {
    for (const [key, holding] of locks) if (!isLive(holding)) locks.delete(key);
    for (const [key, entry] of cache) if (!isLive(entry)) cache.delete(key);
    for (const [key, window] of counters) if (window.resetAt <= now()) counters.delete(key);
    for (const [scope, members] of presence) {
      for (const [member, entry] of members) if (!isLive(entry)) members.delete(member);
      if (members.size === 0) presence.delete(scope);
    }
  }
  const sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? 30_000);
  // The sweep is housekeeping; it must never keep the process (or a test run) alive.
  sweepTimer.unref();

  const stateOf = (holding: LockHolding): LockState => ({
    owner: holding.owner,
    token: holding.token,
    expires_at: holding.expiresAt,
  });

  return {
    kind: 'memory',

    async acquireLock(key, owner, ttlMs): Promise<LockResult> {
      const ttl = checkTtl(ttlMs);
      const current = liveLock(key);
      if (current && current.owner !== owner) return { ok: false, ...stateOf(current) };
      if (current) {
        // A retried claim by the same owner is not a new claim: keep the token, extend the lease.
        current.expiresAt = now() + ttl;
        return { ok: true, ...stateOf(current) };
      }
      const token = (fences.get(key) ?? 0) + 1;
      fences.set(key, token);
      const holding: LockHolding = { owner, token, expiresAt: now() + ttl };
      locks.set(key, holding);
      return { ok: true, ...stateOf(holding) };
    },

    async renewLock(key, owner, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const current = liveLock(key);
      if (!current || current.owner !== owner) return null;
      current.expiresAt = now() + ttl;
      return stateOf(current);
    },

    async releaseLock(key, owner) {
      const current = liveLock(key);
      if (!current || current.owner !== owner) return false;
      locks.delete(key);
      return true;
    },

    async forceReleaseLock(key) {
      const current = liveLock(key);
      locks.delete(key);
      return current !== undefined;
    },

    async getLock(key) {
      const current = liveLock(key);
      return current ? stateOf(current) : null;
    },

    async currentFence(key) {
      return fences.get(key) ?? 0;
    },

    async setPresence(scope, member, data, ttlMs) {
      const ttl = checkTtl(ttlMs);
      let members = presence.get(scope);
      if (!members) {
        members = new Map();
        presence.set(scope, members);
      }
      members.set(member, { json: toJson(data), expiresAt: now() + ttl });
    },

    async removePresence(scope, member) {
      const members = presence.get(scope);
      if (!members) return;
      members.delete(member);
      if (members.size === 0) presence.delete(scope);
    },

    async listPresence(scope) {
      const members = presence.get(scope);
      if (!members) return [];
      const entries: PresenceEntry[] = [];
      for (const [member, entry] of members) {
        if (!isLive(entry)) {
          members.delete(member);
          continue;
        }
        entries.push({
          member,
          data: JSON.parse(entry.json) as Record<string, unknown>,
          expires_at: entry.expiresAt,
        });
      }
      return entries;
    },

    async cacheGet<T>(key: string) {
      const entry = liveCache(key);
      if (!entry) return undefined;
      // Parsed once, on the first read, and frozen: readers share one read-only snapshot instead
      // of each paying for a JSON parse (the item cache is read on every scan).
      entry.value ??= deepFreeze(JSON.parse(entry.json));
      return entry.value as T;
    },

    async cacheSet(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      cache.set(key, { json: toJson(value), expiresAt: now() + ttl });
    },

    async cacheSetIfAbsent(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const json = toJson(value);
      if (liveCache(key)) return false;
      cache.set(key, { json, expiresAt: now() + ttl });
      return true;
    },

    async cacheDelete(key) {
      cache.delete(key);
    },

    async hit(key, windowMs): Promise<CounterState> {
      const window = checkTtl(windowMs);
      const current = counters.get(key);
      if (current && current.resetAt > now()) {
        current.count += 1;
        return { count: current.count, reset_at: current.resetAt };
      }
      const fresh = { count: 1, resetAt: now() + window };
      counters.set(key, fresh);
      return { count: fresh.count, reset_at: fresh.resetAt };
    },

    async resetCounter(key) {
      counters.delete(key);
    },

    async publish(channel, message) {
      // Serialise once, up front: a message Redis could not carry fails here too, at the publisher.
      const json = toJson(message);
      const subscribers = channels.get(channel);
      if (!subscribers) return;
      for (const subscription of subscribers) {
        queueMicrotask(() => {
          // Checked at delivery time: unsubscribing stops messages that are already in flight.
          if (!subscription.active) return;
          try {
            // One parse per subscriber, so one handler mutating its copy cannot affect another.
            subscription.handler(JSON.parse(json));
          } catch (error) {
            onError(error);
          }
        });
      }
    },

    async subscribe(channel, handler): Promise<Unsubscribe> {
      // An object per call, so the same function subscribed twice is two subscriptions.
      const subscription: Subscription = { handler, active: true };
      let subscribers = channels.get(channel);
      if (!subscribers) {
        subscribers = new Set();
        channels.set(channel, subscribers);
      }
      subscribers.add(subscription);
      return async () => {
        subscription.active = false;
        const current = channels.get(channel);
        if (!current) return;
        current.delete(subscription);
        if (current.size === 0) channels.delete(channel);
      };
    },

    async ping() {},

    async close() {
      clearInterval(sweepTimer);
      for (const subscribers of channels.values()) {
        for (const subscription of subscribers) subscription.active = false;
      }
      channels.clear();
    },
  };
}
