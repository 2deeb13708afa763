import type { Request } from 'express';
import type { RequestMeta } from '../lib/request-context';
import { requestId } from './envelope';

/** The request facts an audit entry records. */
export function metaOf(req: Request): RequestMeta {
  return { request_id: requestId(req) || null, ip: req.ip ?? null };
}
