/**
 * The MongoDB collections of evidence photos and client errors, and the indexes they and the
 * monitoring figures need (kept apart from collections.ts so each feature owns its indexes).
 */
import type { Collection, Db } from 'mongodb';
import type { ClientErrorRecord } from '../../../ports/evidence';
import type { Collections } from './collections';

/** GridFS bucket name for photo bytes: files live in `photos.files` and `photos.chunks`. */
export const PHOTO_BUCKET = 'photos';

export interface EvidenceCollections {
  clientErrors: Collection<ClientErrorRecord>;
}

/** Typed handles on the evidence collections in `db`. */
export function evidenceCollections(db: Db): EvidenceCollections {
  return { clientErrors: db.collection<ClientErrorRecord>('client_errors') };
}

/** Creates the evidence and monitoring indexes; creating an existing index is a no-op. */
export async function ensureEvidenceIndexes(
  db: Db,
  e: EvidenceCollections,
  c: Pick<Collections, 'claims' | 'lines' | 'conflicts'>,
): Promise<void> {
  await Promise.all([
    e.clientErrors.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { created_at: -1, id: -1 } },
      { key: { source: 1, created_at: -1, id: -1 } },
    ]),
    // The photo id is the GridFS filename: one file per id, found by it.
    db.collection(`${PHOTO_BUCKET}.files`).createIndex({ filename: 1 }, { unique: true }),
    // Monitoring reads across sessions.
    c.claims.createIndex({ status: 1 }),
    c.lines.createIndex({ received_at: 1 }),
    c.conflicts.createIndex({ status: 1 }),
  ]);
}
