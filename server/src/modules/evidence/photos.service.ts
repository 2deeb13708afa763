import { createHash, randomUUID } from 'node:crypto';
import { roleAtLeast } from '@stockverify/shared';
import { AppError, notFound, validationError } from '../../lib/errors';
import type { Actor, RequestMeta } from '../../lib/request-context';
import {
  isPhotoId,
  PHOTO_CONTENT_TYPES,
  type PhotoContentType,
  type PhotoMeta,
} from '../../ports/evidence';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import type { AuditLog } from '../audit/audit-log';
import { matchesSignature } from './image-signature';

export { isPhotoId, PHOTO_CONTENT_TYPES };

/** What an upload answers (201). */
export interface PhotoUploaded {
  photo_id: string;
  bytes: number;
  content_type: PhotoContentType;
  sha256: string;
}

function declaredType(header: string | undefined): PhotoContentType | null {
  const base = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return PHOTO_CONTENT_TYPES.find((type) => type === base) ?? null;
}

export type PhotosService = ReturnType<typeof createPhotosService>;

/** Evidence photos: ids are server-made UUIDs, so nothing a client sends names a file. */
export function createPhotosService(deps: {
  store: Store;
  access: AccessPolicy;
  clock?: () => Date;
  audit?: AuditLog;
}) {
  const { store, access, audit } = deps;
  const clock = deps.clock ?? (() => new Date());

  /**
   * A photo is evidence of the sessions whose lines name it: whoever may read one of them may read
   * it (issue #12). Before any line names it, only its uploader, admins and supervisors without a
   * warehouse may.
   */
  async function mayRead(viewer: Actor, meta: PhotoMeta): Promise<boolean> {
    if (meta.uploaded_by === viewer.id) return true;
    if (roleAtLeast(viewer.role, 'supervisor') && (await access.boundTo(viewer)) === null)
      return true;
    for (const sessionId of await store.photos.sessionsOf(meta.id)) {
      const session = await store.sessions.get(sessionId);
      if (session && (await access.mayUse(viewer, session.warehouse))) return true;
    }
    return false;
  }

  return {
    /**
     * Stores an uploaded photo: `contentTypeHeader` must name a photo type and `body` be a
     * non-empty image of that type (checked by its signature).
     */
    async upload(
      actor: Actor,
      meta: RequestMeta,
      contentTypeHeader: string | undefined,
      body: unknown,
    ): Promise<PhotoUploaded> {
      const contentType = declaredType(contentTypeHeader);
      if (!contentType) {
        throw new AppError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `Send the photo as the raw body with Content-Type ${PHOTO_CONTENT_TYPES.join(', ')}`,
        );
      }
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw validationError([{ path: 'body', message: 'the photo is empty' }]);
      }
      if (!matchesSignature(contentType, body)) {
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `The body is not a ${contentType} image`);
      }
      const photo: PhotoMeta = {
        id: randomUUID(),
        content_type: contentType,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        uploaded_by: actor.id,
        uploaded_by_name: actor.username,
        uploaded_at: clock().toISOString(),
      };
      await store.photos.save(photo, body);
      await audit?.record(
        actor,
        meta,
        'photo.upload',
        { type: 'photo', id: photo.id },
        {
          bytes: photo.bytes,
          content_type: photo.content_type,
          sha256: photo.sha256,
        },
      );
      return {
        photo_id: photo.id,
        bytes: photo.bytes,
        content_type: photo.content_type,
        sha256: photo.sha256,
      };
    },

    /** The photo `id` for `viewer`; someone else's photo is answered like a missing one. */
    async read(viewer: Actor, id: string) {
      const meta = await store.photos.getMeta(id);
      // Someone else's photo is answered like a missing one: its existence is not for them either.
      if (!meta || !(await mayRead(viewer, meta))) throw notFound('NOT_FOUND', 'No such photo');
      const photo = await store.photos.get(id);
      if (!photo) throw notFound('NOT_FOUND', 'No such photo');
      return photo;
    },
  };
}
