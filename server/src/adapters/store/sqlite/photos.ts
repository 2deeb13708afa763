/**
 * PhotoRepo on SQLite: metadata in the `photos` table, bytes as one file per photo (named by its
 * id) in a folder beside the database, so the database file stays small and fast to back up.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isPhotoId, type PhotoMeta, type PhotoRepo } from '../../../ports/evidence';
import { StoreConflictError } from '../../../ports/store';
import { lazy, type Db } from './database';

const COLUMNS = 'id, content_type, bytes, sha256, uploaded_by, uploaded_by_name, uploaded_at';

/** Builds the photo repository over an open, migrated database and a folder for the bytes. */
export function createSqlitePhotoRepo(db: Db, photosDir: string): PhotoRepo {
  const statements = lazy(() => ({
    insert: db.prepare<[PhotoMeta]>(
      `INSERT INTO photos (${COLUMNS}) VALUES (@id, @content_type, @bytes, @sha256, @uploaded_by,
        @uploaded_by_name, @uploaded_at)`,
    ),
    byId: db.prepare<[string], PhotoMeta>(`SELECT ${COLUMNS} FROM photos WHERE id = ?`),
    // photo_ids is a JSON array of UUIDs: the quoted id matches one element exactly.
    sessions: db.prepare<[string, string], { session_id: string }>(
      `SELECT session_id FROM count_lines WHERE photo_ids LIKE ?
       UNION SELECT session_id FROM unknown_items WHERE photo_ids LIKE ?`,
    ),
  }));

  // Only ever called with an id that passed isPhotoId: no separators, no dots, nothing to escape.
  const fileOf = (id: string) => path.join(photosDir, id);

  /** Writes under a temporary name, syncs, then renames: a crash never leaves a torn photo. */
  const writeBytes = async (id: string, bytes: Buffer) => {
    // Evidence photos are readable by their owner only (issue #12): folder 700, files 600.
    await fs.mkdir(photosDir, { recursive: true, mode: 0o700 });
    const temp = path.join(photosDir, `.${id}.${randomUUID()}.tmp`);
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, fileOf(id));
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  };

  const getMeta = async (id: string): Promise<PhotoMeta | null> =>
    isPhotoId(id) ? (statements().byId.get(id) ?? null) : null;

  return {
    async save(meta, bytes) {
      if (!isPhotoId(meta.id)) throw new Error(`not a photo id: ${JSON.stringify(meta.id)}`);
      // Checked before the bytes are written so a taken id never has its file overwritten.
      if (statements().byId.get(meta.id)) throw new StoreConflictError('photo_id');
      await writeBytes(meta.id, bytes);
      try {
        statements().insert.run(meta);
      } catch (err) {
        if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new StoreConflictError('photo_id');
        }
        throw err;
      }
    },
    getMeta,
    async sessionsOf(id) {
      if (!isPhotoId(id)) return [];
      const pattern = `%"${id}"%`;
      return statements()
        .sessions.all(pattern, pattern)
        .map((r) => r.session_id);
    },
    async get(id) {
      const meta = await getMeta(id);
      if (!meta) return null;
      // A row without its file is lost data, not an unknown photo: let it surface as an error.
      return { meta, bytes: await fs.readFile(fileOf(id)) };
    },
  };
}
