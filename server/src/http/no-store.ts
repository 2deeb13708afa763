import type { RequestHandler } from 'express';

/**
 * `Cache-Control: no-store` on every /api answer (issue #12): answers carry tokens, personal data
 * and stock figures, which no browser, proxy or disk cache should keep. A route that deliberately
 * caches (evidence photos) sets its own header afterwards. The lookup fast path sends the same.
 */
export const NO_STORE: readonly [string, string] = ['Cache-Control', 'no-store'];

export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader(NO_STORE[0], NO_STORE[1]);
    next();
  };
}
