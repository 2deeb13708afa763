/** The MongoDB collections of evidence photos and client errors (indexes: indexes.ts). */
import type { Collection, Db } from 'mongodb';
import type { ClientErrorRecord } from '../../../ports/evidence';
import { COLLECTION } from './collections';

/** GridFS bucket name for photo bytes: files live in `photos.files` and `photos.chunks`. */
export const PHOTO_BUCKET = 'photos';

export interface EvidenceCollections {
  clientErrors: Collection<ClientErrorRecord>;
}

/** Typed handles on the evidence collections in `db`. */
export function evidenceCollections(db: Db): EvidenceCollections {
  return { clientErrors: db.collection<ClientErrorRecord>(COLLECTION.clientErrors) };
}
