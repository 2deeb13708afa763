import { Router } from 'express';
import { z } from 'zod';
import type { AuthGuard } from '../../http/auth-guard';
import { notFound } from '../../http/app-error';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { Store } from '../../ports/store';

const warehouseParams = z.object({ id: z.string().min(1).max(64) });

/** `/warehouses/*`: warehouses with floors and racks. Claim status joins in with sessions. */
export function locationsRoutes(store: Store, guard: AuthGuard): Router {
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
    const warehouse = await store.locations.getWarehouse(id);
    if (!warehouse) throw notFound('NOT_FOUND', `No warehouse ${id}`);
    sendOk(req, res, { items: warehouse.racks });
  });

  return router;
}
