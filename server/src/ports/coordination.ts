/**
 * Coordination port: what several API processes must agree on (design §3) — rack locks with
 * fencing tokens, presence, caches, rate-limit counters and pub/sub for live events.
 * Adapters: memory (one process) and redis (ioredis). One contract suite runs against both.
 */

export interface LockState {
  owner: string;
  /** Fencing token of this holding; strictly increasing per key across all holders. */
  token: number;
  /** Epoch milliseconds. */
  expires_at: number;
}

export type LockResult = ({ ok: true } & LockState) | ({ ok: false } & LockState);

export interface PresenceEntry {
  member: string;
  data: Record<string, unknown>;
  /** Epoch milliseconds. */
  expires_at: number;
}

export interface CounterState {
  /** Hits in the current window, including this one. */
  count: number;
  /** Epoch milliseconds when the window ends. */
  reset_at: number;
}

export type Unsubscribe = () => Promise<void>;

export interface Coordination {
  readonly kind: 'memory' | 'redis';

  /**
   * Takes the lock if free or expired, issuing the next fencing token. If `owner` already holds
   * it, renews the TTL and keeps the token (a retried claim is not a new claim). Otherwise
   * answers `ok: false` with the current holder.
   */
  acquireLock(key: string, owner: string, ttlMs: number): Promise<LockResult>;
  /** Extends the TTL if `owner` still holds the lock; null when it does not. */
  renewLock(key: string, owner: string, ttlMs: number): Promise<LockState | null>;
  /** Frees the lock if `owner` holds it; false otherwise. */
  releaseLock(key: string, owner: string): Promise<boolean>;
  /** Frees the lock whoever holds it (supervisor force-release); false if it was free. */
  forceReleaseLock(key: string): Promise<boolean>;
  /** The live (unexpired) holder, or null. */
  getLock(key: string): Promise<LockState | null>;
  /** The last fencing token issued for `key` (0 if none); survives expiry and release. */
  currentFence(key: string): Promise<number>;

  setPresence(
    scope: string,
    member: string,
    data: Record<string, unknown>,
    ttlMs: number,
  ): Promise<void>;
  removePresence(scope: string, member: string): Promise<void>;
  /** Unexpired members of a scope, in no particular order. */
  listPresence(scope: string): Promise<PresenceEntry[]>;

  /**
   * A read-only snapshot of the value (JSON semantics). Never mutate it: the memory adapter hands
   * out one deep-frozen object to every reader, Redis a fresh copy.
   */
  cacheGet<T>(key: string): Promise<T | undefined>;
  cacheSet(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Sets only if absent; true when this call set it (idempotency in-flight markers). */
  cacheSetIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  cacheDelete(key: string): Promise<void>;

  /** Fixed-window counter: counts one hit in the window that starts at the first hit. */
  hit(key: string, windowMs: number): Promise<CounterState>;
  resetCounter(key: string): Promise<void>;

  /** Delivers `message` (JSON-serialisable) to every subscriber in every process. */
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;

  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Coordination cannot answer right now (Redis down, paused, failing over). The HTTP layer answers
 * 503 with Retry-After; callers may retry.
 */
export class CoordinationUnavailableError extends Error {
  readonly code = 'COORDINATION_UNAVAILABLE';
}

/**
 * Best-effort use of Coordination for what counting can do without (caches, rate counters,
 * in-flight markers): `fallback` when Coordination is unavailable, any other error rethrown.
 * Counting must not depend on Redis being up (issue #7 fault suite); locks still do.
 */
export async function unlessUnavailable<T>(work: Promise<T>, fallback: T): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof CoordinationUnavailableError) return fallback;
    throw error;
  }
}
