import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Writes the one log line of a finished request (shared by Express and the lookup fast path). */
export function logRequest(
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  started: bigint,
  userId: string | undefined,
  ip: string | undefined,
): void {
  // Express rewrites req.url inside a mounted router (`/login` under `/api/auth`); originalUrl
  // keeps the full path. The query is left out: it may carry a token (EventSource streams).
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const entry = {
    req_id: requestId,
    method: req.method,
    url: url.split('?')[0],
    status: res.statusCode,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    user: userId,
    ip,
  };
  if (res.statusCode >= 500) log.error(entry, 'request failed');
  else log.info(entry, 'request');
}

/**
 * One structured log line per request, written when the response finishes: request id, method,
 * path, status, duration and the user. Deliberately smaller than pino-http (no serialised header
 * dumps, no child logger per request): it sits on the hot path of every barcode scan.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    if (!log.isLevelEnabled('info')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const user = req.user as { id?: string } | undefined;
      logRequest(
        log,
        req,
        res,
        (req as typeof req & { id?: string }).id ?? '',
        started,
        user?.id,
        req.ip,
      );
    });
    next();
  };
}
