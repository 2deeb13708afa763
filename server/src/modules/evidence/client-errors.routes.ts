/** `POST /client-errors` (reports from the PWA and console) and `GET /admin/errors` (design §7). */
import { Router } from 'express';
import {
  clientErrorListQuerySchema,
  clientErrorReportSchema,
  type ClientErrorStored,
} from '@stockverify/shared';
import { actorOf, type AuthGuard } from '../../http/auth-guard';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { ClientErrorsService } from './client-errors.service';

/** A report as a front end posts it (the shared schema). */
export const clientErrorBodySchema = clientErrorReportSchema;

/** The client-error routes: anyone signed in reports, admins read the list. */
export function clientErrorsRoutes(clientErrors: ClientErrorsService, guard: AuthGuard): Router {
  const router = Router();

  router.post(
    '/client-errors',
    guard.requireAuth,
    guard.requirePermission('client_errors.write'),
    async (req, res) => {
      const body = parse(clientErrorBodySchema, req.body, 'body');
      // The header is what the server saw; the body's value wins when the client sends one.
      const userAgent = req.get('user-agent')?.slice(0, 512) ?? null;
      const id = await clientErrors.report(body, actorOf(req), metaOf(req), userAgent);
      sendOk(req, res, { id } satisfies ClientErrorStored, 201, 'Error report stored');
    },
  );

  router.get(
    '/admin/errors',
    guard.requireAuth,
    guard.requirePermission('system.read'),
    async (req, res) => {
      const query = parse(clientErrorListQuerySchema, req.query, 'query');
      sendPage(req, res, await clientErrors.list(query), query);
    },
  );

  return router;
}
