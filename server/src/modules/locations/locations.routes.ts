import { Router } from 'express';
import { z } from 'zod';
import { roleAtLeast } from '@stockverify/shared';
import { actorOf, type AuthGuard } from '../../http/auth-guard';
import { notFound } from '../../lib/errors';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import { rackMap } from './rack-map.service';

const warehouseParams = z.object({ id: z.string().min(1).max(64) });
const racksQuery = z.object({ session: z.string().min(1).max(64).optional() });

export { rackState, type RackState } from './rack-map.service';

/** `/warehouses/*`: warehouses with floors and racks; with `?session=` each rack's claim state. */
export function locationsRoutes(store: Store, guard: AuthGuard, access: AccessPolicy): Router {
  const router = Router();
  router.use(guard.requireAuth, guard.requirePermission('locations.read'));

  router.get('/', async (req, res) => {
    const warehouses = await store.locations.listWarehouses();
    sendOk(req, res, {
      items: warehouses.map(({ racks, ...w }) => ({ ...w, rack_count: racks.length })),
    });
  });

  router.get('/:id/racks', async (req, res) => {
    const { id } = parse(warehouseParams, req.params, 'params');
    const { session: sessionId } = parse(racksQuery, req.query, 'query');
    const warehouse = await store.locations.getWarehouse(id);
    if (!warehouse) throw notFound('NOT_FOUND', `No warehouse ${id}`);
    if (!sessionId) {
      sendOk(req, res, { items: warehouse.racks });
      return;
    }
    const session = await store.sessions.get(sessionId);
    if (!session || session.warehouse !== id)
      throw notFound('NOT_FOUND', `No session ${sessionId} in ${id}`);
    await access.assertWarehouse(actorOf(req), id, 'params.id');
    // The variance flag is for supervisors only: staff never learn which rack is off (design §4).
    const hideVariances = !roleAtLeast(actorOf(req).role, 'supervisor');
    // From the session's read model: O(racks), whatever the number of lines (issue #13).
    const items = await rackMap(store, warehouse, session, !hideVariances);
    sendOk(req, res, { session_id: sessionId, items });
  });

  return router;
}
