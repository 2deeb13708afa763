import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The Prometheus registry of one API process (design §7): request durations by route, sync
 * records by status, lock operations, active claims. One registry per app so tests do not share.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'stockverify_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    syncRecords: new Counter({
      name: 'stockverify_sync_records_total',
      help: 'Sync and online count records by result status and code',
      labelNames: ['status', 'code'] as const,
      registers: [registry],
    }),
    lockOperations: new Counter({
      name: 'stockverify_lock_operations_total',
      help: 'Rack lock operations by kind and outcome',
      labelNames: ['operation', 'outcome'] as const,
      registers: [registry],
    }),
    activeClaims: new Gauge({
      name: 'stockverify_active_claims',
      help: 'Rack claims active or paused, as last counted',
      registers: [registry],
    }),
  };
}
