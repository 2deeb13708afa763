/**
 * `POST /photos` (evidence upload, raw image body) and `GET /photos/:id` (download). Mount before
 * the JSON parser: the upload has its own raw body parser and limit.
 */
import { createHash, randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError, notFound, validationError } from '../../lib/errors';
import { actorOf, type AuthedUser, type AuthGuard } from '../../http/auth-guard';
import { roleAtLeast } from '@stockverify/shared';
import type { AccessPolicy } from '../access/access-policy';
import type { AuditLog } from '../audit/audit-log';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import {
  isPhotoId,
  PHOTO_CONTENT_TYPES,
  type PhotoContentType,
  type PhotoMeta,
} from '../../ports/evidence';
import type { Store } from '../../ports/store';
import { matchesSignature } from './image-signature';

export interface PhotoLimits {
  /** Largest accepted photo, in bytes or a body-parser size string (default '8mb'). */
  maxBytes?: number | string;
}

/** What an upload answers (201). */
export interface PhotoUploaded {
  photo_id: string;
  bytes: number;
  content_type: PhotoContentType;
  sha256: string;
}

const photoParams = z.object({
  id: z.string().refine(isPhotoId, 'not a photo id'),
});

function declaredType(header: string | undefined): PhotoContentType | null {
  const base = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return PHOTO_CONTENT_TYPES.find((type) => type === base) ?? null;
}

/** The evidence photo routes; ids are server-made UUIDs, so nothing a client sends names a file. */
export function photosRoutes(
  store: Store,
  guard: AuthGuard,
  access: AccessPolicy,
  limits: PhotoLimits = {},
  clock: () => Date = () => new Date(),
  audit?: AuditLog,
): Router {
  const router = Router();
  const rawImage = express.raw({ type: [...PHOTO_CONTENT_TYPES], limit: limits.maxBytes ?? '8mb' });

  router.post(
    '/photos',
    // Authenticate before reading the body: an anonymous client never gets to upload 8 MB.
    guard.requireAuth,
    guard.requirePermission('photos.write'),
    rawImage,
    async (req, res) => {
      const contentType = declaredType(req.get('content-type'));
      if (!contentType) {
        throw new AppError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `Send the photo as the raw body with Content-Type ${PHOTO_CONTENT_TYPES.join(', ')}`,
        );
      }
      const bytes: unknown = req.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
        throw validationError([{ path: 'body', message: 'the photo is empty' }]);
      }
      if (!matchesSignature(contentType, bytes)) {
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `The body is not a ${contentType} image`);
      }
      const actor = actorOf(req);
      const meta: PhotoMeta = {
        id: randomUUID(),
        content_type: contentType,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        uploaded_by: actor.id,
        uploaded_by_name: actor.username,
        uploaded_at: clock().toISOString(),
      };
      await store.photos.save(meta, bytes);
      await audit?.record(
        actorOf(req),
        metaOf(req),
        'photo.upload',
        { type: 'photo', id: meta.id },
        {
          bytes: meta.bytes,
          content_type: meta.content_type,
          sha256: meta.sha256,
        },
      );
      const answer: PhotoUploaded = {
        photo_id: meta.id,
        bytes: meta.bytes,
        content_type: meta.content_type,
        sha256: meta.sha256,
      };
      sendOk(req, res, answer, 201, 'Photo stored');
    },
  );

  /**
   * A photo is evidence of the sessions whose lines name it: whoever may read one of them may read
   * it (issue #12). Before any line names it, only its uploader, admins and supervisors without a
   * warehouse may.
   */
  async function mayRead(viewer: AuthedUser, meta: PhotoMeta): Promise<boolean> {
    if (meta.uploaded_by === viewer.id) return true;
    if (roleAtLeast(viewer.role, 'supervisor') && (await access.boundTo(viewer)) === null)
      return true;
    for (const sessionId of await store.photos.sessionsOf(meta.id)) {
      const session = await store.sessions.get(sessionId);
      if (session && (await access.mayUse(viewer, session.warehouse))) return true;
    }
    return false;
  }

  router.get('/photos/:id', guard.requireAuth, async (req, res) => {
    const { id } = parse(photoParams, req.params, 'params');
    const meta = await store.photos.getMeta(id);
    // Someone else's photo is answered like a missing one: its existence is not for them either.
    if (!meta || !(await mayRead(actorOf(req), meta))) throw notFound('NOT_FOUND', 'No such photo');
    const photo = await store.photos.get(id);
    if (!photo) throw notFound('NOT_FOUND', 'No such photo');
    res.status(200);
    res.setHeader('Content-Type', photo.meta.content_type);
    res.setHeader('Content-Length', String(photo.bytes.length));
    // Photos never change once stored (a new photo gets a new id); only the signed-in may see them.
    res.setHeader('Cache-Control', 'private, max-age=86400');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(photo.bytes);
  });

  return router;
}
