import type { Health, SystemStatus } from '@stockverify/shared';
import { Router } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import type { HealthService } from './health.service';

/** `/health` (liveness, anyone) and `/admin/system-status` (dependencies, admin). */
export function healthRoutes(health: HealthService, guard: AuthGuard): Router {
  const router = Router();

  router.get('/health', (req, res) => {
    sendOk(req, res, health.liveness() satisfies Health);
  });

  router.get(
    '/admin/system-status',
    guard.requireAuth,
    guard.requirePermission('system.read'),
    async (req, res) => {
      sendOk(req, res, (await health.systemStatus()) satisfies SystemStatus);
    },
  );

  return router;
}
