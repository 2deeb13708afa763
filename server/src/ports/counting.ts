/**
 * Store repositories of the counting workflow (issue #3, design §4–§5): sessions with their
 * book-quantity snapshot, rack claims, count lines with fencing, per-op results, batch
 * idempotency keys, conflicts and unknown items. Both Store adapters implement every method.
 */
import type {
  ClaimStatus,
  CountSession,
  LineAtCountFilter,
  LineStatus,
  LineTolerance,
  ListSessionsQuery,
  RecordResult,
  SessionStatus,
  UNKNOWN_ITEM_STATUSES,
  UnknownItem,
} from '@stockverify/shared';
import type { Paged } from './store';

export type SessionRecord = CountSession;

/** Book quantity of one item in a session's scope, frozen at creation with its cost and price. */
export interface SnapshotRow {
  session_id: string;
  item_code: string;
  name: string;
  category: string | null;
  book_qty: number;
  cost: number;
  price: number;
}

/** The book of one item in one rack of a session's snapshot (docs/design.md §4 "A bin's book"). */
export interface SnapshotRack {
  rack: string;
  qty: number;
}

/**
 * A snapshot row as the session is created: `racks` is the item's book per rack when the ERP
 * lists all of the item's stock in scope by rack; absent or null when it does not.
 */
export interface SnapshotRowInput extends SnapshotRow {
  racks?: readonly SnapshotRack[] | null;
}

export interface SessionRepo {
  /** Stores the session and its snapshot together (one transaction where the store has them). */
  create(session: SessionRecord, snapshot: readonly SnapshotRowInput[]): Promise<void>;
  get(id: string): Promise<SessionRecord | null>;
  /** `staff` keeps sessions with a line counted by that user id. */
  list(query: ListSessionsQuery): Promise<Paged<SessionRecord>>;
  /**
   * Compare-and-set on status: moves the session to `to` (applying `patch`) only if its status is
   * one of `from`. Returns the updated session, or null when it was not in `from` (or is missing).
   */
  transition(
    id: string,
    from: readonly SessionStatus[],
    to: SessionStatus,
    patch: Partial<Pick<SessionRecord, 'closed_at' | 'reconciled_at' | 'updated_at'>>,
  ): Promise<SessionRecord | null>;
  snapshotRow(sessionId: string, itemCode: string): Promise<SnapshotRow | null>;
  snapshotRows(sessionId: string): Promise<SnapshotRow[]>;
  /**
   * The book per rack of the session's items whose snapshot knows their racks, by item code
   * (`itemCodes`: only those; omitted: every item). An item absent has no rack-level book (the
   * ERP gave none, or the session is from before rack-level books).
   */
  snapshotRacks(
    sessionId: string,
    itemCodes?: readonly string[],
  ): Promise<Map<string, SnapshotRack[]>>;
}

/** One staff member's hold on one rack of a session (design §4 "Rack claim"). */
export interface ClaimRecord {
  id: string;
  session_id: string;
  rack: string;
  user_id: string;
  username: string;
  device_id: string | null;
  status: ClaimStatus;
  /** The claim's fencing tokens run from first_token to token: a re-acquire after a lapse within
   * the grace period keeps the claim and raises `token`. */
  first_token: number;
  token: number;
  claimed_at: string;
  last_heartbeat_at: string;
  paused_at: string | null;
  completed_at: string | null;
  /** When it was released (by the user, a supervisor, or by expiry past the grace period). */
  released_at: string | null;
  released_by: string | null;
  /**
   * A split claim: a part of the rack, held beside other counters' split claims, whose counts add
   * up (docs/design.md §12 "Split bins"). The split claims held together share the rack lock
   * and its fencing token; a whole claim and a split one exclude each other. Fixed at insert.
   */
  split: boolean;
}

export type ClaimPatch = Partial<
  Omit<
    ClaimRecord,
    'id' | 'session_id' | 'rack' | 'user_id' | 'claimed_at' | 'first_token' | 'split'
  >
>;

/** A claim as the rack map and rack progress read it (`ClaimRepo.listStates`). */
export type ClaimState = Pick<
  ClaimRecord,
  | 'rack'
  | 'user_id'
  | 'username'
  | 'status'
  | 'token'
  | 'split'
  | 'last_heartbeat_at'
  | 'completed_at'
>;

export interface ClaimRepo {
  insert(claim: ClaimRecord): Promise<void>;
  get(id: string): Promise<ClaimRecord | null>;
  /**
   * The newest claim of a rack in a session (highest token, then the latest claimed), whatever its
   * status. Split claims held together share a token (docs/design.md §12 "Split bins").
   */
  latest(sessionId: string, rack: string): Promise<ClaimRecord | null>;
  /** Every claim of a session, newest first. */
  listBySession(sessionId: string): Promise<ClaimRecord[]>;
  /**
   * What the rack map and the session's progress read of every claim of a session, in
   * `listBySession`'s order: eight fields, not sixteen (issue #13: at 1,000 racks the whole
   * claims cost session detail most of its time).
   */
  listStates(sessionId: string): Promise<ClaimState[]>;
  /**
   * The rack's claims in `active` or `paused` status (every split part, or the one whole claim),
   * in `listBySession`'s order: a keyed read, not the session's every claim.
   */
  listOpenOnRack(sessionId: string, rack: string): Promise<ClaimRecord[]>;
  /** The user's claims in `active` or `paused` status in a session. */
  listOpenByUser(sessionId: string, userId: string): Promise<ClaimRecord[]>;
  update(id: string, patch: ClaimPatch): Promise<ClaimRecord | null>;
}

/** A stored count line: the immutable event of design §4, plus its review state. */
export interface CountLineRecord {
  id: string;
  op_id: string;
  session_id: string;
  rack: string;
  item_code: string;
  barcode: string | null;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  /** Normalised (trimmed, upper-case). */
  serials: string[];
  batch_no: string | null;
  mfg_date: string | null;
  expiry_date: string | null;
  condition: string;
  variance_reason: string | null;
  variance_confirmed: boolean;
  remark: string | null;
  photo_ids: string[];
  /** op_id of the line this one corrects. */
  supersedes: string | null;
  /** op_id of the line that corrected this one; a superseded line no longer counts. */
  superseded_by: string | null;
  book_qty: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  status: LineStatus;
  review_reasons: string[];
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_note: string | null;
  counted_by: string;
  counted_by_name: string;
  device_id: string | null;
  /** Null for a line a supervisor accepted from a conflict. */
  claim_id: string | null;
  fencing_token: number | null;
  counted_at: string;
  received_at: string;
  /**
   * 0 = a first count; k = a count of the bin's k-th recount phase (design §12), derived by the
   * server from the recount task the line answers (a phone never sets it).
   */
  phase: number;
  /** The recount task this line answers, or null. */
  recount_task_id: string | null;
  /**
   * The tolerance rule that decided the line and what it decided (design §12), set when the line
   * is built; absent on lines from before rule sets (a store reads a missing one as absent).
   */
  tolerance?: LineTolerance | null;
}

export type InsertLineOutcome =
  | { ok: true; line: CountLineRecord }
  | { ok: false; reason: 'DUPLICATE_OP'; existing: CountLineRecord }
  /** The rack's newest claim is not the line's claim: someone re-claimed it (design §4 fencing). */
  | { ok: false; reason: 'STALE_TOKEN'; current_claim_id: string | null }
  /** One of the serials is on another counting line of the same item in the session. */
  | { ok: false; reason: 'DUPLICATE_SERIAL'; serial: string; other_op_id: string }
  /** `supersedes` names no line of this session, rack and item. */
  | { ok: false; reason: 'SUPERSEDES_UNKNOWN' };

export interface LineListQuery {
  page: number;
  page_size: number;
  status?: LineStatus;
  rack?: string;
  has_variance?: boolean;
  /** Include superseded lines (default: only lines that still count). */
  include_superseded?: boolean;
  /**
   * Only lines whose item stands so at count in the read model (shared `lineAtCountClass`,
   * docs/design.md §13): in the query, so the total counts every match.
   */
  at_count?: LineAtCountFilter;
}

/**
 * Per-item aggregation of a session's counting lines (superseded, rejected and candidate lines
 * excluded).
 */
export interface ItemVariance {
  item_code: string;
  name: string;
  category: string | null;
  book_qty: number;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  lines: number;
  racks: string[];
}

/** One bin's counting lines summed (LineRepo.bins). */
export interface BinSum {
  item_code: string;
  rack: string;
  /** Σ (counted − non-returnable damaged) over the bin's lines that count. */
  counted: number;
  book_qty: number;
}

export interface SerialSighting {
  serial: string;
  item_code: string;
  session_id: string;
  rack: string;
  line_id: string;
  op_id: string;
  counted_by: string;
  counted_by_name: string;
  condition: string;
  counted_at: string;
}

/** Per session and counter: what their lines that still count add up to (analytics, metrics). */
export interface CounterStats {
  session_id: string;
  user_id: string;
  username: string;
  lines: number;
  items: number;
  /** Σ|line variance| and Σ|line book quantity|: line-level (first-count) accuracy. */
  abs_variance: number;
  abs_book: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  first_counted_at: string;
  last_counted_at: string;
}

export interface StatsQuery {
  /** Only these sessions (all when omitted). */
  session_ids?: readonly string[];
  /** counted_at bounds: from inclusive, to exclusive (ISO, UTC). */
  from?: string;
  to?: string;
}

export interface LineRepo {
  /**
   * Stores a line atomically with every check that must not race: op_id unique; when `claim_id`
   * is set, that claim must hold the rack's newest token (fencing; split claims held together
   * share it, docs/design.md §12 "Split bins"); no serial of the line on another
   * line of the same item and session that still counts (superseded and rejected lines, and the
   * one being superseded, excepted); `supersedes` must name a line of the same session, rack and
   * item that is not superseded yet (else SUPERSEDES_UNKNOWN), which is then marked superseded.
   * Serial sightings are recorded with the line.
   */
  insert(line: CountLineRecord): Promise<InsertLineOutcome>;
  /**
   * `insert` for each line in order, as one transaction where the store has them (a sync batch
   * commits once); each line sees the ones before it. One outcome per line, in order.
   */
  insertMany(lines: readonly CountLineRecord[]): Promise<InsertLineOutcome[]>;
  get(id: string): Promise<CountLineRecord | null>;
  getByOpId(opId: string): Promise<CountLineRecord | null>;
  /**
   * The lines of these op_ids, in no set order; an unknown id is left out. One read for a page's
   * worth (the lines page shows the line each correction replaced: 100 point reads before).
   */
  getManyByOpId(opIds: readonly string[]): Promise<CountLineRecord[]>;
  /** Newest first. */
  list(sessionId: string, query: LineListQuery): Promise<Paged<CountLineRecord>>;
  /** Sets review fields; returns the updated line. */
  review(
    id: string,
    patch: Pick<CountLineRecord, 'status' | 'reviewed_by' | 'reviewed_at' | 'review_note'>,
  ): Promise<CountLineRecord | null>;
  /** Per-item sums over lines that count (not superseded, REJECTED or CANDIDATE), by item_code. */
  variances(sessionId: string): Promise<ItemVariance[]>;
  /**
   * Per bin (item in rack) over lines that count: counted less written-off damage, and the
   * item's book; in one read, ordered by item then rack.
   */
  bins(sessionId: string): Promise<BinSum[]>;
  /** Every sighting of a serial across sessions, oldest first. */
  sightings(serial: string): Promise<SerialSighting[]>;
  /** Per (session, counter) sums over lines that still count, ordered by session then user. */
  stats(query: StatsQuery): Promise<CounterStats[]>;
  /** Lines of one user and item in one session that still count (for the repeated-count rule). */
  countByUserAndItem(sessionId: string, userId: string, itemCode: string): Promise<number>;
}

/** The stored answer for an op_id, returned again on any replay (exactly-once). */
export interface StoredResult {
  op_id: string;
  user_id: string;
  result: RecordResult;
  created_at: string;
}

export interface ResultRepo {
  /** Stores the result unless one exists for the op_id; returns the stored one either way. */
  putIfAbsent(result: StoredResult): Promise<StoredResult>;
  /** putIfAbsent for each, in one transaction where the store has them; the stored ones, in order. */
  putManyIfAbsent(results: readonly StoredResult[]): Promise<StoredResult[]>;
  get(opId: string): Promise<StoredResult | null>;
}

/** A finished sync batch, kept ≥ 30 days so a replay returns the same results. */
export interface IdempotencyRecord {
  key: string;
  user_id: string;
  request_hash: string;
  results: RecordResult[];
  created_at: string;
}

export interface IdempotencyRepo {
  get(key: string, userId: string): Promise<IdempotencyRecord | null>;
  /** Stores unless present (first finisher wins); returns the stored record. */
  putIfAbsent(record: IdempotencyRecord): Promise<IdempotencyRecord>;
  deleteOlderThan(before: string): Promise<number>;
}

export type ConflictStatus = 'OPEN' | 'ACCEPTED' | 'DISCARDED';

/** A record the server could not take as it was; kept for a supervisor (nothing is dropped). */
export interface ConflictRecord {
  id: string;
  op_id: string;
  session_id: string | null;
  rack: string | null;
  code: string;
  message: string;
  /** The record as the phone sent it. */
  record: Record<string, unknown>;
  user_id: string;
  username: string;
  device_id: string | null;
  created_at: string;
  status: ConflictStatus;
  resolved_by: string | null;
  resolved_at: string | null;
  note: string | null;
  /** The line made when a supervisor accepted it. */
  line_id: string | null;
}

export interface ConflictRepo {
  /** Stores unless a conflict with the same op_id exists; returns the stored one. */
  insertIfAbsent(conflict: ConflictRecord): Promise<ConflictRecord>;
  get(id: string): Promise<ConflictRecord | null>;
  /** Newest first. */
  list(query: {
    page: number;
    page_size: number;
    session?: string;
    status?: ConflictStatus;
  }): Promise<Paged<ConflictRecord>>;
  /** Compare-and-set from OPEN; null when already resolved. */
  resolve(
    id: string,
    patch: Pick<ConflictRecord, 'status' | 'resolved_by' | 'resolved_at' | 'note' | 'line_id'>,
  ): Promise<ConflictRecord | null>;
  /** OPEN conflicts one user stored in one session (the per-user budget, issue #12). */
  countOpenByUser(sessionId: string, userId: string): Promise<number>;
}

export type UnknownItemStatus = (typeof UNKNOWN_ITEM_STATUSES)[number];

/** A stored unknown item: the answer of `GET /unknown-items` and when the server received it. */
export type UnknownItemRecord = UnknownItem & { received_at: string };

export interface UnknownItemRepo {
  /** Stores unless the op_id exists; returns the stored record. */
  insertIfAbsent(item: UnknownItemRecord): Promise<UnknownItemRecord>;
  get(id: string): Promise<UnknownItemRecord | null>;
  list(query: {
    page: number;
    page_size: number;
    session?: string;
    status?: UnknownItemStatus;
  }): Promise<Paged<UnknownItemRecord>>;
  /** Compare-and-set from OPEN. */
  resolve(
    id: string,
    patch: Pick<UnknownItemRecord, 'status' | 'mapped_item_code' | 'resolved_by' | 'resolved_at'>,
  ): Promise<UnknownItemRecord | null>;
  countOpen(sessionId: string): Promise<number>;
  /** OPEN unknown items one user reported in one session (the per-user budget, issue #12). */
  countOpenByUser(sessionId: string, userId: string): Promise<number>;
}
