import { Router } from 'express';
import multer from 'multer';
import { erpSyncBodySchema, type ErpSyncResult } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { validationError } from '../../lib/errors';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { ErpService } from './erp.service';

/** `/erp/*`: import, sync, status. */
export function erpRoutes(erp: ErpService, guard: AuthGuard, uploadLimitBytes: number): Router {
  const router = Router();
  router.use(guard.requireAuth);
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: uploadLimitBytes, files: 1 },
  });

  router.post(
    '/import',
    guard.requirePermission('erp.manage'),
    upload.single('file'),
    async (req, res) => {
      if (!req.file)
        throw validationError([
          { path: 'file', message: 'attach the item master as the multipart field "file"' },
        ]);
      const result = await erp.importFile(actorOf(req), metaOf(req), req.file);
      sendOk(
        req,
        res,
        result,
        200,
        `Imported ${result.accepted} items, ${result.rejected} rows rejected`,
      );
    },
  );

  router.post('/sync', guard.requirePermission('erp.manage'), async (req, res) => {
    const body = parse(erpSyncBodySchema, req.body ?? {}, 'body');
    const result = await erp.sync(actorOf(req), metaOf(req), {
      since: body.since ? new Date(body.since) : undefined,
    });
    sendOk(req, res, result satisfies ErpSyncResult, 200, 'ERP sync finished');
  });

  router.get('/status', guard.requirePermission('erp.status'), async (req, res) => {
    sendOk(req, res, await erp.status());
  });

  return router;
}
