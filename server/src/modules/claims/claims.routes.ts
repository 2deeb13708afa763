import { Router } from 'express';
import { z } from 'zod';
import { claimBodySchema, deviceBodySchema } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { ClaimsService } from './claims.service';

const rackParams = z.object({ id: z.string().min(1).max(64), rack: z.string().min(1).max(64) });
const sessionParams = z.object({ id: z.string().min(1).max(64) });

/** Rack claim endpoints under `/sessions/:id` (api.md "Racks and counting"). */
export function claimsRoutes(claims: ClaimsService, guard: AuthGuard): Router {
  const router = Router({ mergeParams: true });
  router.use(guard.requireAuth, guard.requirePermission('counting.write'));

  router.post('/:id/racks/:rack/claim', async (req, res) => {
    const { id, rack } = parse(rackParams, req.params, 'params');
    const { device_id, split } = parse(claimBodySchema, req.body ?? {}, 'body');
    sendOk(
      req,
      res,
      await claims.claim(actorOf(req), metaOf(req), id, rack, device_id ?? null, split ?? false),
      200,
      'Rack claimed',
    );
  });

  router.post('/:id/heartbeat', async (req, res) => {
    const { id } = parse(sessionParams, req.params, 'params');
    const { device_id } = parse(deviceBodySchema, req.body ?? {}, 'body');
    sendOk(req, res, await claims.heartbeat(actorOf(req), id, device_id ?? null));
  });

  for (const action of ['pause', 'resume', 'complete', 'release'] as const) {
    router.post(`/:id/racks/:rack/${action}`, async (req, res) => {
      const { id, rack } = parse(rackParams, req.params, 'params');
      parse(deviceBodySchema, req.body ?? {}, 'body');
      sendOk(req, res, await claims[action](actorOf(req), metaOf(req), id, rack));
    });
  }

  router.post(
    '/:id/racks/:rack/reopen',
    guard.requirePermission('sessions.manage'),
    async (req, res) => {
      const { id, rack } = parse(rackParams, req.params, 'params');
      sendOk(
        req,
        res,
        await claims.reopen(actorOf(req), metaOf(req), id, rack),
        200,
        'Rack reopened for recount',
      );
    },
  );

  return router;
}
