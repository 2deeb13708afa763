/** The MongoDB collections of the Store and their document shapes (indexes: indexes.ts). */
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
import type { ToleranceVersionRecord } from '../../../ports/tolerance';

/** An item as stored: the Item plus the derived fields its indexes need (never returned). */
export type ItemDocument = Item & {
  item_code_lower: string;
  name_lower: string;
  trigrams: string[];
};

/** A count line as stored: `active_serials` is its serials while it counts, [] once superseded. */
export type CountLineDocument = CountLineRecord & { active_serials: string[] };

/**
 * A finished batch as stored: `created_date` is `created_at` as a BSON date, which the TTL index
 * needs (it ignores strings). Never returned.
 */
export type IdempotencyDocument = IdempotencyRecord & { created_date: Date };

/**
 * One per (session, rack): written by every claim insert and by every fenced line insert, so two
 * transactions that race on one rack's fencing conflict and one of them reruns (README.md).
 */
export interface RackFenceDocument {
  _id: string;
  claim_id?: string;
  token?: number;
  line_writes?: number;
}

/** The `_id` of a rack's fence document. */
export function rackFenceId(sessionId: string, rack: string): string {
  return JSON.stringify([sessionId, rack]);
}

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
  idempotency: Collection<IdempotencyDocument>;
  rackFences: Collection<RackFenceDocument>;
  conflicts: Collection<ConflictRecord>;
  unknownItems: Collection<UnknownItemRecord>;
  /** Versions of the tolerance rule table, one document each, never updated (issue #16). */
  tolerance: Collection<ToleranceVersionRecord>;
}

/** Collection names, one place (indexes.ts declares each one's indexes by these names). */
export const COLLECTION = {
  users: 'users',
  refreshTokens: 'refresh_tokens',
  audit: 'audit',
  items: 'items',
  warehouses: 'warehouses',
  meta: 'meta',
  sessions: 'sessions',
  snapshot: 'session_snapshot',
  claims: 'claims',
  lines: 'count_lines',
  sightings: 'serial_sightings',
  results: 'sync_results',
  idempotency: 'idempotency_keys',
  rackFences: 'rack_fences',
  conflicts: 'conflicts',
  unknownItems: 'unknown_items',
  clientErrors: 'client_errors',
  tolerance: 'tolerance_versions',
  migrations: 'migrations',
} as const;

/** Typed handles on the Store's collections in `db`. */
export function storeCollections(db: Db): Collections {
  return {
    users: db.collection<UserRecord>(COLLECTION.users),
    refreshTokens: db.collection<RefreshTokenRecord>(COLLECTION.refreshTokens),
    audit: db.collection<AuditEntry>(COLLECTION.audit),
    items: db.collection<ItemDocument>(COLLECTION.items),
    warehouses: db.collection<Warehouse>(COLLECTION.warehouses),
    meta: db.collection<MetaDocument>(COLLECTION.meta),
    sessions: db.collection<SessionRecord>(COLLECTION.sessions),
    snapshot: db.collection<SnapshotRow>(COLLECTION.snapshot),
    claims: db.collection<ClaimRecord>(COLLECTION.claims),
    lines: db.collection<CountLineDocument>(COLLECTION.lines),
    sightings: db.collection<SerialSighting>(COLLECTION.sightings),
    results: db.collection<StoredResult>(COLLECTION.results),
    idempotency: db.collection<IdempotencyDocument>(COLLECTION.idempotency),
    rackFences: db.collection<RackFenceDocument>(COLLECTION.rackFences),
    conflicts: db.collection<ConflictRecord>(COLLECTION.conflicts),
    unknownItems: db.collection<UnknownItemRecord>(COLLECTION.unknownItems),
    tolerance: db.collection<ToleranceVersionRecord>(COLLECTION.tolerance),
  };
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
