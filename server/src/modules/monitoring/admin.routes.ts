/** `GET /admin/kpis` and `GET /admin/active-users`: today's figures and who is counting now. */
import { Router } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import type { MonitoringService } from './monitoring.service';

/** The supervisor's monitoring routes (permission monitoring.read). */
export function adminRoutes(monitoring: MonitoringService, guard: AuthGuard): Router {
  const router = Router();
  const supervisorOnly = [guard.requireAuth, guard.requirePermission('monitoring.read')];

  router.get('/admin/kpis', ...supervisorOnly, async (req, res) => {
    sendOk(req, res, await monitoring.kpis(actorOf(req)));
  });

  router.get('/admin/active-users', ...supervisorOnly, async (req, res) => {
    const users = await monitoring.activeUsers(actorOf(req));
    sendOk(req, res, { items: users, total: users.length });
  });

  return router;
}
