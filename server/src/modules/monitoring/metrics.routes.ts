/** `GET /metrics` (Prometheus text) and `GET /metrics/json` (design §7, api.md "Monitoring"). */
import { Router, type RequestHandler } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import type { Store } from '../../ports/store';
import { createAllowList, DEFAULT_METRICS_NETWORKS } from './allow-list';
import type { Metrics } from './metrics';

export interface MetricsRoutesDeps {
  metrics: Metrics;
  store: Store;
  guard: AuthGuard;
  /** Addresses or CIDR blocks scraped without a token (default: loopback). */
  allowNetworks?: readonly string[];
}

/**
 * The metrics routes. An allow-listed caller (by `req.ip`, so behind a trusted proxy it is the
 * real client, not the proxy) scrapes `/metrics` without a token; anyone else needs an admin token.
 */
export function metricsRoutes(deps: MetricsRoutesDeps): Router {
  const { metrics, store, guard } = deps;
  const router = Router();
  const allowed = createAllowList(deps.allowNetworks ?? DEFAULT_METRICS_NETWORKS);

  /** Gauges that are read from the store rather than counted as things happen. */
  const refreshGauges = async () => {
    try {
      metrics.activeClaims.set(await store.monitoring.countOpenClaims());
    } catch {
      // A store outage must not stop the scrape: the other figures are what shows the outage.
      // The gauge keeps its last value.
    }
  };

  const prometheusText: RequestHandler = async (_req, res) => {
    await refreshGauges();
    const text = await metrics.registry.metrics();
    res.status(200);
    res.setHeader('Content-Type', metrics.registry.contentType);
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
      await refreshGauges();
      sendOk(req, res, await metrics.registry.getMetricsAsJSON());
    },
  );

  return router;
}
