/** The production Store (design §3) on MongoDB, official driver; shared by every API process. */
import { MongoClient } from 'mongodb';
import type { Store } from '../../../ports/store';
import { createMongoAuditRepo } from './audit';
import { binCollections, createMongoBinRepos } from './bins';
import { createMongoBinBookRepo } from './bin-books';
import { createMongoClaimRepo } from './claims';
import { createMongoClientErrorRepo } from './client-errors';
import { storeCollections } from './collections';
import { createMongoConflictRepo } from './conflicts';
import { evidenceCollections } from './evidence-collections';
import { createMongoIdempotencyRepo } from './idempotency';
import {
  COLLECTIONS_WITHOUT_INDEXES,
  ensureCollections,
  ensureIndexes,
  indexPlan,
} from './indexes';
import { createMongoItemRepo } from './items';
import { createMongoLineRepo } from './lines';
import { createMongoLocationRepo } from './locations';
import { createMongoMetaRepo } from './meta';
import { migrateMongo } from './migrations';
import { createMongoMonitoringRepo } from './monitoring';
import { createMongoPhotoRepo } from './photos';
import { createMongoReadModel, readModelCollections } from './read-model';
import { createMongoRefreshTokenRepo } from './refresh-tokens';
import { createMongoReportSource } from './reports';
import { createMongoVarianceRepo } from './variances';
import { createMongoResultRepo } from './results';
import { createMongoSessionRepo } from './sessions';
import { createMongoToleranceRepo } from './tolerance';
import { createMongoMovementRepo } from './movements';
import { createMongoClockSampleRepo, createMongoItemLineReads } from './clock-samples';
import { createMongoMovedDecisionRepo } from './moved-decisions';
import { createMongoHintFactReads } from './hint-facts';
import { assertTransactions, createTransactionRunner } from './transactions';
import { createMongoUnknownItemRepo } from './unknown-items';
import { createMongoUserRepo } from './users';

export interface MongoStoreOptions {
  uri: string;
  /** Defaults to the database named in the URI. */
  dbName?: string;
  /** TTL of finished sync batches (IDEMPOTENCY_KEEP_DAYS, default 35). */
  idempotencyKeepDays?: number;
}

/**
 * Connects lazily (on first operation) to MongoDB. `init()` refuses a standalone server (the
 * Store writes in transactions, which need a replica set), applies pending migrations, then
 * creates the indexes.
 */
export function createMongoStore(options: MongoStoreOptions): Store {
  const client = new MongoClient(options.uri);
  const db = client.db(options.dbName);
  const c = storeCollections(db);
  const e = evidenceCollections(db);
  const inTransaction = createTransactionRunner(client);
  const rm = readModelCollections(db);
  const readModel = createMongoReadModel(rm, c.lines, c.snapshot, inTransaction, c.sessions);
  const binBooks = createMongoBinBookRepo(db);
  const binRepos = createMongoBinRepos(
    binCollections(db),
    c.lines,
    inTransaction,
    readModel,
    binBooks,
  );
  return {
    kind: 'mongodb',
    async init() {
      await assertTransactions(db);
      await migrateMongo(db);
      await ensureCollections(db, COLLECTIONS_WITHOUT_INDEXES);
      await ensureIndexes(
        db,
        indexPlan({ idempotencyKeepDays: options.idempotencyKeepDays ?? 35 }),
      );
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
    sessions: createMongoSessionRepo(c.sessions, c.snapshot, c.lines, inTransaction),
    claims: createMongoClaimRepo(c.claims, c.rackFences, inTransaction),
    lines: createMongoLineRepo({ ...c, rmItems: rm.items }, inTransaction, readModel),
    results: createMongoResultRepo(c.results, inTransaction),
    idempotency: createMongoIdempotencyRepo(c.idempotency),
    conflicts: createMongoConflictRepo(c.conflicts),
    unknownItems: createMongoUnknownItemRepo(c.unknownItems),
    photos: createMongoPhotoRepo(db),
    clientErrors: createMongoClientErrorRepo(e.clientErrors),
    monitoring: createMongoMonitoringRepo(c),
    reports: createMongoReportSource(c, rm),
    variances: createMongoVarianceRepo({ ...c, rmItems: rm.items }),
    readModel: readModel.repo,
    tolerance: createMongoToleranceRepo(c.tolerance),
    bins: binRepos.bins,
    recountTasks: binRepos.recountTasks,
    binBooks,
    movements: createMongoMovementRepo(db),
    clockSamples: createMongoClockSampleRepo(db),
    itemLines: createMongoItemLineReads(c.lines),
    movedDecisions: createMongoMovedDecisionRepo(db),
    hintFacts: createMongoHintFactReads(db),
  };
}
