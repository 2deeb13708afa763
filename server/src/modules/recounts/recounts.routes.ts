import type { RackLines, LineRecounts } from '@stockverify/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { RecountsService } from './recounts.service';

const sessionParams = z.object({ id: z.string().min(1).max(64) });
const rackParams = z.object({ id: z.string().min(1).max(64), rack: z.string().min(1).max(64) });

/** `GET /sessions/:id/recounts` and `GET /sessions/:id/racks/:rack/lines` (docs/api.md). */
export function recountsRoutes(recounts: RecountsService, guard: AuthGuard): Router {
  const router = Router();
  const read = [guard.requireAuth, guard.requirePermission('sessions.read')];

  router.get('/:id/recounts', ...read, async (req, res) => {
    const { id } = parse(sessionParams, req.params, 'params');
    sendOk(req, res, { items: await recounts.tasks(actorOf(req), id) } satisfies LineRecounts);
  });

  router.get('/:id/racks/:rack/lines', ...read, async (req, res) => {
    const { id, rack } = parse(rackParams, req.params, 'params');
    sendOk(req, res, (await recounts.rackLines(actorOf(req), id, rack)) satisfies RackLines);
  });

  return router;
}
