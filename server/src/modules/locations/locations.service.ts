import { roleAtLeast } from '@stockverify/shared';
import { notFound } from '../../lib/errors';
import type { Actor } from '../../lib/request-context';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import { rackMap } from './rack-map.service';

export type LocationsService = ReturnType<typeof createLocationsService>;

/** Warehouses with their racks and, for a session, each rack's claim state. */
export function createLocationsService(store: Store, access: AccessPolicy) {
  return {
    /** Every warehouse with its floors and how many racks it has. */
    async listWarehouses() {
      const warehouses = await store.locations.listWarehouses();
      return warehouses.map(({ racks, ...w }) => ({ ...w, rack_count: racks.length }));
    },

    /** The racks of warehouse `id`. */
    async racks(id: string) {
      const warehouse = await store.locations.getWarehouse(id);
      if (!warehouse) throw notFound('NOT_FOUND', `No warehouse ${id}`);
      return warehouse.racks;
    },

    /** The rack map of session `sessionId` in warehouse `id`, as `actor` may see it. */
    async rackMap(actor: Actor, id: string, sessionId: string) {
      const warehouse = await store.locations.getWarehouse(id);
      if (!warehouse) throw notFound('NOT_FOUND', `No warehouse ${id}`);
      const session = await store.sessions.get(sessionId);
      if (!session || session.warehouse !== id)
        throw notFound('NOT_FOUND', `No session ${sessionId} in ${id}`);
      await access.assertWarehouse(actor, id, 'params.id');
      // The variance flag is for supervisors only: staff never learn which rack is off (design §4).
      const showVariances = roleAtLeast(actor.role, 'supervisor');
      // From the session's read model: O(racks), whatever the number of lines (issue #13).
      return rackMap(store, warehouse, session, showVariances);
    },
  };
}
