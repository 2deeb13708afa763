import { Router } from 'express';
import { z } from 'zod';
import { roleAtLeast } from '@stockverify/shared';
import { actorOf, type AuthGuard } from '../../http/auth-guard';
import { notFound } from '../../http/app-error';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { ClaimRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';

const warehouseParams = z.object({ id: z.string().min(1).max(64) });
const racksQuery = z.object({ session: z.string().min(1).max(64).optional() });

/** What the rack map shows for one rack of a session. */
export type RackState =
  'not_started' | 'claimed' | 'paused' | 'completed' | 'recount' | 'available';

/** A rack's state from its newest claim: released after completion means reopened for recount. */
export function rackState(claim: ClaimRecord | undefined): RackState {
  if (!claim) return 'not_started';
  switch (claim.status) {
    case 'active':
      return 'claimed';
    case 'paused':
      return 'paused';
    case 'completed':
      return 'completed';
    default:
      return claim.completed_at ? 'recount' : 'available';
  }
}

/** `/warehouses/*`: warehouses with floors and racks; with `?session=` each rack's claim state. */
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
    const latest = new Map<string, ClaimRecord>();
    for (const claim of await store.claims.listBySession(sessionId)) {
      if (!latest.has(claim.rack) || latest.get(claim.rack)!.token < claim.token)
        latest.set(claim.rack, claim);
    }
    const hideVariances = session.mode === 'blind' && !roleAtLeast(actorOf(req).role, 'supervisor');
    const inScope = new Set(session.racks);
    const items = await Promise.all(
      warehouse.racks
        .filter((rack) => inScope.has(rack.code))
        .map(async (rack) => {
          const claim = latest.get(rack.code);
          const [lines, withVariance] = await Promise.all([
            store.lines.list(sessionId, { page: 1, page_size: 1, rack: rack.code }),
            store.lines.list(sessionId, {
              page: 1,
              page_size: 1,
              rack: rack.code,
              has_variance: true,
            }),
          ]);
          return {
            ...rack,
            state: rackState(claim),
            claimant:
              claim && (claim.status === 'active' || claim.status === 'paused')
                ? {
                    user_id: claim.user_id,
                    username: claim.username,
                    last_heartbeat_at: claim.last_heartbeat_at,
                  }
                : null,
            lines: lines.total,
            // Staff never learn of variances in a blind session (DESIGN §4).
            has_variances: hideVariances ? null : withVariance.total > 0,
          };
        }),
    );
    sendOk(req, res, { session_id: sessionId, items });
  });

  return router;
}
