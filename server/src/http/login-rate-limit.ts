import type { Request, RequestHandler } from 'express';
import { unlessUnavailable } from '../ports/coordination';
import type { Coordination } from '../ports/coordination';
import { AppError } from '../lib/errors';

export interface LoginRateLimitOptions {
  /** Failed attempts allowed per IP in one window (api.md: 50 per 15 minutes). */
  maxFailures: number;
  windowMs: number;
}

export interface LoginRateLimiter {
  /** Refuses with 429 + Retry-After while the caller's IP is over its failure budget. */
  guard: RequestHandler;
  /** Counts one failed attempt for the request's IP. */
  recordFailure(req: Request): Promise<void>;
}

/**
 * Per-IP limit on failed logins, kept in Coordination so every API process shares it. Only
 * failures count: a busy warehouse signing in many staff through one NAT is not punished.
 * With Coordination down (Redis paused) the per-IP limit steps aside rather than locking everyone
 * out of signing in; the per-account lockout, kept in the store, still holds.
 */
export function createLoginRateLimiter(
  coordination: Coordination,
  options: LoginRateLimitOptions,
  now: () => number,
): LoginRateLimiter {
  const blockKey = (ip: string) => `login-block:${ip}`;
  return {
    guard: async (req, res, next) => {
      const blockedUntil = await unlessUnavailable(
        coordination.cacheGet<number>(blockKey(req.ip ?? 'unknown')),
        undefined,
      );
      if (blockedUntil !== undefined && blockedUntil > now()) {
        const seconds = Math.max(1, Math.ceil((blockedUntil - now()) / 1000));
        throw new AppError(
          429,
          'RATE_LIMITED',
          `Too many failed sign-ins from this address; try again in ${seconds} s`,
          undefined,
          { retry_after: seconds },
          { 'Retry-After': String(seconds) },
        );
      }
      next();
    },
    async recordFailure(req) {
      const ip = req.ip ?? 'unknown';
      const state = await unlessUnavailable(
        coordination.hit(`login-fail:${ip}`, options.windowMs),
        null,
      );
      if (state !== null && state.count >= options.maxFailures) {
        await unlessUnavailable(
          coordination.cacheSet(blockKey(ip), state.reset_at, Math.max(1, state.reset_at - now())),
          undefined,
        );
      }
    },
  };
}
