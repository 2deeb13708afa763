/** Exponential back-off with jitter (design §5): spreads a warehouse of phones coming back online. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/**
 * Delay before attempt `failures + 1`: a random point in the upper half of the exponential window
 * ("equal jitter"), so no phone retries instantly and none waits longer than `maxMs`. A server's
 * `Retry-After` is a floor.
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
  retryAfterMs: number | null = null,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 20);
  const window = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const delay = Math.round(window / 2 + random() * (window / 2));
  return Math.max(delay, retryAfterMs ?? 0);
}
