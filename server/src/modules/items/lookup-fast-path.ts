/**
 * `GET /api/items/barcode/:code` without Express. A barcode lookup is what every scan on every
 * phone does, and Express 5's router alone costs more than the lookup (measured: a one-route
 * Express app serves ~22 % of a bare node:http server's requests here). This handler answers the
 * same contract with the same parts as the Express route — access verifier, RBAC table, shared
 * zod schemas, items service, security headers, request id, envelope, error mapping, request log —
 * plus the console's CORS headers and Express's `req.ip` (trust proxy) in the log line — and hands
 * everything else to Express. test/api/items.test.ts exercises it; a parity test diffs every header
 * and the body of its answers against Express's answer to the same request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import proxyaddr from 'proxy-addr';
import { can, lookupQuerySchema, type Envelope } from '@stockverify/shared';
import { bearerToken, type AccessVerifier, type AuthedUser } from '../../http/access-verifier';
import { consoleCorsHeaders } from '../../http/console-cors';
import { AppError, forbidden } from '../../lib/errors';
import { apiErrorOf, clientError } from '../../http/error-middleware';
import { requestIdFrom } from '../../http/request-id';
import { logRequest } from '../../http/request-log';
import { NO_STORE } from '../../http/no-store';
import { securityHeaderPairs } from '../../http/security-headers';
import { parse } from '../../http/validate';
import type { Metrics } from '../monitoring/metrics';
import type { ItemsService } from './items.service';
import { barcodeParams } from './items.routes';

const PREFIX = '/api/items/barcode/';

export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Returns a handler that serves lookups and answers false for every other request. */
export function createLookupFastPath(
  items: ItemsService,
  verifier: AccessVerifier,
  log: Logger,
  metrics?: Metrics,
  options: {
    tls?: boolean;
    /** Origins the console may call from, as given to Express's `consoleCors`. */
    corsOrigins?: readonly string[];
    /** Express's compiled `trust proxy fn`, so the logged address is Express's `req.ip`. */
    trustProxy?: (addr: string, i: number) => boolean;
  } = {},
): FastPath {
  // The same security headers as the Express stack, for the same TLS mode.
  const staticHeaders = securityHeaderPairs(options.tls ?? false).flat();
  const corsHeaders = consoleCorsHeaders(options.corsOrigins ?? []);
  const trustProxy = options.trustProxy ?? (() => false);
  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    rawCode: string,
    rawQuery: string,
  ) {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    let status = 200;
    let body: Envelope<unknown>;
    let extraHeaders: Record<string, string> = {};
    let user: AuthedUser | undefined;
    try {
      user = await verifier.verify(bearerToken(req.headers.authorization));
      if (!can(user.role, 'items.read')) throw forbidden('Needs the items.read permission');
      let decoded: string;
      try {
        decoded = decodeURIComponent(rawCode);
      } catch {
        throw new AppError(400, 'VALIDATION_FAILED', 'The request is not valid', [
          { path: 'params.code', message: 'not valid percent-encoding' },
        ]);
      }
      const { code } = parse(barcodeParams, { code: decoded }, 'params');
      const { session } = parse(
        lookupQuerySchema,
        Object.fromEntries(new URLSearchParams(rawQuery)),
        'query',
      );
      const data = await items.lookup(code, user, session);
      body = { success: true, data, error: null, message: 'OK', request_id: requestId };
    } catch (err) {
      const appError = clientError(err, log, requestId);
      status = appError.status;
      extraHeaders = appError.headers ?? {};
      body = {
        success: false,
        data: null,
        error: apiErrorOf(appError),
        message: appError.message,
        request_id: requestId,
      };
    }
    const json = JSON.stringify(body);
    res.writeHead(status, [
      ...staticHeaders,
      ...NO_STORE,
      ...corsHeaders(req.headers.origin),
      'X-Request-Id',
      requestId,
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(json)),
      ...Object.entries(extraHeaders).flat(),
    ]);
    res.end(json);
    metrics?.httpDuration.observe(
      { method: 'GET', route: '/api/items/barcode/:code', status: String(status) },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (log.isLevelEnabled('info'))
      logRequest(log, req, res, requestId, started, user?.id, proxyaddr(req, trustProxy));
  }

  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(PREFIX)) return false;
    const q = url.indexOf('?');
    const rawCode = q === -1 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, q);
    // Anything that is not exactly one path segment is not this route: Express answers it.
    if (rawCode === '' || rawCode.includes('/')) return false;
    serve(req, res, rawCode, q === -1 ? '' : url.slice(q + 1)).catch((err: unknown) => {
      log.error({ err }, 'lookup fast path failed');
      res.destroy();
    });
    return true;
  };
}
