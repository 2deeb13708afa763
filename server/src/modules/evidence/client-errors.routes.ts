/** `POST /client-errors` (reports from the PWA and console) and `GET /admin/errors` (design §7). */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import {
  CLIENT_ERROR_SOURCES,
  clientErrorReportSchema,
  isoInstantSchema,
  paginationQuerySchema,
} from '@stockverify/shared';
import { actorOf, type AuthGuard } from '../../http/auth-guard';
import { sendOk, sendPage } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { ClientErrorRecord } from '../../ports/evidence';
import type { Store } from '../../ports/store';

/** A report as a front end posts it (the shared schema). */
export const clientErrorBodySchema = clientErrorReportSchema;

const listQuerySchema = paginationQuerySchema.extend({
  source: z.enum(CLIENT_ERROR_SOURCES).optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});

/** The client-error routes: anyone signed in reports, admins read the list. */
export function clientErrorsRoutes(store: Store, guard: AuthGuard, clock: () => Date): Router {
  const router = Router();

  router.post(
    '/client-errors',
    guard.requireAuth,
    guard.requirePermission('client_errors.write'),
    async (req, res) => {
      const body = parse(clientErrorBodySchema, req.body, 'body');
      const actor = actorOf(req);
      const meta = metaOf(req);
      const report: ClientErrorRecord = {
        id: randomUUID(),
        source: body.source,
        message: body.message,
        stack: body.stack ?? null,
        url: body.url ?? null,
        app_version: body.app_version ?? null,
        // The header is what the server saw; the body's value wins when the client sends one.
        user_agent: body.user_agent ?? req.get('user-agent')?.slice(0, 512) ?? null,
        context: body.context ?? null,
        user_id: actor.id,
        username: actor.username,
        request_id: meta.request_id,
        ip: meta.ip,
        created_at: clock().toISOString(),
      };
      await store.clientErrors.insert(report);
      sendOk(req, res, { id: report.id }, 201, 'Error report stored');
    },
  );

  router.get(
    '/admin/errors',
    guard.requireAuth,
    guard.requirePermission('system.read'),
    async (req, res) => {
      const query = parse(listQuerySchema, req.query, 'query');
      sendPage(req, res, await store.clientErrors.list(query), query);
    },
  );

  return router;
}
