/**
 * `/reports/*` (api.md "Reports") and `POST /sessions/bulk/export`. JSON answers are enveloped;
 * CSV and XLSX are streams, written as the store yields rows and stopped when the client leaves.
 */
import type { Request, Response } from 'express';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  REPORT_COLUMNS,
  REPORT_TITLES,
  bulkExportSchema,
  reportFormatSchema,
  reportRequestSchema,
  type ReportColumn,
  type ReportFormat,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { AuditLog } from '../audit/audit-log';
import { filterSummary } from '@stockverify/shared/spreadsheet';
import { writeCsv } from './csv-writer';
import type { ReportAccessService } from './report-access.service';
import type { ReportsService } from './reports.service';
import { writeXlsx } from './xlsx-writer';

const formatParams = z.object({ format: reportFormatSchema });

const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface ReportsRoutesDeps {
  reports: ReportsService;
  /** Who may report on what (the audit trail, a bound supervisor's warehouse). */
  scope: ReportAccessService;
  guard: AuthGuard;
  audit: AuditLog;
  log: Logger;
  clock: () => Date;
  /** Rows per XLSX sheet, header included (default: Excel's limit). */
  sheetRowLimit?: number;
}

/** Aborts when the client goes away before the file is complete. */
function abortOnDisconnect(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Streams rows in the requested format; a failure after the headers cuts the download short. */
async function streamFile(
  deps: ReportsRoutesDeps,
  res: Response,
  file: {
    format: ReportFormat;
    title: string;
    baseName: string;
    columns: readonly ReportColumn[];
    /** Lines on the XLSX Summary sheet above the totals (the filters asked for). */
    summary: Array<[string, string]>;
    rows: (signal: AbortSignal) => Promise<AsyncIterable<ReadonlyArray<object>>>;
  },
): Promise<number> {
  const signal = abortOnDisconnect(res);
  const rows = await file.rows(signal);
  const now = deps.clock();
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPES[file.format]);
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="${file.baseName}-${stamp}.${file.format}"`,
  );
  res.setHeader('Cache-Control', 'no-store');
  try {
    const written =
      file.format === 'csv'
        ? await writeCsv(res, file.columns, rows, signal)
        : await writeXlsx(res, file.columns, rows, signal, {
            title: file.title,
            sheetRowLimit: deps.sheetRowLimit,
            summary: file.summary,
            now,
          });
    if (!signal.aborted && !res.writableEnded) res.end();
    return written.rows;
  } catch (err) {
    deps.log.error({ err }, 'report export failed after the headers were sent');
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return 0;
  }
}

/** Audits a finished (or cut short) export; the file is already out, so a failure is only logged. */
async function recordExport(
  deps: ReportsRoutesDeps,
  req: Request,
  action: string,
  target: { type: string; id: string },
  summary: Record<string, unknown>,
): Promise<void> {
  try {
    await deps.audit.record(actorOf(req), metaOf(req), action, target, summary);
  } catch (err) {
    deps.log.error({ err }, 'could not audit a report export');
  }
}

/** Routes for `/reports`. */
export function reportsRoutes(deps: ReportsRoutesDeps): Router {
  const { reports, guard } = deps;
  const router = Router();
  router.use(guard.requireAuth, guard.requirePermission('reports.read'));

  router.post('/generate', async (req, res) => {
    const parsed = parse(reportRequestSchema, req.body, 'body');
    const request = await deps.scope.scope(actorOf(req), parsed);
    sendOk(req, res, await reports.generate(request));
  });

  router.post('/export/:format', async (req, res) => {
    const { format } = parse(formatParams, req.params, 'params');
    const parsed = parse(reportRequestSchema, req.body, 'body');
    const request = await deps.scope.scope(actorOf(req), parsed);
    const rows = await streamFile(deps, res, {
      format,
      title: REPORT_TITLES[request.type],
      baseName: request.type.replaceAll('_', '-'),
      columns: REPORT_COLUMNS[request.type],
      // What was asked for, as the console's own file shows it.
      summary: filterSummary(parsed.filters),
      rows: (signal) => reports.rows(request, signal),
    });
    await recordExport(
      deps,
      req,
      'report.exported',
      { type: 'report', id: request.type },
      {
        format,
        filters: request.filters,
        rows,
      },
    );
  });

  return router;
}

/** `POST /sessions/bulk/export`: the per-item count sheet of several sessions as one file. */
export function bulkExportRoutes(deps: ReportsRoutesDeps): Router {
  const { reports, guard } = deps;
  const router = Router();
  router.post(
    '/bulk/export',
    guard.requireAuth,
    guard.requirePermission('sessions.manage'),
    async (req, res) => {
      const { ids, format } = parse(bulkExportSchema, req.body, 'body');
      const unique = await deps.scope.sessionsToExport(actorOf(req), ids);
      const rows = await streamFile(deps, res, {
        format,
        title: 'Sessions',
        baseName: 'sessions',
        columns: REPORT_COLUMNS.variance,
        summary: [['Sessions', unique.join(', ')]],
        rows: (signal) => reports.sessionLines(unique, signal),
      });
      await recordExport(
        deps,
        req,
        'sessions.bulk_exported',
        { type: 'session', id: unique.join(',').slice(0, 200) },
        { format, ids: unique, rows },
      );
    },
  );
  return router;
}
