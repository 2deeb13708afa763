import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

// A client id is only trusted when it looks like an id: no log injection through the header.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes `X-Request-Id` from the client when sane, else makes one; echoes it on the response. */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    (req as typeof req & { id: string }).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
