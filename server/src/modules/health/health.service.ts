import { overallStatus } from '@stockverify/shared';
import type { SystemStatus } from '@stockverify/shared';
import type { Coordination } from '../../ports/coordination';
import type { ErpSource } from '../../ports/erp';
import type { Store } from '../../ports/store';

export const VERSION = '0.1.0';

async function probe(
  fn: () => Promise<void>,
): Promise<{ ok: boolean; latency_ms: number; error: string | null }> {
  const started = performance.now();
  try {
    await fn();
    return {
      ok: true,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      error: null,
    };
  } catch (err) {
    return {
      ok: false,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

export type HealthService = ReturnType<typeof createHealthService>;

/** Liveness and the dependencies' status (each probed by a ping, timed). */
export function createHealthService(deps: {
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
}) {
  const startedAt = Date.now();
  const uptime = () => Math.round((Date.now() - startedAt) / 1000);
  return {
    liveness: () => ({ status: 'ok' as const, version: VERSION, uptime_s: uptime() }),
    async systemStatus(): Promise<SystemStatus> {
      const [store, coordination, erp] = await Promise.all([
        probe(() => deps.store.ping()),
        probe(() => deps.coordination.ping()),
        probe(() => deps.erp.ping()),
      ]);
      return {
        status: overallStatus({ store, coordination, erp }),
        version: VERSION,
        uptime_s: uptime(),
        store: { kind: deps.store.kind, ...store },
        coordination: { kind: deps.coordination.kind, ...coordination },
        erp: { kind: deps.erp.kind, ...erp },
      };
    },
  };
}
