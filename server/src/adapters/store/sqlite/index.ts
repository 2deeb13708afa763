/** The embedded Store (DESIGN §3): one SQLite file under DATA_DIR, WAL mode, numbered migrations. */
import type { Store } from '../../../ports/store';
import { createSqliteAuditRepo } from './audit';
import { createSqliteClaimRepo } from './claims';
import { createSqliteConflictRepo } from './conflicts';
import { lazy, openDatabase } from './database';
import { createSqliteIdempotencyRepo } from './idempotency';
import { createSqliteItemRepo } from './items';
import { createSqliteLineRepo } from './lines';
import { createSqliteLocationRepo } from './locations';
import { createSqliteMetaRepo } from './meta';
import { migrate } from './migrations';
import { createSqliteRefreshTokenRepo } from './refresh-tokens';
import { createSqliteResultRepo } from './results';
import { createSqliteSessionRepo } from './sessions';
import { createSqliteUnknownItemRepo } from './unknown-items';
import { createSqliteUserRepo } from './users';

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. The parent directory is created if missing. */
  file: string;
}

/** Opens the SQLite store; call `init()` before use to apply migrations. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.file);
  const pingStatement = lazy(() => db.prepare('SELECT 1'));
  return {
    kind: 'sqlite',
    async init() {
      migrate(db);
    },
    async ping() {
      pingStatement().get();
    },
    async close() {
      if (db.open) db.close();
    },
    users: createSqliteUserRepo(db),
    refreshTokens: createSqliteRefreshTokenRepo(db),
    audit: createSqliteAuditRepo(db),
    items: createSqliteItemRepo(db),
    locations: createSqliteLocationRepo(db),
    meta: createSqliteMetaRepo(db),
    sessions: createSqliteSessionRepo(db),
    claims: createSqliteClaimRepo(db),
    lines: createSqliteLineRepo(db),
    results: createSqliteResultRepo(db),
    idempotency: createSqliteIdempotencyRepo(db),
    conflicts: createSqliteConflictRepo(db),
    unknownItems: createSqliteUnknownItemRepo(db),
  };
}
