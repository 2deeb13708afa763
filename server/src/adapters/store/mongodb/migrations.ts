/**
 * Schema migrations of the MongoDB Store: a numbered list applied in order at start-up, each
 * recorded in the `migrations` collection once done. Several API processes may start together, so
 * every migration must be idempotent (rerunning it changes nothing) — a second runner that finds
 * one recorded meanwhile simply moves on. **Never edit a migration that has shipped — add the
 * next number.**
 */
import type { Collection, Db } from 'mongodb';
import { COLLECTION, isDuplicateKey, storeCollections } from './collections';
import { READ_MODEL_COLLECTION, createMongoReadModel, readModelCollections } from './read-model';
import { AT_COUNT_LAST_ASC, AT_COUNT_LAST_DESC } from '../read-model-plan';
import { ensureCollections } from './indexes';
import { CLOCK_SAMPLE_COLLECTION, CLOCK_SAMPLE_INDEXES } from './clock-samples';
import { MOVED_DECISION_COLLECTION, MOVED_DECISION_INDEXES } from './moved-decisions';
import { BIN_BOOK_COLLECTION, BIN_BOOK_INDEXES } from './bin-books';
import { createTransactionRunner } from './transactions';

export interface Migration<Target> {
  id: number;
  name: string;
  up(target: Target): Promise<void>;
}

export interface AppliedMigration {
  id: number;
  name: string;
  applied_at: string;
}

/** Where applied migrations are recorded (the `migrations` collection; a fake in tests). */
export interface MigrationLog {
  applied(): Promise<AppliedMigration[]>;
  /** Records one; a second record of the same id (another process was first) is not an error. */
  record(entry: AppliedMigration): Promise<void>;
}

/**
 * Applies, in id order, every migration the log has not recorded, recording each after it ran.
 * Refuses a list that is not numbered 1, 2, 3…, and a database that a newer server migrated.
 * Returns the ids applied by this call.
 */
export async function runMigrations<Target>(
  log: MigrationLog,
  migrations: readonly Migration<Target>[],
  target: Target,
  now: () => Date,
): Promise<number[]> {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) {
      throw new Error(`migration list out of order: #${i + 1} is numbered ${m.id} (${m.name})`);
    }
  });
  const done = new Set((await log.applied()).map((m) => m.id));
  const newest = Math.max(0, ...done);
  if (newest > migrations.length) {
    throw new Error(
      `the database was migrated to #${newest} by a newer Stock Verify, this one knows ` +
        `#${migrations.length}: upgrade this server`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.id)) continue;
    await migration.up(target);
    await log.record({ id: migration.id, name: migration.name, applied_at: now().toISOString() });
    applied.push(migration.id);
  }
  return applied;
}

interface MigrationDocument {
  _id: number;
  name: string;
  applied_at: string;
}

/** The migration log over the `migrations` collection (`_id` is the migration number). */
export function mongoMigrationLog(collection: Collection<MigrationDocument>): MigrationLog {
  return {
    async applied() {
      const docs = await collection.find({}).sort({ _id: 1 }).toArray();
      return docs.map((d) => ({ id: d._id, name: d.name, applied_at: d.applied_at }));
    },
    async record(entry) {
      try {
        await collection.insertOne({
          _id: entry.id,
          name: entry.name,
          applied_at: entry.applied_at,
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    },
  };
}

/** The Store's migrations, oldest first. */
/**
 * Rebuilds every session's read model from its lines: idempotent, one transaction per session.
 * The collections are made first: a transaction may not create one.
 */
async function rebuildReadModel(db: Db): Promise<void> {
  await ensureCollections(db, Object.values(READ_MODEL_COLLECTION));
  const c = storeCollections(db);
  const model = createMongoReadModel(
    readModelCollections(db),
    c.lines,
    c.snapshot,
    createTransactionRunner(db.client),
  );
  await model.repo.rebuildAll();
}

export const MONGO_MIGRATIONS: readonly Migration<Db>[] = [
  {
    id: 1,
    name: 'rejected lines release their serials',
    // Before the serial-per-session unique index: a rejected line no longer holds its serials.
    async up(db) {
      await storeCollections(db).lines.updateMany(
        { status: 'REJECTED', 'active_serials.0': { $exists: true } },
        { $set: { active_serials: [] } },
      );
    },
  },
  {
    id: 2,
    name: 'idempotency keys get a BSON created_date for their TTL index',
    async up(db) {
      await storeCollections(db).idempotency.updateMany({ created_date: { $exists: false } }, [
        { $set: { created_date: { $toDate: '$created_at' } } },
      ]);
    },
  },
  {
    id: 3,
    name: 'session read model built from existing lines (issue #13)',
    // Idempotent: each session's model is cleared and recomputed from its lines, one transaction
    // per session. The collections are made first: a transaction may not create one.
    up: rebuildReadModel,
  },
  {
    id: 4,
    name: 'read model: lines written and overturned per counter, item sort keys for variances',
    // rm_writers is new, and rm_items documents gain rack_codes, abs_variance_m and abs_cost_c
    // (the variances page): every session's model is rebuilt from its lines.
    up: rebuildReadModel,
  },
  {
    id: 5,
    name: 'read model: lines waiting for review per item',
    // rm_items documents gain review_lines (the variances' needs-review filter and column):
    // every session's model is rebuilt from its lines.
    up: rebuildReadModel,
  },
  {
    id: 6,
    name: 'count lines get phase and recount_task_id (issue #16)',
    // Every existing line is a first count answering no task. Idempotent: only lines without the
    // fields are touched. (bins, bin_decisions and recount_tasks are new collections: indexes.ts.)
    async up(db) {
      const { lines } = storeCollections(db);
      await lines.updateMany({ phase: { $exists: false } }, { $set: { phase: 0 } });
      await lines.updateMany(
        { recount_task_id: { $exists: false } },
        { $set: { recount_task_id: null } },
      );
    },
  },
  {
    id: 7,
    name: 'sessions get erp_watermark (issue #17)',
    // Sessions from before ERP movements include no ledger watermark: null, as on SQLite
    // (migration 15 there). Idempotent: only sessions without the field are touched. The
    // erp_movements collection is new (indexes.ts).
    async up(db) {
      await storeCollections(db).sessions.updateMany(
        { erp_watermark: { $exists: false } },
        { $set: { erp_watermark: null } },
      );
    },
  },
  {
    id: 8,
    name: 'device clock samples (issue #17)',
    // A new collection and its index (device, newest first); createIndexes is idempotent.
    async up(db) {
      await db.collection(CLOCK_SAMPLE_COLLECTION).createIndexes(CLOCK_SAMPLE_INDEXES);
    },
  },
  {
    id: 9,
    name: 'split rack claims (issue #16, docs/design.md §12 "Split bins")',
    // Every claim before it was whole; rerunning finds none without the field.
    async up(db) {
      await db
        .collection(COLLECTION.claims)
        .updateMany({ split: { $exists: false } }, { $set: { split: false } });
    },
  },
  {
    id: 10,
    name: 'decisions for moved items (issue #17)',
    // A new collection and its index (session, item); createIndexes is idempotent.
    async up(db) {
      await db.collection(MOVED_DECISION_COLLECTION).createIndexes(MOVED_DECISION_INDEXES);
    },
  },
  {
    id: 11,
    name: 'sessions get erp_watermark_high (issue #17)',
    // The ledger watermark read after the snapshot's stock (design §13): unknown on sessions from
    // before, null as on SQLite (migration 19). Idempotent: only sessions without the field.
    async up(db) {
      await storeCollections(db).sessions.updateMany(
        { erp_watermark_high: { $exists: false } },
        { $set: { erp_watermark_high: null } },
      );
    },
  },
  {
    id: 12,
    name: "a bin's book: the snapshot per rack (docs/design.md §4)",
    // Snapshot rows from before carry no book per rack: null, as no rows in SQLite's
    // snapshot_bins (migration 20). Idempotent: only rows without the field are touched.
    async up(db) {
      await storeCollections(db).snapshot.updateMany(
        { racks: { $exists: false } },
        { $set: { racks: null } },
      );
    },
  },
  {
    id: 13,
    name: 'read model: expected at count per item (issue #17)',
    // rm_items get the at-count fields (docs/design.md §13): unknown, or pending and marked for
    // the drain in sessions with an ERP watermark. Idempotent: only documents without them.
    async up(db) {
      const rm = readModelCollections(db);
      const watched = await storeCollections(db)
        .sessions.find({ erp_watermark: { $ne: null } }, { projection: { _id: 0, id: 1 } })
        .toArray();
      const ids = watched.map((s) => s.id);
      const blank = {
        expected_m: null,
        vac_m: null,
        vac_low_m: null,
        vac_high_m: null,
        provisional: 0 as const,
        hint_kinds: '',
        final_at: null,
        at_within: null,
        at_action: null,
        vac_desc: AT_COUNT_LAST_DESC,
        vac_asc: AT_COUNT_LAST_ASC,
      };
      await rm.items.updateMany(
        { at_status: { $exists: false }, session_id: { $nin: ids } },
        { $set: { ...blank, at_status: 'unknown' } },
      );
      const pending = await rm.items
        .find(
          { at_status: { $exists: false }, session_id: { $in: ids } },
          { projection: { _id: 1, session_id: 1, item_code: 1 } },
        )
        .toArray();
      for (const doc of pending) {
        await rm.items.updateOne({ _id: doc._id }, { $set: { ...blank, at_status: 'pending' } });
        await rm.atCountDirty.updateOne(
          { _id: doc._id },
          { $set: { session_id: doc.session_id, item_code: doc.item_code, seq: 1 } },
          { upsert: true },
        );
      }
    },
  },
  {
    id: 14,
    name: 'a bin\'s book at count (issue #17, docs/design.md §13 "Bins judged at count")',
    // A new collection and its index (session, item); createIndexes is idempotent.
    async up(db) {
      await db.collection(BIN_BOOK_COLLECTION).createIndexes(BIN_BOOK_INDEXES);
    },
  },
];

/** Applies the Store's pending migrations to `db`. */
export async function migrateMongo(db: Db, now: () => Date = () => new Date()): Promise<number[]> {
  const log = mongoMigrationLog(db.collection<MigrationDocument>(COLLECTION.migrations));
  return runMigrations(log, MONGO_MIGRATIONS, db, now);
}
