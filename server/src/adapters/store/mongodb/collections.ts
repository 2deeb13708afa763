/** The MongoDB collections of the Store, their document shapes and their indexes. */
import type { Item, Warehouse } from '@stockverify/shared';
import { MongoBulkWriteError, MongoServerError, type Collection, type Db } from 'mongodb';
import type {
  ClaimRecord,
  ConflictRecord,
  CountLineRecord,
  IdempotencyRecord,
  SerialSighting,
  SessionRecord,
  SnapshotRow,
  StoredResult,
  UnknownItemRecord,
} from '../../../ports/counting';
import type { AuditEntry, RefreshTokenRecord, UserRecord } from '../../../ports/store';

/** An item as stored: the Item plus the derived fields its indexes need (never returned). */
export type ItemDocument = Item & {
  item_code_lower: string;
  name_lower: string;
  trigrams: string[];
};

/** A count line as stored: `active_serials` is its serials while it counts, [] once superseded. */
export type CountLineDocument = CountLineRecord & { active_serials: string[] };

export interface MetaDocument {
  _id: string;
  value: unknown;
}

export interface Collections {
  users: Collection<UserRecord>;
  refreshTokens: Collection<RefreshTokenRecord>;
  audit: Collection<AuditEntry>;
  items: Collection<ItemDocument>;
  warehouses: Collection<Warehouse>;
  meta: Collection<MetaDocument>;
  sessions: Collection<SessionRecord>;
  snapshot: Collection<SnapshotRow>;
  claims: Collection<ClaimRecord>;
  lines: Collection<CountLineDocument>;
  sightings: Collection<SerialSighting>;
  results: Collection<StoredResult>;
  idempotency: Collection<IdempotencyRecord>;
  conflicts: Collection<ConflictRecord>;
  unknownItems: Collection<UnknownItemRecord>;
}

/** Typed handles on the Store's collections in `db`. */
export function storeCollections(db: Db): Collections {
  return {
    users: db.collection<UserRecord>('users'),
    refreshTokens: db.collection<RefreshTokenRecord>('refresh_tokens'),
    audit: db.collection<AuditEntry>('audit'),
    items: db.collection<ItemDocument>('items'),
    warehouses: db.collection<Warehouse>('warehouses'),
    meta: db.collection<MetaDocument>('meta'),
    sessions: db.collection<SessionRecord>('sessions'),
    snapshot: db.collection<SnapshotRow>('session_snapshot'),
    claims: db.collection<ClaimRecord>('claims'),
    lines: db.collection<CountLineDocument>('count_lines'),
    sightings: db.collection<SerialSighting>('serial_sightings'),
    results: db.collection<StoredResult>('sync_results'),
    idempotency: db.collection<IdempotencyRecord>('idempotency_keys'),
    conflicts: db.collection<ConflictRecord>('conflicts'),
    unknownItems: db.collection<UnknownItemRecord>('unknown_items'),
  };
}

/** Creates every index the repositories rely on; creating an existing index is a no-op. */
export async function ensureIndexes(c: Collections): Promise<void> {
  await Promise.all([
    c.users.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { username: 1 }, unique: true },
    ]),
    c.refreshTokens.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { token_hash: 1 }, unique: true },
      { key: { family_id: 1 } },
      { key: { user_id: 1 } },
      // Times are ISO strings, which a TTL index ignores; deleteExpired() does the cleanup.
      { key: { expires_at: 1 } },
    ]),
    c.audit.createIndexes([
      { key: { at: -1, id: -1 } },
      { key: { actor_id: 1, at: -1 } },
      { key: { action: 1, at: -1 } },
      { key: { target_type: 1, target_id: 1, at: -1 } },
    ]),
    c.items.createIndexes([
      { key: { item_code: 1 }, unique: true },
      { key: { 'barcodes.code': 1 } },
      { key: { item_code_lower: 1 } },
      { key: { name_lower: 1 } },
      { key: { trigrams: 1 } },
      { key: { 'stock.warehouse': 1, item_code: 1 } },
      { key: { updated_at: 1 } },
    ]),
    c.warehouses.createIndexes([{ key: { id: 1 }, unique: true }]),
    c.sessions.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { status: 1, created_at: -1 } },
      { key: { warehouse: 1, created_at: -1 } },
      { key: { created_at: -1 } },
    ]),
    c.snapshot.createIndexes([{ key: { session_id: 1, item_code: 1 }, unique: true }]),
    c.claims.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { session_id: 1, rack: 1, token: -1 } },
      { key: { session_id: 1, user_id: 1 } },
    ]),
    c.lines.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { op_id: 1 }, unique: true },
      { key: { session_id: 1, received_at: -1 } },
      // The duplicate-serial check (multikey on the serials that still count).
      { key: { session_id: 1, item_code: 1, active_serials: 1 } },
      { key: { counted_by: 1, session_id: 1 } },
    ]),
    c.sightings.createIndexes([
      { key: { line_id: 1, serial: 1 }, unique: true },
      { key: { serial: 1, counted_at: 1 } },
    ]),
    c.results.createIndexes([{ key: { op_id: 1 }, unique: true }]),
    c.idempotency.createIndexes([
      { key: { key: 1, user_id: 1 }, unique: true },
      // Times are ISO strings, which a TTL index ignores; deleteOlderThan() does the cleanup.
      { key: { created_at: 1 } },
    ]),
    c.conflicts.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { op_id: 1 }, unique: true },
      { key: { created_at: -1, id: -1 } },
      { key: { session_id: 1, status: 1, created_at: -1 } },
    ]),
    c.unknownItems.createIndexes([
      { key: { id: 1 }, unique: true },
      { key: { op_id: 1 }, unique: true },
      { key: { received_at: -1, id: -1 } },
      { key: { session_id: 1, status: 1 } },
    ]),
  ]);
}

const DUPLICATE_KEY = 11000;

/** True for a duplicate-key error (E11000), including a bulk write whose every error is one. */
export function isDuplicateKey(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
  }
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/** `patch` without its undefined fields (the driver would store them as null). */
export function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** skip/limit of a 1-based page. */
export function pageWindow(query: { page: number; page_size: number }) {
  return { skip: (query.page - 1) * query.page_size, limit: query.page_size };
}

/** Escapes `text` for use inside a regular expression (user input must never be a pattern). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
