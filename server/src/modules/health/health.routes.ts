import { overallStatus } from '@stockverify/shared';
import type { SystemStatus } from '@stockverify/shared';
import { Router } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
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

/** `/health` (liveness, anyone) and `/admin/system-status` (dependencies, admin). */
export function healthRoutes(deps: {
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
  guard: AuthGuard;
}): Router {
  const router = Router();
  const startedAt = Date.now();

  router.get('/health', (req, res) => {
    sendOk(req, res, {
      status: 'ok',
      version: VERSION,
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
    });
  });

  router.get(
    '/admin/system-status',
    deps.guard.requireAuth,
    deps.guard.requirePermission('system.read'),
    async (req, res) => {
      const [store, coordination, erp] = await Promise.all([
        probe(() => deps.store.ping()),
        probe(() => deps.coordination.ping()),
        probe(() => deps.erp.ping()),
      ]);
      sendOk(req, res, {
        status: overallStatus({ store, coordination, erp }),
        version: VERSION,
        uptime_s: Math.round((Date.now() - startedAt) / 1000),
        store: { kind: deps.store.kind, ...store },
        coordination: { kind: deps.coordination.kind, ...coordination },
        erp: { kind: deps.erp.kind, ...erp },
      } satisfies SystemStatus);
    },
  );

  return router;
}
