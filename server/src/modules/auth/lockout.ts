/**
 * Account lockout policy for password and PIN logins (design §6, api.md "Details pinned down"):
 * after 5 consecutive failures the account is locked for an exponentially growing time; after
 * 10 failures within 24 h it stays locked until a supervisor unlocks it.
 */
import type { UserPatch, UserRecord } from '../../ports/store';

/** The part of an account the lockout policy reads and writes. */
export type LockFields = Pick<
  UserRecord,
  'failure_times' | 'consecutive_failures' | 'hard_locked' | 'locked_until'
>;

export const LOCKOUT_POLICY = {
  softAfter: 5,
  hardAfter: 10,
  windowMs: 24 * 60 * 60 * 1000,
  baseDelayMs: 30_000,
  maxDelayMs: 60 * 60 * 1000,
} as const;

export type LockStatus =
  | { locked: false }
  | { locked: true; hard: true }
  | { locked: true; hard: false; retryAfterSeconds: number };

/** Whether the account refuses logins right now. */
export function lockStatus(
  user: Pick<LockFields, 'hard_locked' | 'locked_until'>,
  now: Date,
): LockStatus {
  if (user.hard_locked) return { locked: true, hard: true };
  if (user.locked_until) {
    const ms = Date.parse(user.locked_until) - now.getTime();
    if (ms > 0) return { locked: true, hard: false, retryAfterSeconds: Math.ceil(ms / 1000) };
  }
  return { locked: false };
}

/** Delay after the n-th consecutive failure: 30 s, 60 s, 120 s … capped at one hour. */
export function lockDelayMs(consecutiveFailures: number): number {
  const steps = consecutiveFailures - LOCKOUT_POLICY.softAfter;
  if (steps < 0) return 0;
  return Math.min(LOCKOUT_POLICY.baseDelayMs * 2 ** steps, LOCKOUT_POLICY.maxDelayMs);
}

/** The state change a failed login makes. */
export function afterFailure(user: LockFields, now: Date): LockFields {
  const since = now.getTime() - LOCKOUT_POLICY.windowMs;
  const failure_times = [
    ...user.failure_times.filter((t) => Date.parse(t) > since),
    now.toISOString(),
  ];
  const consecutive_failures = user.consecutive_failures + 1;
  const hard_locked = user.hard_locked || failure_times.length >= LOCKOUT_POLICY.hardAfter;
  const delay = lockDelayMs(consecutive_failures);
  const locked_until =
    delay > 0 ? new Date(now.getTime() + delay).toISOString() : user.locked_until;
  return { failure_times, consecutive_failures, hard_locked, locked_until };
}

/** The state change a successful login makes: the 24 h history stays, the streak ends. */
export function afterSuccess(now: Date): UserPatch {
  return { consecutive_failures: 0, locked_until: null, last_login_at: now.toISOString() };
}

/** The state change a supervisor's unlock makes. */
export function unlocked(): LockFields {
  return { consecutive_failures: 0, failure_times: [], locked_until: null, hard_locked: false };
}

/**
 * Lockout state for sign-in names that have no account to hold it: unknown usernames, and PIN
 * attempts on an account without a PIN (issue #12). Failures there follow the same policy as a
 * real account, so the answers (401 five times, then 423 with the same Retry-After, then the hard
 * lock) do not tell real names from unknown ones; yet they never touch a real account, so PIN
 * guesses cannot lock out someone who has no PIN. Kept in this process, at most `max` names: the
 * least recently failed name is forgotten first.
 */
export function createPhantomLockouts(max = 10_000) {
  const states = new Map<string, LockFields>();
  const empty = (): LockFields => ({
    failure_times: [],
    consecutive_failures: 0,
    hard_locked: false,
    locked_until: null,
  });
  return {
    status(key: string, now: Date): LockStatus {
      const state = states.get(key);
      return state ? lockStatus(state, now) : { locked: false };
    },
    /** Counts one failure; returns the new state. */
    fail(key: string, now: Date): LockFields {
      const next = afterFailure(states.get(key) ?? empty(), now);
      states.delete(key);
      if (states.size >= max) {
        const oldest = states.keys().next();
        if (!oldest.done) states.delete(oldest.value);
      }
      states.set(key, next);
      return next;
    },
    size(): number {
      return states.size;
    },
  };
}
