/**
 * Account lockout policy for password and PIN logins (DESIGN §6, API.md "Details pinned down"):
 * after 5 consecutive failures the account is locked for an exponentially growing time; after
 * 10 failures within 24 h it stays locked until a supervisor unlocks it.
 */
import type { UserPatch, UserRecord } from '../../ports/store';

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
export function lockStatus(user: UserRecord, now: Date): LockStatus {
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
export function afterFailure(user: UserRecord, now: Date): UserPatch {
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
export function unlocked(): UserPatch {
  return { consecutive_failures: 0, failure_times: [], locked_until: null, hard_locked: false };
}
