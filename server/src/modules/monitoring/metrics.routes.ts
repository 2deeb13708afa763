/** `GET /metrics` (Prometheus text) and `GET /metrics/json` (design §7, api.md "Monitoring"). */
import { Router, type RequestHandler } from 'express';
import type { MetricsJson } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { createAllowList, DEFAULT_METRICS_NETWORKS } from './allow-list';
import type { MetricsService } from './metrics.service';

export interface MetricsRoutesDeps {
  metrics: MetricsService;
  guard: AuthGuard;
  /** Addresses or CIDR blocks scraped without a token (default: loopback). */
  allowNetworks?: readonly string[];
}

/**
 * The metrics routes. An allow-listed caller (by `req.ip`, so behind a trusted proxy it is the
 * real client, not the proxy) scrapes `/metrics` without a token; anyone else needs an admin token.
 */
export function metricsRoutes(deps: MetricsRoutesDeps): Router {
  const { metrics, guard } = deps;
  const router = Router();
  const allowed = createAllowList(deps.allowNetworks ?? DEFAULT_METRICS_NETWORKS);

  const prometheusText: RequestHandler = async (_req, res) => {
    const { contentType, text } = await metrics.prometheus();
    res.status(200);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(text);
  };

  // Allow-listed callers take the first route; everyone else falls through to the guarded one.
  router.get(
    '/metrics',
    (req, _res, next) => next(allowed(req.ip) ? undefined : 'route'),
    prometheusText,
  );
  router.get('/metrics', guard.requireAuth, guard.requirePermission('system.read'), prometheusText);

  router.get(
    '/metrics/json',
    guard.requireAuth,
    guard.requirePermission('system.read'),
    async (req, res) => {
      sendOk(req, res, (await metrics.json()) satisfies MetricsJson);
    },
  );

  return router;
}
