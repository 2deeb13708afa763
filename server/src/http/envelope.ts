import type { Request, Response } from 'express';
import type { ApiError, Envelope } from '@stockverify/shared';

/** The request id set by the request-id middleware. */
export function requestId(req: Request): string {
  return (req as Request & { id?: string }).id ?? '';
}

/** Sends a success envelope (API.md). */
export function sendOk<T>(
  req: Request,
  res: Response,
  data: T,
  status = 200,
  message = 'OK',
): void {
  const body: Envelope<T> = {
    success: true,
    data,
    error: null,
    message,
    request_id: requestId(req),
  };
  res.status(status).json(body);
}

/** Sends a failure envelope. */
export function sendError(req: Request, res: Response, status: number, error: ApiError): void {
  const body: Envelope<null> = {
    success: false,
    data: null,
    error,
    message: error.message,
    request_id: requestId(req),
  };
  res.status(status).json(body);
}
