import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

// A client id is only trusted when it looks like an id: no log injection through the header.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id for an incoming `X-Request-Id` header value: the client's when sane, else new. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}

/** Takes `X-Request-Id` from the client when sane, else makes one; echoes it on the response. */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFrom(req.headers['x-request-id']);
    (req as typeof req & { id: string }).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
