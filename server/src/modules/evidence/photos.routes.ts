/**
 * `POST /photos` (evidence upload, raw image body) and `GET /photos/:id` (download). Mount before
 * the JSON parser: the upload has its own raw body parser and limit.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { actorOf, type AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import { isPhotoId, PHOTO_CONTENT_TYPES, type PhotosService } from './photos.service';

export type { PhotoUploaded } from './photos.service';

export interface PhotoLimits {
  /** Largest accepted photo, in bytes or a body-parser size string (default '8mb'). */
  maxBytes?: number | string;
}

const photoParams = z.object({
  id: z.string().refine(isPhotoId, 'not a photo id'),
});

/** The evidence photo routes. */
export function photosRoutes(
  photos: PhotosService,
  guard: AuthGuard,
  limits: PhotoLimits = {},
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
      const answer = await photos.upload(
        actorOf(req),
        metaOf(req),
        req.get('content-type'),
        req.body as unknown,
      );
      sendOk(req, res, answer, 201, 'Photo stored');
    },
  );

  router.get('/photos/:id', guard.requireAuth, async (req, res) => {
    const { id } = parse(photoParams, req.params, 'params');
    const photo = await photos.read(actorOf(req), id);
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
