import type { Request, Response } from 'express';
import type { ApiError, Envelope, Page } from '@stockverify/shared';

/** The request id set by the request-id middleware. */
export function requestId(req: Request): string {
  return (req as Request & { id?: string }).id ?? '';
}

/** Sends a success envelope (api.md). */
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

/** Sends one page of a list as `{ items, page, page_size, total }` (api.md). */
export function sendPage<T>(
  req: Request,
  res: Response,
  found: { items: T[]; total: number },
  query: { page: number; page_size: number },
): void {
  const page: Page<T> = {
    items: found.items,
    page: query.page,
    page_size: query.page_size,
    total: found.total,
  };
  sendOk(req, res, page);
}
