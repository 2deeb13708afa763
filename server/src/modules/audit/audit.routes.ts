import { Router } from 'express';
import { auditQuerySchema } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { sendPage } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { AuditService } from './audit.service';

/** `GET /admin/audit`: the audit trail, newest first, filterable. */
export function auditRoutes(audit: AuditService, guard: AuthGuard): Router {
  const router = Router();
  router.get('/', guard.requireAuth, guard.requirePermission('audit.read'), async (req, res) => {
    const query = parse(auditQuerySchema, req.query, 'query');
    sendPage(req, res, await audit.list(query), query);
  });
  return router;
}
