/**
 * Every index of the MongoDB Store, declared in one place and created by `init()` after the
 * migrations (README.md lists them with the reason for each). Creating an existing index is a
 * no-op; a TTL whose length changed (IDEMPOTENCY_KEEP_DAYS) is changed in place with collMod.
 */
import { MongoServerError, type Db, type IndexDescription } from 'mongodb';
import { BIN_COLLECTION, BIN_INDEXES } from './bins';
import { COLLECTION } from './collections';
import { PHOTO_BUCKET } from './evidence-collections';
import { READ_MODEL_COLLECTION } from './read-model';
import { MOVEMENT_COLLECTION, MOVEMENT_INDEXES } from './movements';

export interface IndexPlan {
  collection: string;
  indexes: IndexDescription[];
}

export interface IndexOptions {
  /** How long finished sync batches are kept (API contract: at least 30 days). */
  idempotencyKeepDays: number;
}

/** Name of the TTL index on idempotency keys, so collMod can find it. */
export const IDEMPOTENCY_TTL_INDEX = 'idempotency_ttl';
/** Name of the serial-per-session rule's index (design §4), named in its duplicate-key errors. */
export const SERIAL_INDEX = 'serial_per_session';

/** The indexes of every collection, for the given retention. */
export function indexPlan(options: IndexOptions): IndexPlan[] {
  return [
    {
      collection: COLLECTION.users,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { username: 1 }, unique: true },
      ],
    },
    {
      collection: COLLECTION.refreshTokens,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { token_hash: 1 }, unique: true },
        { key: { family_id: 1 } },
        { key: { user_id: 1 } },
        // expires_at is an ISO string, which a TTL index ignores; deleteExpired() cleans up.
        { key: { expires_at: 1 } },
      ],
    },
    {
      collection: COLLECTION.audit,
      indexes: [
        { key: { at: -1, id: -1 } },
        { key: { actor_id: 1, at: -1 } },
        { key: { action: 1, at: -1 } },
        { key: { target_type: 1, target_id: 1, at: -1 } },
      ],
    },
    {
      collection: COLLECTION.items,
      indexes: [
        { key: { item_code: 1 }, unique: true },
        { key: { 'barcodes.code': 1 } },
        { key: { item_code_lower: 1 } },
        { key: { name_lower: 1 } },
        { key: { trigrams: 1 } },
        { key: { 'stock.warehouse': 1, item_code: 1 } },
        { key: { updated_at: 1 } },
      ],
    },
    { collection: COLLECTION.warehouses, indexes: [{ key: { id: 1 }, unique: true }] },
    {
      collection: COLLECTION.sessions,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { status: 1, created_at: -1 } },
        { key: { warehouse: 1, created_at: -1 } },
        { key: { created_at: -1 } },
      ],
    },
    {
      collection: COLLECTION.snapshot,
      indexes: [{ key: { session_id: 1, item_code: 1 }, unique: true }],
    },
    {
      collection: COLLECTION.claims,
      indexes: [
        { key: { id: 1 }, unique: true },
        // The rack's newest claim (highest token) is the one fencing accepts.
        { key: { session_id: 1, rack: 1, token: -1 } },
        { key: { session_id: 1, user_id: 1 } },
        // A session's claims newest first: the rack map and its progress (issue #13).
        { key: { session_id: 1, claimed_at: -1, token: -1, id: -1 } },
        // Monitoring: open claims across sessions.
        { key: { status: 1 } },
      ],
    },
    {
      collection: COLLECTION.lines,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { op_id: 1 }, unique: true },
        { key: { session_id: 1, received_at: -1 } },
        // design §4: one serial of one item on one line that still counts per session. Each line
        // keeps `active_serials` (its serials while it counts, [] once superseded or rejected);
        // lines without any are left out (on an array, $type matches when an element is a
        // string; partial indexes accept $type), so the empty arrays do not collide.
        {
          key: { session_id: 1, item_code: 1, active_serials: 1 },
          name: SERIAL_INDEX,
          unique: true,
          partialFilterExpression: { active_serials: { $type: 'string' } },
        },
        { key: { counted_by: 1, session_id: 1 } },
        // Monitoring: lines received since a time.
        { key: { received_at: 1 } },
        // The read model recomputes an item's row from its lines on every change (issue #13).
        { key: { session_id: 1, item_code: 1 } },
        // A bin's lines, and "did anybody else count this bin" (issue #16, mongodb/bins.ts).
        { key: { session_id: 1, item_code: 1, rack: 1, counted_by: 1 } },
        // Recount tasks: one session's lines in one status (issue #14).
        { key: { session_id: 1, status: 1 } },
      ],
    },
    // The read model (issue #13): each view reads one session's rows in key order.
    {
      collection: READ_MODEL_COLLECTION.items,
      indexes: [
        { key: { session_id: 1, item_code: 1 } },
        // GET /sessions/:id/variances reads a page in the sort's order and stops at the limit.
        { key: { session_id: 1, abs_variance_m: -1, item_code: 1 } },
        { key: { session_id: 1, abs_cost_c: -1, item_code: 1 } },
        { key: { session_id: 1, rack_codes: 1 } },
        // The variance_at_count orders, and the at-count drain's provisional items (§13).
        { key: { session_id: 1, vac_desc: -1, item_code: 1 } },
        { key: { session_id: 1, vac_asc: 1, item_code: 1 } },
        { key: { provisional: 1, final_at: 1 } },
      ],
    },
    { collection: READ_MODEL_COLLECTION.atCountDirty, indexes: [{ key: { session_id: 1 } }] },
    { collection: READ_MODEL_COLLECTION.racks, indexes: [{ key: { session_id: 1, rack: 1 } }] },
    {
      collection: READ_MODEL_COLLECTION.counters,
      indexes: [{ key: { session_id: 1, user_id: 1 } }],
    },
    {
      collection: READ_MODEL_COLLECTION.writers,
      indexes: [{ key: { session_id: 1, user_id: 1 } }],
    },
    {
      collection: READ_MODEL_COLLECTION.days,
      indexes: [{ key: { day: 1 } }, { key: { session_id: 1, lines: 1 } }],
    },
    {
      collection: COLLECTION.sightings,
      indexes: [
        { key: { line_id: 1, serial: 1 }, unique: true },
        { key: { serial: 1, counted_at: 1 } },
      ],
    },
    { collection: COLLECTION.results, indexes: [{ key: { op_id: 1 }, unique: true }] },
    {
      collection: COLLECTION.idempotency,
      indexes: [
        { key: { key: 1, user_id: 1 }, unique: true },
        { key: { created_at: 1 } },
        // The server deletes finished batches once they are older than the retention; the daily
        // deleteOlderThan() pass does the same on the string time and stays as a second guard.
        {
          key: { created_date: 1 },
          name: IDEMPOTENCY_TTL_INDEX,
          expireAfterSeconds: options.idempotencyKeepDays * 86_400,
        },
      ],
    },
    {
      collection: COLLECTION.conflicts,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { op_id: 1 }, unique: true },
        { key: { created_at: -1, id: -1 } },
        { key: { session_id: 1, status: 1, created_at: -1 } },
        { key: { status: 1 } },
      ],
    },
    {
      collection: COLLECTION.unknownItems,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { op_id: 1 }, unique: true },
        { key: { received_at: -1, id: -1 } },
        { key: { session_id: 1, status: 1 } },
      ],
    },
    {
      collection: COLLECTION.clientErrors,
      indexes: [
        { key: { id: 1 }, unique: true },
        { key: { created_at: -1, id: -1 } },
        { key: { source: 1, created_at: -1, id: -1 } },
      ],
    },
    // A version of the rule table is written once: the unique version is what refuses the second
    // of two changes made on the same version (issue #16); newest first for the versions list.
    { collection: COLLECTION.tolerance, indexes: [{ key: { version: -1 }, unique: true }] },
    // Bins, their decisions and recount tasks (issue #16): mongodb/bins.ts says why each.
    ...BIN_INDEXES,
    // ERP movements (issue #17): by item and time, by warehouse in ledger order (_id).
    { collection: MOVEMENT_COLLECTION.movements, indexes: MOVEMENT_INDEXES },
    // The photo id is the GridFS filename: one file per id, found by it.
    {
      collection: `${PHOTO_BUCKET}.files`,
      indexes: [{ key: { filename: 1 }, unique: true }],
    },
  ];
}

/**
 * Collections written inside transactions that no index creates (only `_id`): made up front, as
 * a transaction may not create a collection on every server version or read concern.
 */
export const COLLECTIONS_WITHOUT_INDEXES: readonly string[] = [
  COLLECTION.rackFences,
  BIN_COLLECTION.fences,
  READ_MODEL_COLLECTION.sessions,
];

/** Creates the named collections that do not exist yet (another process may race: fine). */
export async function ensureCollections(db: Db, names: readonly string[]): Promise<void> {
  const existing = new Set(
    (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
  );
  for (const name of names) {
    if (existing.has(name)) continue;
    try {
      await db.createCollection(name);
    } catch (err) {
      // NamespaceExists: another API process made it first.
      if (!(err instanceof MongoServerError) || err.code !== NAMESPACE_EXISTS) throw err;
    }
  }
}

const NAMESPACE_EXISTS = 48;

// createIndexes refuses an existing index whose options differ (IndexOptionsConflict).
const INDEX_OPTIONS_CONFLICT = 85;

/** Creates every planned index; says which collection failed and why. */
export async function ensureIndexes(db: Db, plan: readonly IndexPlan[]): Promise<void> {
  await Promise.all(
    plan.map(async ({ collection, indexes }) => {
      try {
        await createOrRetune(db, collection, indexes);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(`MongoDB: cannot create the indexes of ${collection}: ${reason}`, {
          cause: err,
        });
      }
    }),
  );
}

async function createOrRetune(db: Db, collection: string, indexes: IndexDescription[]) {
  try {
    await db.collection(collection).createIndexes(indexes);
  } catch (err) {
    const ttl = indexes.find((i) => i.expireAfterSeconds !== undefined && i.name !== undefined);
    if (!(err instanceof MongoServerError) || err.code !== INDEX_OPTIONS_CONFLICT || !ttl) {
      throw err;
    }
    // Only a TTL's length may change between starts: set it, then create the rest.
    await db.command({
      collMod: collection,
      index: { name: ttl.name, expireAfterSeconds: ttl.expireAfterSeconds },
    });
    await db.collection(collection).createIndexes(indexes);
  }
}
