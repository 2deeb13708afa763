import type { Request, RequestHandler } from 'express';
import { requestsInFlight } from '../lib/in-flight';

/**
 * Counts each request in `requestsInFlight` from the moment Express takes it until its answer is
 * finished or its connection closes. A live-event stream (`isLongLived`) is not counted: it stays
 * open for hours and nobody waits on it.
 */
export function inFlightMiddleware(isLongLived: (req: Request) => boolean): RequestHandler {
  return (req, res, next) => {
    if (isLongLived(req)) {
      next();
      return;
    }
    const leave = requestsInFlight.enter();
    res.once('finish', leave);
    res.once('close', leave);
    next();
  };
}
