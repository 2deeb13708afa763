/** The embedded Store (design §3): one SQLite file under DATA_DIR, WAL mode, numbered migrations. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../../../ports/store';
import { createSqliteAuditRepo } from './audit';
import { createSqliteBinRepos } from './bins';
import { createSqliteBinBookRepo } from './bin-books';
import { createSqliteClaimRepo } from './claims';
import { createSqliteClientErrorRepo } from './client-errors';
import { createSqliteConflictRepo } from './conflicts';
import { lazy, openDatabase } from './database';
import { createSqliteIdempotencyRepo } from './idempotency';
import { createSqliteItemRepo, restoreDeferredItemIndexes } from './items';
import { createSqliteLineRepo } from './lines';
import { createSqliteLocationRepo } from './locations';
import { createSqliteMetaRepo } from './meta';
import { migrate } from './migrations';
import { createSqliteMonitoringRepo } from './monitoring';
import { createSqlitePhotoRepo } from './photos';
import { startCheckpointer } from './checkpointer';
import { createSqliteReadModel } from './read-model';
import { createSqliteRefreshTokenRepo } from './refresh-tokens';
import { createSqliteReportSource } from './reports';
import { createSqliteVarianceRepo } from './variances';
import { createSqliteResultRepo } from './results';
import { createSqliteSessionRepo } from './sessions';
import { createSqliteToleranceRepo } from './tolerance';
import { createSqliteMovementRepo } from './movements';
import { createSqliteClockSampleRepo, createSqliteItemLineReads } from './clock-samples';
import { createSqliteMovedDecisionRepo } from './moved-decisions';
import { createSqliteHintFactReads } from './hint-facts';
import { createSqliteUnknownItemRepo } from './unknown-items';
import { createSqliteUserRepo } from './users';

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. The parent directory is created if missing. */
  file: string;
  /**
   * Folder for evidence photo bytes; defaults to `photos/` beside the database file, and to a
   * temporary folder (removed on close) for ':memory:'.
   */
  photosDir?: string;
  /** Benchmarks only: line writes leave the session read model as it was (config BENCH_SKIP_READ_MODEL). */
  skipReadModelUpkeep?: boolean;
}

/** Where photo bytes go, and whether the folder is ours to delete on close. */
function photoFolder(options: SqliteStoreOptions): { dir: string; temporary: boolean } {
  if (options.photosDir) return { dir: options.photosDir, temporary: false };
  if (options.file === ':memory:') {
    return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'sv-photos-')), temporary: true };
  }
  return { dir: path.join(path.dirname(path.resolve(options.file)), 'photos'), temporary: false };
}

/** Opens the SQLite store; call `init()` before use to apply migrations. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.file);
  // A file database checkpoints its WAL in a worker thread, never in a request's commit.
  const checkpointer = options.file === ':memory:' ? null : startCheckpointer(db, options.file);
  const photos = photoFolder(options);
  const pingStatement = lazy(() => db.prepare('SELECT 1'));
  const binRepos = createSqliteBinRepos(db, {
    skipReadModelUpkeep: options.skipReadModelUpkeep === true,
  });
  return {
    kind: 'sqlite',
    async init() {
      // A first item mirror that stopped half-way left some item indexes to build (items.ts).
      restoreDeferredItemIndexes(db);
      migrate(db);
    },
    async ping() {
      pingStatement().get();
    },
    async close() {
      await checkpointer?.stop();
      if (db.open) db.close();
      if (photos.temporary) fs.rmSync(photos.dir, { recursive: true, force: true });
    },
    users: createSqliteUserRepo(db),
    refreshTokens: createSqliteRefreshTokenRepo(db),
    audit: createSqliteAuditRepo(db),
    items: createSqliteItemRepo(db),
    locations: createSqliteLocationRepo(db),
    meta: createSqliteMetaRepo(db),
    sessions: createSqliteSessionRepo(db),
    claims: createSqliteClaimRepo(db),
    lines: createSqliteLineRepo(db, { skipReadModelUpkeep: options.skipReadModelUpkeep === true }),
    results: createSqliteResultRepo(db),
    idempotency: createSqliteIdempotencyRepo(db),
    conflicts: createSqliteConflictRepo(db),
    unknownItems: createSqliteUnknownItemRepo(db),
    photos: createSqlitePhotoRepo(db, photos.dir),
    clientErrors: createSqliteClientErrorRepo(db),
    monitoring: createSqliteMonitoringRepo(db),
    reports: createSqliteReportSource(db),
    variances: createSqliteVarianceRepo(db),
    readModel: createSqliteReadModel(db).repo,
    tolerance: createSqliteToleranceRepo(db),
    bins: binRepos.bins,
    recountTasks: binRepos.recountTasks,
    binBooks: createSqliteBinBookRepo(db),
    movements: createSqliteMovementRepo(db),
    clockSamples: createSqliteClockSampleRepo(db),
    itemLines: createSqliteItemLineReads(db),
    movedDecisions: createSqliteMovedDecisionRepo(db),
    hintFacts: createSqliteHintFactReads(db),
  };
}
