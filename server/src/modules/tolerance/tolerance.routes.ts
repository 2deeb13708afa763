import { Router } from 'express';
import { z } from 'zod';
import {
  createToleranceRuleSchema,
  deleteToleranceRuleQuerySchema,
  toleranceRuleIdSchema,
  tolerancePreviewRequestSchema,
  toleranceVersionsQuerySchema,
  updateToleranceRuleSchema,
  type TolerancePreview,
  type ToleranceRuleChange,
  type ToleranceRuleSet,
  type ToleranceVersionDetail,
  type ToleranceVersionPage,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { ToleranceService } from './tolerance.service';

const idParams = z.object({ id: toleranceRuleIdSchema });
const versionParams = z.object({ version: z.coerce.number().int().min(1) });

/** `/tolerance-rules/*` (issue #16): the rule table, its versions and the preview. */
export function toleranceRoutes(tolerance: ToleranceService, guard: AuthGuard): Router {
  const router = Router();
  router.use(guard.requireAuth);
  router.use(guard.requirePermission('tolerance.manage'));

  router.get('/', async (req, res) => {
    sendOk(req, res, (await tolerance.current()) satisfies ToleranceRuleSet);
  });

  router.post('/', async (req, res) => {
    const input = parse(createToleranceRuleSchema, req.body, 'body');
    const answer = await tolerance.create(actorOf(req), metaOf(req), input);
    sendOk(req, res, answer satisfies ToleranceRuleChange, 201, 'Rule created');
  });

  // Before `/:id`.
  router.get('/versions', async (req, res) => {
    const query = parse(toleranceVersionsQuerySchema, req.query, 'query');
    sendOk(req, res, (await tolerance.versions(query)) satisfies ToleranceVersionPage);
  });

  router.get('/versions/:version', async (req, res) => {
    const { version } = parse(versionParams, req.params, 'params');
    sendOk(req, res, (await tolerance.version(version)) satisfies ToleranceVersionDetail);
  });

  router.post('/preview', async (req, res) => {
    const input = parse(tolerancePreviewRequestSchema, req.body, 'body');
    sendOk(req, res, (await tolerance.preview(actorOf(req), input)) satisfies TolerancePreview);
  });

  router.put('/:id', async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const input = parse(updateToleranceRuleSchema, req.body, 'body');
    const answer = await tolerance.update(actorOf(req), metaOf(req), id, input);
    sendOk(req, res, answer satisfies ToleranceRuleChange, 200, 'Rule updated');
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const { version } = parse(deleteToleranceRuleQuerySchema, req.query, 'query');
    const answer = await tolerance.remove(actorOf(req), metaOf(req), id, version);
    sendOk(req, res, answer satisfies ToleranceRuleChange, 200, 'Rule deleted');
  });

  return router;
}
