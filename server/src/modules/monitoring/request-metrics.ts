/** Observes every request's duration in the `stockverify_http_request_duration_seconds` histogram. */
import type { Request, RequestHandler } from 'express';
import type { Metrics } from './metrics';

/**
 * Records the route pattern (`/api/sessions/:id`) the moment Express matches a route. Read at
 * finish time instead, `req.baseUrl` is already unwound for a request whose handler threw.
 */
function trackRoutePattern(req: Request): () => string {
  let pattern: string | null = null;
  let route: unknown = undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path !== 'string') return;
      // A router's '/' route under '/api/sessions' reads '/api/sessions', as clients write it.
      const joined = req.baseUrl + path;
      pattern = joined.length > 1 ? joined.replace(/\/$/, '') : joined;
    },
  });
  return () => pattern ?? 'unmatched';
}

/**
 * Express middleware timing each request to its finish, labelled by method, matched route
 * pattern (or 'unmatched') and status — never the raw URL, whose ids would explode cardinality.
 */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    const routeOf = trackRoutePattern(req);
    res.once('finish', () => {
      stop({ method: req.method, route: routeOf(), status: String(res.statusCode) });
    });
    next();
  };
}
