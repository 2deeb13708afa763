/**
 * PhotoRepo on MongoDB: bytes and metadata in one GridFS file of the `photos` bucket, whose
 * filename is the photo id (unique index) and whose `metadata` is the PhotoMeta.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { GridFSBucket, type Db, type GridFSFile } from 'mongodb';
import {
  isPhotoId,
  PHOTO_CONTENT_TYPES,
  type PhotoContentType,
  type PhotoMeta,
  type PhotoRepo,
} from '../../../ports/evidence';
import { StoreConflictError } from '../../../ports/store';
import { COLLECTION, isDuplicateKey } from './collections';
import { PHOTO_BUCKET } from './evidence-collections';

function isContentType(value: unknown): value is PhotoContentType {
  return PHOTO_CONTENT_TYPES.some((type) => type === value);
}

/** The PhotoMeta kept in a GridFS file's metadata, read field by field (it is a plain Document). */
function toMeta(file: GridFSFile): PhotoMeta {
  const m = file.metadata ?? {};
  const contentType: unknown = m['content_type'];
  if (!isContentType(contentType)) throw new Error(`photo ${file.filename}: bad content type`);
  return {
    id: file.filename,
    content_type: contentType,
    bytes: file.length,
    sha256: String(m['sha256']),
    uploaded_by: String(m['uploaded_by']),
    uploaded_by_name: String(m['uploaded_by_name']),
    uploaded_at: String(m['uploaded_at']),
  };
}

/** Builds the photo repository over the `photos` GridFS bucket of `db`. */
export function createMongoPhotoRepo(db: Db): PhotoRepo {
  const bucket = new GridFSBucket(db, { bucketName: PHOTO_BUCKET });

  const findFile = async (id: string): Promise<GridFSFile | null> => {
    if (!isPhotoId(id)) return null;
    const [file] = await bucket.find({ filename: id }).limit(1).toArray();
    return file ?? null;
  };

  return {
    async save(meta, bytes) {
      if (!isPhotoId(meta.id)) throw new Error(`not a photo id: ${JSON.stringify(meta.id)}`);
      if (await findFile(meta.id)) throw new StoreConflictError('photo_id');
      // GridFS writes the chunks, then the files document: a photo is visible only once whole.
      const upload = bucket.openUploadStream(meta.id, { metadata: { ...meta } });
      try {
        await pipeline(Readable.from([bytes]), upload);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Lost a race for the id: drop this upload's chunks, which no files document names.
        await db.collection(`${PHOTO_BUCKET}.chunks`).deleteMany({ files_id: upload.id });
        throw new StoreConflictError('photo_id');
      }
    },
    async get(id) {
      const file = await findFile(id);
      if (!file) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of bucket.openDownloadStream(file._id)) chunks.push(chunk as Buffer);
      return { meta: toMeta(file), bytes: Buffer.concat(chunks) };
    },
    async getMeta(id) {
      const file = await findFile(id);
      return file ? toMeta(file) : null;
    },
    async sessionsOf(id) {
      if (!isPhotoId(id)) return [];
      const [lines, unknown] = await Promise.all([
        db.collection(COLLECTION.lines).distinct('session_id', { photo_ids: id }),
        db.collection(COLLECTION.unknownItems).distinct('session_id', { photo_ids: id }),
      ]);
      return [...new Set([...lines, ...unknown].map(String))];
    },
  };
}
