import Dexie from 'dexie';
import type { DexieOptions, Table } from 'dexie';
import type { RackState, RecountTask, SyncRecord, TokenPair } from '@stockverify/shared';

/**
 * The phone's own data: the outbox (every count not yet known to the server), photos waiting for
 * upload, active rack claims, who signed in here, settings. Losing any of it loses work, so every
 * transaction asks for `strict` durability (style "Pitfalls": Chromium defaults to relaxed).
 *
 * Primary keys are chosen for life (style "Front ends"): `op_id` is made on the phone before the
 * server ever sees a record. Every schema change adds a version and keeps the old declarations.
 */
export const DEVICE_DB_NAME = 'stockverify-device';

export type OutboxStatus = 'pending' | 'synced' | 'conflict' | 'error';

/** What the server answered for a record (api.md "Racks and counting"), kept for the sync screen. */
export interface OutboxResult {
  code: string | null;
  message: string;
  details: Array<{ path: string; message: string }>;
  line_id: string | null;
  variance?: number | null;
}

/** One action waiting for (or done with) the server. `record` is sent exactly as stored. */
export interface OutboxEntry {
  op_id: string;
  user_id: string;
  session_id: string | null;
  rack: string | null;
  record: SyncRecord;
  /** One line a person can read on the sync screen ("Hammer 500 g · 7 pcs"). */
  summary: string;
  status: OutboxStatus;
  created_at: string;
  updated_at: string;
  /** Sync attempts that reached no verdict (network, 5xx); shown, never a reason to drop. */
  attempts: number;
  result: OutboxResult | null;
  synced_at: string | null;
}

/** A photo taken on the phone; `server_id` once `POST /photos` stored it. */
export interface PhotoEntry {
  id: string;
  op_id: string;
  blob: Blob;
  content_type: string;
  server_id: string | null;
  created_at: string;
}

/** A rack this phone holds, so an offline reload still knows the fencing token. */
export interface ClaimEntry {
  session_id: string;
  rack: string;
  user_id: string;
  claim_id: string;
  fencing_token: number;
  lock_expires_at: string;
  status: 'active' | 'paused' | 'completing';
  claimed_at: string;
  /** The session as the phone last saw it (mode decides what the count form shows). */
  session?: ClaimSession;
}

/** What the phone keeps of a session alongside a claim (not indexed: no schema change). */
export interface ClaimSession {
  id: string;
  warehouse: string;
  name: string;
  mode: 'standard' | 'blind' | 'strict';
  status: 'OPEN' | 'CLOSED' | 'RECONCILED';
  racks: string[];
  created_at: string;
}

/**
 * A recount task the server gave this counter (issue #16, docs/design.md §11), kept on the phone
 * so it can be done offline. Rows belong to the user they were fetched for: on a shared phone two
 * counters may both be offered the same task. Nothing here anchors the count: the task carries no
 * quantity and no earlier counter.
 */
export interface RecountTaskEntry extends RecountTask {
  user_id: string;
  /** When this phone first had the task: a task never seen before earns a notice. */
  received_at: string;
  /** When the server last listed it. */
  fetched_at: string;
}

/** Someone who signed in on this phone: offered for quick PIN sign-in. */
export interface RecentUser {
  username: string;
  full_name: string;
  has_pin: boolean;
  last_used_at: string;
}

/** Small values by key: the signed-in session, settings, the device id. */
export type MetaEntry =
  | { key: 'auth'; value: StoredAuth }
  | { key: 'device_id'; value: string }
  | { key: 'settings'; value: Partial<PhoneSettings> }
  | { key: 'sessions'; value: ClaimSession[] }
  /** The screen the signed-in counter is on, so a reload (even offline) reopens it. */
  | { key: 'place'; value: { user_id: string; session_id: string; rack: string | null } }
  /** Each session's rack list as last seen, for the rack screen offline. */
  | { key: `racks:${string}`; value: CachedRackList };

export interface CachedRackList {
  saved_at: string;
  racks: CachedRack[];
}

/** A rack as the rack list last showed it (the fields the screen needs, nothing more). */
export interface CachedRack {
  code: string;
  floor: string;
  location_barcode: string | null;
  state: RackState;
  claimant: { user_id: string; username: string } | null;
  /** Held split (counted in parts, docs/design.md §12 "Split claims"); absent in older lists. */
  split?: boolean;
  /** Everyone holding it (each part's counter when split); absent in older lists. */
  holders?: { user_id: string; username: string }[];
  lines: number;
}

export interface StoredAuth {
  tokens: TokenPair;
  /** When the access token stops working (device clock). */
  access_expires_at: string;
}

export interface PhoneSettings {
  idleLogoutMinutes: number;
  /** Identical camera reads needed before a code is accepted. */
  confirmReads: number;
  confirmWindowMs: number;
  sound: boolean;
  vibrate: boolean;
}

export const DEFAULT_SETTINGS: PhoneSettings = {
  idleLogoutMinutes: 30,
  confirmReads: 2,
  confirmWindowMs: 2000,
  sound: true,
  vibrate: true,
};

/**
 * Version history. v1 shipped the outbox and key/value meta; v2 added photos, claims, recent users
 * and the per-record `attempts` counter (filled in for v1 rows by the upgrade); v3 adds the recount
 * tasks (a new table: nothing older changes).
 */
export const DEVICE_DB_VERSIONS = {
  1: {
    outbox: '&op_id, status, [user_id+status], created_at',
    meta: '&key',
  },
  2: {
    outbox: '&op_id, status, [user_id+status], created_at, [session_id+rack]',
    meta: '&key',
    photos: '&id, op_id',
    claims: '&[session_id+rack], user_id',
    recentUsers: '&username, last_used_at',
  },
  3: {
    outbox: '&op_id, status, [user_id+status], created_at, [session_id+rack]',
    meta: '&key',
    photos: '&id, op_id',
    claims: '&[session_id+rack], user_id',
    recentUsers: '&username, last_used_at',
    recountTasks: '&[user_id+task_id], [user_id+session_id]',
  },
} as const;

/** The v1 outbox row, as the v2 upgrade found it (upgrades carry their own shapes). */
interface OutboxEntryV1 {
  op_id: string;
  user_id: string;
  session_id: string | null;
  rack: string | null;
  record: SyncRecord;
  summary: string;
  status: OutboxStatus;
  created_at: string;
  updated_at: string;
  result: OutboxResult | null;
  synced_at: string | null;
}

export class DeviceDb extends Dexie {
  outbox!: Table<OutboxEntry, string>;
  meta!: Table<MetaEntry, string>;
  photos!: Table<PhotoEntry, string>;
  claims!: Table<ClaimEntry, [string, string]>;
  recentUsers!: Table<RecentUser, string>;
  recountTasks!: Table<RecountTaskEntry, [string, string]>;

  constructor(name = DEVICE_DB_NAME, options: DexieOptions = {}) {
    super(name, { chromeTransactionDurability: 'strict', ...options });
    this.version(1).stores(DEVICE_DB_VERSIONS[1]);
    this.version(2)
      .stores(DEVICE_DB_VERSIONS[2])
      .upgrade((tx) =>
        tx
          .table<OutboxEntryV1 & { attempts?: number }, string>('outbox')
          .toCollection()
          .modify((row) => {
            row.attempts = 0;
          }),
      );
    this.version(3).stores(DEVICE_DB_VERSIONS[3]);
  }
}
