import { Router } from 'express';
import { z } from 'zod';
import {
  movedDecisionBodySchema,
  movedDecisionsBulkBodySchema,
  type MovedDecisionsAnswer,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { MovedDecisionsService } from './moved-decisions.service';

const idParams = z.object({ id: z.string().min(1).max(64) });
const itemParams = idParams.extend({ code: z.string().trim().min(1, 'required').max(64) });

const reasonOf = (r: string | undefined): string | null => (r && r !== '' ? r : null);

/**
 * Decisions for moved items (issue #17 item 3, docs/design.md §13): `POST
 * /sessions/:id/items/:code/moved-decision` and `POST /sessions/:id/moved-decisions` (up to 1,000
 * items). Supervisors only, as the expected at count they rest on (blind rules, design §4).
 */
export function movedDecisionsRoutes(service: MovedDecisionsService, guard: AuthGuard) {
  const router = Router();
  router.post(
    '/:id/items/:code/moved-decision',
    guard.requireAuth,
    guard.requirePermission('sessions.manage'),
    async (req, res) => {
      const { id, code } = parse(itemParams, req.params, 'params');
      const body = parse(movedDecisionBodySchema, req.body, 'body');
      const answer = await service.decide(
        actorOf(req),
        metaOf(req),
        id,
        [{ item_code: code, mode: body.mode }],
        reasonOf(body.reason),
        'params.code',
      );
      sendOk(req, res, answer satisfies MovedDecisionsAnswer);
    },
  );
  router.post(
    '/:id/moved-decisions',
    guard.requireAuth,
    guard.requirePermission('sessions.manage'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const body = parse(movedDecisionsBulkBodySchema, req.body, 'body');
      const answer = await service.decide(
        actorOf(req),
        metaOf(req),
        id,
        body.items,
        reasonOf(body.reason),
        'items',
      );
      sendOk(req, res, answer satisfies MovedDecisionsAnswer);
    },
  );
  return router;
}
