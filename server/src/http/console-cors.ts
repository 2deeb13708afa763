import type { RequestHandler } from 'express';

/**
 * The origin of `value` as `scheme://host[:port]`, or null when `value` is not a bare origin.
 * Node's URL reports `null` as the origin of custom schemes such as `app:` (the Electron console's
 * `app://renderer`), so it is computed from the parsed parts.
 */
export function parseOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.host === '' || url.username !== '' || url.password !== '') return null;
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return null;
  }
  return `${url.protocol}//${url.host}`.toLowerCase();
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, Last-Event-ID';
const EXPOSED_HEADERS =
  'X-Request-Id, Retry-After, Content-Disposition, Server-Timing, X-Content-Hash, X-Generated-At';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';

/**
 * CORS for the supervisor console running from another origin (Electron's `app://renderer`, or a
 * configured host). Origins are compared exactly after parsing (style "Pitfalls": a substring check is not a
 * security check); an allowed preflight answers 204, anything else gets no CORS headers, so the
 * browser refuses it. No credentials mode: the console sends a bearer token, never cookies.
 */
export function consoleCors(allowedOrigins: readonly string[]): RequestHandler {
  const isAllowed = allowedOriginCheck(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    const ok = isAllowed(origin);
    if (!ok) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** Whether a request's `Origin` header is one of `allowedOrigins` (compared parsed, exactly). */
function allowedOriginCheck(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins.map(parseOrigin).filter((o): o is string => o !== null));
  return (origin: string | undefined): origin is string =>
    typeof origin === 'string' && allowed.has(parseOrigin(origin) ?? '');
}

/**
 * The same CORS answer as `consoleCors` for a GET served outside Express (the lookup fast path):
 * header name/value pairs, flat, for `writeHead`.
 */
export function consoleCorsHeaders(allowedOrigins: readonly string[]) {
  const isAllowed = allowedOriginCheck(allowedOrigins);
  return (origin: string | undefined): string[] =>
    isAllowed(origin)
      ? [
          'Vary',
          'Origin',
          'Access-Control-Allow-Origin',
          origin,
          'Access-Control-Expose-Headers',
          EXPOSED_HEADERS,
        ]
      : ['Vary', 'Origin'];
}
