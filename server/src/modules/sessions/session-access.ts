import { Router, type RequestHandler } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';

/**
 * `/sessions/:id/*` of every module (claims, counting, adjustments, exports, detail) passes here
 * first: a user bound to a warehouse gets 403 WAREHOUSE_FORBIDDEN (`params.id`) for a session of
 * another (issue #12). The services check again; this keeps a new `/sessions/:id/…` route inside
 * the boundary without anyone remembering to add the check. Ids that name no session (`bulk`,
 * `analytics`, unknown ids) are left to the routes, which answer them as before.
 */
export function sessionAccess(store: Store, guard: AuthGuard, access: AccessPolicy): Router {
  const router = Router();
  // A counter's live task notices (EventSource: no headers) may bring the token in the query.
  const authenticate: RequestHandler = (req, res, next) =>
    (req.path === '/recount-tasks/live' ? guard.requireAuthAllowQuery : guard.requireAuth)(
      req,
      res,
      next,
    );
  router.use('/:id', authenticate, async (req, _res, next) => {
    const id = req.params['id'];
    const session = typeof id === 'string' && id.length <= 64 ? await store.sessions.get(id) : null;
    if (session) await access.assertWarehouse(actorOf(req), session.warehouse, 'params.id');
    next();
  });
  return router;
}
