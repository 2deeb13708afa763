/** The production Store (DESIGN §3) on MongoDB, official driver; shared by every API process. */
import { MongoClient } from 'mongodb';
import type { Store } from '../../../ports/store';
import { createMongoAuditRepo } from './audit';
import { createMongoClaimRepo } from './claims';
import { createMongoClientErrorRepo } from './client-errors';
import { ensureIndexes, storeCollections } from './collections';
import { createMongoConflictRepo } from './conflicts';
import { ensureEvidenceIndexes, evidenceCollections } from './evidence-collections';
import { createMongoIdempotencyRepo } from './idempotency';
import { createMongoItemRepo } from './items';
import { createMongoLineRepo } from './lines';
import { createMongoLocationRepo } from './locations';
import { createMongoMetaRepo } from './meta';
import { createMongoMonitoringRepo } from './monitoring';
import { createMongoPhotoRepo } from './photos';
import { createMongoRefreshTokenRepo } from './refresh-tokens';
import { createMongoReportSource } from './reports';
import { createMongoResultRepo } from './results';
import { createMongoSessionRepo } from './sessions';
import { createMongoUnknownItemRepo } from './unknown-items';
import { createMongoUserRepo } from './users';

export interface MongoStoreOptions {
  uri: string;
  /** Defaults to the database named in the URI. */
  dbName?: string;
}

/** Connects lazily (on first operation) to MongoDB; call `init()` to create indexes. */
export function createMongoStore(options: MongoStoreOptions): Store {
  const client = new MongoClient(options.uri);
  const db = client.db(options.dbName);
  const c = storeCollections(db);
  const e = evidenceCollections(db);
  return {
    kind: 'mongodb',
    async init() {
      await Promise.all([ensureIndexes(c), ensureEvidenceIndexes(db, e, c)]);
    },
    async ping() {
      await db.command({ ping: 1 });
    },
    async close() {
      await client.close();
    },
    users: createMongoUserRepo(c.users),
    refreshTokens: createMongoRefreshTokenRepo(c.refreshTokens),
    audit: createMongoAuditRepo(c.audit),
    items: createMongoItemRepo(c.items),
    locations: createMongoLocationRepo(c.warehouses),
    meta: createMongoMetaRepo(c.meta),
    sessions: createMongoSessionRepo(c.sessions, c.snapshot, c.lines),
    claims: createMongoClaimRepo(c.claims),
    lines: createMongoLineRepo(c),
    results: createMongoResultRepo(c.results),
    idempotency: createMongoIdempotencyRepo(c.idempotency),
    conflicts: createMongoConflictRepo(c.conflicts),
    unknownItems: createMongoUnknownItemRepo(c.unknownItems),
    photos: createMongoPhotoRepo(db),
    clientErrors: createMongoClientErrorRepo(e.clientErrors),
    monitoring: createMongoMonitoringRepo(c),
    reports: createMongoReportSource(c),
  };
}
