/**
 * Store port: all operational data (design §3). Two adapters implement it — sqlite (embedded
 * default) and mongodb (production) — and one contract suite (test/contract/store.contract.test.ts)
 * runs against both. Services depend on this interface only, never on a driver.
 */
import type { AuditEntry, Item, ItemBarcode, Role, Warehouse } from '@stockverify/shared';
import type {
  ClaimRepo,
  ConflictRepo,
  IdempotencyRepo,
  LineRepo,
  ResultRepo,
  SessionRepo,
  UnknownItemRepo,
} from './counting';
import type { ClientErrorRepo, MonitoringRepo, PhotoRepo } from './evidence';
import type { ReadModelRepo } from './read-model';
import type { ReportSource } from './reports';
import type { ToleranceRepo } from './tolerance';
import type { VarianceRepo } from './variances';
import type { MovementRepo } from './movements';
import type { ClockSampleRepo, ItemLineReads } from './clock-samples';
import type { BinRepo, RecountTaskRepo } from './bins';
import type { BinBookRepo } from './bin-books';
import type { MovedDecisionRepo } from './moved-decisions';
import type { HintFactReads } from './hint-facts';

/** A user with its secrets and lockout state, as stored. Never sent to clients as is. */
export interface UserRecord {
  id: string;
  /** Lower-case, unique. */
  username: string;
  full_name: string;
  role: Role;
  warehouse: string | null;
  active: boolean;
  password_hash: string;
  pin_hash: string | null;
  /** Failed logins since the last success (design §6 lockout). */
  consecutive_failures: number;
  /** ISO times of failed logins in the last 24 h, oldest first. */
  failure_times: string[];
  /** While in the future, logins answer 423 with Retry-After. */
  locked_until: string | null;
  /** Set after 10 failures in 24 h; only a supervisor's unlock clears it. */
  hard_locked: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export type UserPatch = Partial<Omit<UserRecord, 'id' | 'username' | 'created_at'>>;

export interface UserListQuery {
  page: number;
  page_size: number;
  role?: Role;
  /** Case-insensitive substring of username or full name. */
  q?: string;
  active?: boolean;
}

/** One refresh token of a rotation family; only its SHA-256 hash is stored. */
export interface RefreshTokenRecord {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  device_id: string | null;
  created_at: string;
  expires_at: string;
  /** Set once when the token is exchanged; a second exchange is a replay. */
  used_at: string | null;
  revoked_at: string | null;
}

/**
 * One audit-trail entry (design §4 "Audit trail"), append-only: stored as `GET /admin/audit`
 * answers it, so its shape is declared once, in shared.
 */
export type { AuditEntry };

export interface AuditQuery {
  page: number;
  page_size: number;
  actor_id?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
  /** Inclusive lower bound on `at` (ISO). */
  from?: string;
  /** Exclusive upper bound on `at` (ISO). */
  to?: string;
}

export interface Paged<T> {
  items: T[];
  total: number;
}

export interface BarcodeMatch {
  item: Item;
  barcode: ItemBarcode;
}

export interface FuzzyCandidate {
  item: Item;
  /** How many distinct trigrams of the query the item's code or name shares. */
  shared: number;
}

export interface ItemListQuery {
  /** Only items with a stock row in this warehouse. */
  warehouse?: string;
  /** Only items with `updated_at` strictly after this ISO time. */
  since?: string;
  /** Keyset cursor: only items whose item_code sorts after this one. */
  after?: string;
  limit: number;
}

export interface UserRepo {
  /** Throws StoreConflictError('username') when the username is taken. */
  create(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | null>;
  getByUsername(username: string): Promise<UserRecord | null>;
  /** Sorted by username. */
  list(query: UserListQuery): Promise<Paged<UserRecord>>;
  /** Applies the patch and returns the updated record, or null if there is no such user. */
  update(id: string, patch: UserPatch): Promise<UserRecord | null>;
  count(): Promise<number>;
}

export interface RefreshTokenRepo {
  insert(token: RefreshTokenRecord): Promise<void>;
  getByHash(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Marks the token used, atomically: true only for the one caller that changed `used_at` from
   * null (and only while not revoked), so two racing refreshes cannot both rotate.
   */
  consume(id: string, at: string): Promise<boolean>;
  /** Revokes every not-yet-revoked token of the family; returns how many. */
  revokeFamily(familyId: string, at: string): Promise<number>;
  /** Revokes every not-yet-revoked token of the user; returns how many. */
  revokeUser(userId: string, at: string): Promise<number>;
  /** Deletes tokens that expired before `before`; returns how many. */
  deleteExpired(before: string): Promise<number>;
}

export interface AuditRepo {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first (by `at`, then id). */
  list(query: AuditQuery): Promise<Paged<AuditEntry>>;
}

export interface ItemRepo {
  /** Inserts or replaces items by item_code (barcodes and stock rows replaced whole). */
  upsertMany(items: readonly Item[]): Promise<{ inserted: number; updated: number }>;
  get(itemCode: string): Promise<Item | null>;
  getMany(itemCodes: readonly string[]): Promise<Item[]>;
  /** Exact match on any barcode (primary, manual or pack) of any item. */
  findByBarcode(code: string): Promise<BarcodeMatch | null>;
  /** `findByBarcode` for many codes at once (near-miss suggestions); matches in no set order. */
  findByBarcodes(codes: readonly string[]): Promise<BarcodeMatch[]>;
  /** Items whose item_code or name starts with `prefix` (case-insensitive), by item_code. */
  searchPrefix(prefix: string, limit: number): Promise<Item[]>;
  /**
   * Items sharing trigrams (lib/text.ts `trigrams`) with the query in their code or name, most
   * shared first. The service re-ranks them; this only has to find good candidates fast.
   */
  fuzzyCandidates(queryTrigrams: readonly string[], limit: number): Promise<FuzzyCandidate[]>;
  /** Keyset-paged listing by item_code for offline export and sync. */
  list(query: ItemListQuery): Promise<Item[]>;
  count(): Promise<number>;
  /**
   * Optional (issue #13): a full items pass is about to fill an empty mirror. The adapter may stop
   * keeping some indexes row by row and build them once in `finish`; every read stays correct
   * meanwhile, only slower. Null when the mirror is not empty (the pass writes as usual).
   */
  beginFirstMirror?(): Promise<FirstMirror | null>;
}

/** A first mirror under way (ItemRepo.beginFirstMirror); `finish` once, whether it worked or not. */
export interface FirstMirror {
  finish(): Promise<void>;
}

export interface LocationRepo {
  /** Inserts or replaces warehouses by id (floors and racks replaced whole). */
  upsertWarehouses(warehouses: readonly Warehouse[]): Promise<void>;
  listWarehouses(): Promise<Warehouse[]>;
  getWarehouse(id: string): Promise<Warehouse | null>;
}

export interface MetaRepo {
  /** Small JSON settings and status documents (ERP status, schema facts). */
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  /** Runs migrations / creates indexes. Idempotent. */
  init(): Promise<void>;
  /** Cheap round trip to prove the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly users: UserRepo;
  readonly refreshTokens: RefreshTokenRepo;
  readonly audit: AuditRepo;
  readonly items: ItemRepo;
  readonly locations: LocationRepo;
  readonly meta: MetaRepo;
  readonly sessions: SessionRepo;
  readonly claims: ClaimRepo;
  readonly lines: LineRepo;
  readonly results: ResultRepo;
  readonly idempotency: IdempotencyRepo;
  readonly conflicts: ConflictRepo;
  readonly unknownItems: UnknownItemRepo;
  readonly photos: PhotoRepo;
  readonly clientErrors: ClientErrorRepo;
  readonly monitoring: MonitoringRepo;
  /** Report rows aggregated in the store (issue #6). */
  readonly reports: ReportSource;
  /** Paged, sorted, filtered per-item variances of a session (issue #13). */
  readonly variances: VarianceRepo;
  /** Per-session figures kept with the line writes (issue #13). */
  readonly readModel: ReadModelRepo;
  /** Versions of the tolerance rule table (issue #16). */
  readonly tolerance: ToleranceRepo;
  /** ERP stock movements pulled from the source's ledger, and where the pull stands (issue #17). */
  readonly movements: MovementRepo;
  /** Device clock samples from sync requests (issue #17, design §13). */
  readonly clockSamples: ClockSampleRepo;
  /** An item's lines in a session that count (expected at count, issue #17). */
  readonly itemLines: ItemLineReads;
  /** Bins settled by consensus, and their supervisor decisions (issue #16). */
  readonly bins: BinRepo;
  /** Recount tasks offered to counters (issue #16). */
  readonly recountTasks: RecountTaskRepo;
  /** Bins judged on their book at count, and that book (issue #17, design §13). */
  readonly binBooks: BinBookRepo;
  /** Keep counted / keep the difference for items that moved after they were counted (issue #17). */
  readonly movedDecisions: MovedDecisionRepo;
  /** Serial sightings, earlier sessions' variances and counted racks for the root-cause hints (issue #17). */
  readonly hintFacts: HintFactReads;
}

/** A uniqueness rule was broken; `field` names it (e.g. 'username'). */
export class StoreConflictError extends Error {
  constructor(readonly field: string) {
    super(`${field} already exists`);
    this.name = 'StoreConflictError';
  }
}
