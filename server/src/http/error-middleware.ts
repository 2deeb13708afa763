import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { issuesToDetails, type ApiError } from '@stockverify/shared';
import { CoordinationUnavailableError } from '../ports/coordination';
import { StoreConflictError } from '../ports/store';
import { CircuitOpenError, TimeoutError } from '../lib/circuit-breaker';
import { AppError, unavailable } from '../lib/errors';
import { requestId, sendError } from './envelope';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
  field?: string;
}

/** JSON 404 for every unknown /api route (api.md "Details pinned down"). */
export function apiNotFound(): RequestHandler {
  return (req, res) => {
    sendError(req, res, 404, {
      code: 'ROUTE_NOT_FOUND',
      message: `No route ${req.method} ${req.baseUrl}${req.path}`,
    });
  };
}

function fromBodyParser(err: BodyParserError): AppError | null {
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'MALFORMED_JSON', 'The body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than allowed');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', err.message);
  }
  if (err.name === 'MulterError') {
    if (err.code === 'LIMIT_FILE_SIZE') {
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The file is larger than allowed', [
        { path: err.field ?? 'file', message: 'file too large' },
      ]);
    }
    return new AppError(400, 'VALIDATION_FAILED', err.message, [
      { path: err.field ?? 'file', message: err.message },
    ]);
  }
  return null;
}

/** Maps any thrown value to the AppError a client should see, or null for a bug (answer 500). */
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    return new AppError(
      400,
      'VALIDATION_FAILED',
      'The request is not valid',
      issuesToDetails(err.issues),
    );
  }
  if (err instanceof StoreConflictError) {
    return new AppError(
      409,
      err.field === 'username' ? 'USERNAME_TAKEN' : 'CONFLICT',
      err.message,
      [{ path: err.field, message: 'already exists' }],
    );
  }
  if (err instanceof CoordinationUnavailableError || err instanceof TimeoutError) {
    return unavailable('A dependency is not answering; try again shortly', 5);
  }
  if (err instanceof CircuitOpenError) {
    return unavailable(err.message, Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  }
  // The router could not percent-decode a path parameter (`/photos/%c0%ae`): the client's URL is
  // wrong, not the server (found by the issue #7 security probes; was a 500).
  if (err instanceof URIError) {
    return new AppError(400, 'VALIDATION_FAILED', 'The URL is not valid', [
      { path: 'params', message: 'malformed percent-encoding' },
    ]);
  }
  if (err instanceof Error) return fromBodyParser(err as BodyParserError);
  return null;
}

/** The AppError for `err`, logging and hiding anything unexpected as a 500. */
export function clientError(err: unknown, log: Logger, requestId: string): AppError {
  const appError = toAppError(err);
  if (appError) return appError;
  log.error({ err, req_id: requestId }, 'unhandled error');
  return new AppError(500, 'INTERNAL_ERROR', 'Something went wrong on the server');
}

/** The `error` object of a failure envelope. */
export function apiErrorOf(appError: AppError): ApiError {
  return {
    code: appError.code,
    message: appError.message,
    ...(appError.details ? { details: appError.details } : {}),
    ...appError.extra,
  };
}

/** Owns every error response: envelope JSON, never an HTML page or a stack trace. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const appError = clientError(err, log, requestId(req));
    for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
    sendError(req, res, appError.status, apiErrorOf(appError));
  };
}
