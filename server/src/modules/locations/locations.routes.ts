import { Router } from 'express';
import { z } from 'zod';
import { racksQuerySchema, type RackList, type RackMap } from '@stockverify/shared';
import { actorOf, type AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { LocationsService } from './locations.service';

const warehouseParams = z.object({ id: z.string().min(1).max(64) });

export { rackState, type RackState } from './rack-map.service';

/** `/warehouses/*`: warehouses with floors and racks; with `?session=` each rack's claim state. */
export function locationsRoutes(locations: LocationsService, guard: AuthGuard): Router {
  const router = Router();
  router.use(guard.requireAuth, guard.requirePermission('locations.read'));

  router.get('/', async (req, res) => {
    sendOk(req, res, { items: await locations.listWarehouses() });
  });

  router.get('/:id/racks', async (req, res) => {
    const { id } = parse(warehouseParams, req.params, 'params');
    const { session: sessionId } = parse(racksQuerySchema, req.query, 'query');
    if (!sessionId) {
      sendOk(req, res, { items: await locations.racks(id) } satisfies RackList);
      return;
    }
    const items = await locations.rackMap(actorOf(req), id, sessionId);
    sendOk(req, res, { session_id: sessionId, items } satisfies RackMap);
  });

  return router;
}
