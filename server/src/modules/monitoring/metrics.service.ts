import type { MetricJson, MetricsJson } from '@stockverify/shared';
import type { Store } from '../../ports/store';
import type { Metrics } from './metrics';

export type MetricsService = ReturnType<typeof createMetricsService>;

/** The process's metrics, with the gauges that are read from the store refreshed first. */
export function createMetricsService(metrics: Metrics, store: Store) {
  /** Gauges that are read from the store rather than counted as things happen. */
  const refreshGauges = async () => {
    try {
      metrics.activeClaims.set(await store.monitoring.countOpenClaims());
    } catch {
      // A store outage must not stop the scrape: the other figures are what shows the outage.
      // The gauge keeps its last value.
    }
  };
  return {
    /** Prometheus text and its content type. */
    async prometheus(): Promise<{ contentType: string; text: string }> {
      await refreshGauges();
      return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
    },
    async json(): Promise<MetricsJson> {
      await refreshGauges();
      // prom-client types `type` as a numeric enum; at run time it is the type's name.
      return (await metrics.registry.getMetricsAsJSON()).map(
        ({ name, help, type, values, aggregator }) =>
          ({ name, help, type: String(type), values, aggregator }) satisfies MetricJson,
      );
    },
  };
}
