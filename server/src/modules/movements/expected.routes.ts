import { Router } from 'express';
import { z } from 'zod';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { ExpectedService } from './expected.service';

const params = z.object({
  id: z.string().min(1).max(64),
  code: z.string().trim().min(1, 'required').max(64),
});

/**
 * `GET /sessions/:id/items/:code/expected` (issue #17, docs/design.md §13): supervisors only —
 * expected quantities and variances are never shown to staff (blind rules, design §4).
 */
export function expectedRoutes(service: ExpectedService, guard: AuthGuard) {
  const router = Router();
  router.get(
    '/:id/items/:code/expected',
    guard.requireAuth,
    guard.requirePermission('sessions.manage'),
    async (req, res) => {
      const { id, code } = parse(params, req.params, 'params');
      sendOk(req, res, await service.forItem(actorOf(req), id, code));
    },
  );
  return router;
}
