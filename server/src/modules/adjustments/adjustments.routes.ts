import { Router } from 'express';
import { z } from 'zod';
import {
  adjustmentsQuerySchema,
  type AdjustmentPackage,
  type WritebackAnswer,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { AdjustmentsService } from './adjustments.service';
import { writeAdjustmentsXlsx } from './adjustments-xlsx';

const idParams = z.object({ id: z.string().min(1).max(64) });

/**
 * `/sessions/:id/adjustments` (supervisor): the adjustment package of a reconciled session, as
 * JSON (enveloped) or an XLSX download; `POST …/adjustments/writeback` (admin): insert it into
 * the ERP staging table when ERP_WRITEBACK_ENABLED.
 */
export function adjustmentsRoutes(adjustments: AdjustmentsService, guard: AuthGuard): Router {
  const router = Router();

  router.get(
    '/:id/adjustments',
    guard.requireAuth,
    guard.requirePermission('sessions.manage'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const { format } = parse(adjustmentsQuerySchema, req.query, 'query');
      const pkg = await adjustments.package(actorOf(req), metaOf(req), id, format);
      if (format === 'json') {
        sendOk(req, res, pkg satisfies AdjustmentPackage);
        return;
      }
      res.setHeader(
        'Content-Type',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="adjustments-${id.replace(/[^A-Za-z0-9_-]/g, '')}.xlsx"`,
      );
      res.setHeader('X-Content-Hash', pkg.content_hash);
      await writeAdjustmentsXlsx(pkg, res);
      res.end();
    },
  );

  router.post(
    '/:id/adjustments/writeback',
    guard.requireAuth,
    guard.requirePermission('erp.manage'),
    async (req, res) => {
      const { id } = parse(idParams, req.params, 'params');
      const result = await adjustments.writeback(actorOf(req), metaOf(req), id);
      sendOk(
        req,
        res,
        result satisfies WritebackAnswer,
        200,
        result.already_written
          ? `Already in ${result.table}; nothing written`
          : `Wrote ${result.inserted} adjustment rows to ${result.table}`,
      );
    },
  );

  return router;
}
