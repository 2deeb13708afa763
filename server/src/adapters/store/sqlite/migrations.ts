/**
 * Numbered schema migrations, tracked in `PRAGMA user_version`. Never edit a migration that has
 * shipped: databases in the field already ran it. Add the next number instead.
 */
import { BINS_MIGRATION } from './bins-schema';
import { BINS_LATE_MIGRATION } from './bins-late-schema';
import type { Db } from './database';
import {
  READ_MODEL_AT_COUNT_INDEX_MIGRATION,
  READ_MODEL_AT_COUNT_MIGRATION,
  READ_MODEL_AT_COUNT_RULE_MIGRATION,
  READ_MODEL_REVIEW_MIGRATION,
  READ_MODEL_SCHEMA,
  READ_MODEL_WRITERS_MIGRATION,
} from './read-model';
import { TOLERANCE_SCHEMA } from './tolerance';
import { MOVEMENTS_SCHEMA } from './movements';
import { CLOCK_SAMPLES_SCHEMA } from './clock-samples';
import { MOVED_DECISIONS_SCHEMA } from './moved-decisions';
import { BIN_BOOKS_AT_COUNT_MIGRATION } from './bin-books';
import { COUNTER_SPAN_INDEX_MIGRATION } from './read-model';
import { AT_COUNT_TOTALS_MIGRATION } from './at-count-totals';
import { CLAIM_STATES_INDEX_MIGRATION } from './claims';

export interface Migration {
  version: number;
  name: string;
  up: string;
  /** Fills new tables from existing data, in the same transaction, right after `up`. */
  build?: (db: Db) => void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL,
        warehouse TEXT,
        active INTEGER NOT NULL,
        password_hash TEXT NOT NULL,
        pin_hash TEXT,
        consecutive_failures INTEGER NOT NULL,
        failure_times TEXT NOT NULL,
        locked_until TEXT,
        hard_locked INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_login_at TEXT
      );

      CREATE TABLE refresh_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        family_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        device_id TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
      CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

      CREATE TABLE audit (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id TEXT,
        actor_username TEXT,
        actor_role TEXT,
        action TEXT NOT NULL,
        target_type TEXT,
        target_id TEXT,
        summary TEXT,
        request_id TEXT,
        ip TEXT
      );
      -- Every listing is newest first by (at, id); each filter index ends in those columns so the
      -- page comes straight off the index without a sort.
      CREATE INDEX audit_at ON audit (at, id);
      CREATE INDEX audit_actor ON audit (actor_id, at, id);
      CREATE INDEX audit_action ON audit (action, at, id);
      CREATE INDEX audit_target ON audit (target_type, target_id, at, id);

      CREATE TABLE items (
        item_code TEXT PRIMARY KEY,
        item_code_lower TEXT NOT NULL,
        name TEXT NOT NULL,
        name_lower TEXT NOT NULL,
        category TEXT,
        brand TEXT,
        supplier TEXT,
        uom TEXT NOT NULL,
        decimal_qty INTEGER NOT NULL,
        price REAL NOT NULL,
        cost REAL NOT NULL,
        serialized INTEGER NOT NULL,
        batch_tracked INTEGER NOT NULL,
        active INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX items_code_lower ON items (item_code_lower);
      CREATE INDEX items_name_lower ON items (name_lower);
      CREATE INDEX items_updated_at ON items (updated_at);

      -- One row per code: the primary key is what makes a barcode belong to exactly one item.
      CREATE TABLE item_barcodes (
        code TEXT PRIMARY KEY,
        item_code TEXT NOT NULL REFERENCES items (item_code) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        pack_qty INTEGER NOT NULL,
        position INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX item_barcodes_item ON item_barcodes (item_code, position);

      CREATE TABLE item_stock (
        item_code TEXT NOT NULL REFERENCES items (item_code) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        warehouse TEXT NOT NULL,
        rack TEXT,
        qty REAL NOT NULL,
        PRIMARY KEY (item_code, position)
      ) WITHOUT ROWID;
      CREATE INDEX item_stock_warehouse ON item_stock (warehouse, item_code);

      CREATE TABLE item_trigrams (
        tri TEXT NOT NULL,
        item_code TEXT NOT NULL REFERENCES items (item_code) ON DELETE CASCADE,
        PRIMARY KEY (tri, item_code)
      ) WITHOUT ROWID;
      CREATE INDEX item_trigrams_item ON item_trigrams (item_code);

      CREATE TABLE warehouses (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL
      );

      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'counting workflow',
    up: `
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        warehouse TEXT NOT NULL,
        name TEXT NOT NULL,
        name_lower TEXT NOT NULL,
        mode TEXT NOT NULL,
        scope TEXT NOT NULL,
        status TEXT NOT NULL,
        racks TEXT NOT NULL,
        snapshot_items INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        closed_at TEXT,
        reconciled_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX sessions_status ON sessions (status, created_at);
      CREATE INDEX sessions_warehouse ON sessions (warehouse, created_at);
      CREATE INDEX sessions_created_at ON sessions (created_at, id);

      -- The book quantities a session's variances are computed against (design §4), frozen at
      -- creation and never updated.
      CREATE TABLE session_snapshot (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        item_code TEXT NOT NULL,
        name TEXT NOT NULL,
        category TEXT,
        book_qty REAL NOT NULL,
        cost REAL NOT NULL,
        price REAL NOT NULL,
        PRIMARY KEY (session_id, item_code)
      ) WITHOUT ROWID;

      CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        rack TEXT NOT NULL,
        user_id TEXT NOT NULL,
        username TEXT NOT NULL,
        device_id TEXT,
        status TEXT NOT NULL,
        first_token INTEGER NOT NULL,
        token INTEGER NOT NULL,
        claimed_at TEXT NOT NULL,
        last_heartbeat_at TEXT NOT NULL,
        paused_at TEXT,
        completed_at TEXT,
        released_at TEXT,
        released_by TEXT
      );
      -- The fencing check reads the rack's highest token straight off this index.
      CREATE INDEX claims_rack_token ON claims (session_id, rack, token DESC);
      CREATE INDEX claims_user ON claims (session_id, user_id);

      CREATE TABLE count_lines (
        id TEXT PRIMARY KEY,
        op_id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        rack TEXT NOT NULL,
        item_code TEXT NOT NULL,
        barcode TEXT,
        counted_qty REAL NOT NULL,
        damaged_qty REAL NOT NULL,
        non_returnable_damaged_qty REAL NOT NULL,
        serials TEXT NOT NULL,
        batch_no TEXT,
        mfg_date TEXT,
        expiry_date TEXT,
        condition TEXT NOT NULL,
        variance_reason TEXT,
        variance_confirmed INTEGER NOT NULL,
        remark TEXT,
        photo_ids TEXT NOT NULL,
        supersedes TEXT,
        superseded_by TEXT,
        book_qty REAL NOT NULL,
        variance REAL NOT NULL,
        value_at_cost REAL NOT NULL,
        value_at_price REAL NOT NULL,
        status TEXT NOT NULL,
        review_reasons TEXT NOT NULL,
        reviewed_by TEXT,
        reviewed_at TEXT,
        review_note TEXT,
        counted_by TEXT NOT NULL,
        counted_by_name TEXT NOT NULL,
        device_id TEXT,
        claim_id TEXT,
        fencing_token INTEGER,
        counted_at TEXT NOT NULL,
        received_at TEXT NOT NULL
      );
      CREATE INDEX count_lines_received ON count_lines (session_id, received_at, id);
      CREATE INDEX count_lines_item ON count_lines (session_id, item_code);
      CREATE INDEX count_lines_rack ON count_lines (session_id, rack, received_at);
      -- Serves the "sessions this user counted in" filter and the repeated-count rule.
      CREATE INDEX count_lines_user ON count_lines (counted_by, session_id, item_code);

      -- Which line holds a serial within a session (design §4 DUPLICATE_SERIAL). A superseded
      -- line's rows stay, inactive, so the check only has to look at active ones.
      CREATE TABLE line_serials (
        session_id TEXT NOT NULL,
        item_code TEXT NOT NULL,
        serial TEXT NOT NULL,
        line_id TEXT NOT NULL,
        op_id TEXT NOT NULL,
        active INTEGER NOT NULL,
        PRIMARY KEY (line_id, serial)
      ) WITHOUT ROWID;
      CREATE INDEX line_serials_serial ON line_serials (session_id, item_code, serial, active);
      CREATE INDEX line_serials_op ON line_serials (op_id);

      -- A serial's life across sessions: every sighting is history, never a conflict.
      CREATE TABLE serial_sightings (
        seq INTEGER PRIMARY KEY,
        serial TEXT NOT NULL,
        item_code TEXT NOT NULL,
        session_id TEXT NOT NULL,
        rack TEXT NOT NULL,
        line_id TEXT NOT NULL,
        op_id TEXT NOT NULL,
        counted_by TEXT NOT NULL,
        counted_by_name TEXT NOT NULL,
        condition TEXT NOT NULL,
        counted_at TEXT NOT NULL
      );
      CREATE INDEX serial_sightings_serial ON serial_sightings (serial, counted_at, seq);

      CREATE TABLE sync_results (
        op_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE idempotency_keys (
        key TEXT NOT NULL,
        user_id TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        results TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (key, user_id)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

      CREATE TABLE conflicts (
        id TEXT PRIMARY KEY,
        op_id TEXT NOT NULL UNIQUE,
        session_id TEXT,
        rack TEXT,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        record TEXT NOT NULL,
        user_id TEXT NOT NULL,
        username TEXT NOT NULL,
        device_id TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        resolved_by TEXT,
        resolved_at TEXT,
        note TEXT,
        line_id TEXT
      );
      CREATE INDEX conflicts_created ON conflicts (created_at, id);
      CREATE INDEX conflicts_session ON conflicts (session_id, created_at, id);
      CREATE INDEX conflicts_status ON conflicts (status, created_at, id);

      CREATE TABLE unknown_items (
        id TEXT PRIMARY KEY,
        op_id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        rack TEXT NOT NULL,
        barcode TEXT NOT NULL,
        description TEXT NOT NULL,
        counted_qty REAL NOT NULL,
        photo_ids TEXT NOT NULL,
        remark TEXT,
        counted_by TEXT NOT NULL,
        counted_by_name TEXT NOT NULL,
        counted_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL,
        mapped_item_code TEXT,
        resolved_by TEXT,
        resolved_at TEXT
      );
      CREATE INDEX unknown_items_session ON unknown_items (session_id, status);
      CREATE INDEX unknown_items_status ON unknown_items (status, received_at);
    `,
  },
  {
    version: 3,
    name: 'evidence photos, client errors, monitoring indexes',
    up: `
      -- Photo metadata; the bytes are files named by id in the photos folder beside the database.
      CREATE TABLE photos (
        id TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_by_name TEXT NOT NULL,
        uploaded_at TEXT NOT NULL
      );

      CREATE TABLE client_errors (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        message TEXT NOT NULL,
        stack TEXT,
        url TEXT,
        app_version TEXT,
        user_agent TEXT,
        context TEXT,
        user_id TEXT,
        username TEXT,
        request_id TEXT,
        ip TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX client_errors_created ON client_errors (created_at, id);
      CREATE INDEX client_errors_source ON client_errors (source, created_at, id);

      -- Monitoring reads across sessions: open claims, and lines received since a time.
      CREATE INDEX claims_status ON claims (status);
      CREATE INDEX count_lines_received_at ON count_lines (received_at);
    `,
  },
  {
    version: 5,
    name: 'session read model (issue #13)',
    up: READ_MODEL_SCHEMA,
    // The model of existing sessions is built by READ_MODEL_REVIEW_MIGRATION below: the model's
    // rows have gained columns since, and the code that builds them writes those.
  },
  {
    version: 6,
    name: 'item search in FTS5',
    up: `
      -- Fuzzy item search (issue #13): one contentless FTS5 trigram document per item replaces one
      -- item_trigrams row per trigram, which made mirroring 100,000 items take 30-40 s. The
      -- document is item_search_text(code, name), registered by openDatabase (item-index.ts); the
      -- item code is kept beside it so a match needs no join. items.search_id is the document's
      -- rowid (an explicit column: VACUUM may renumber an implicit rowid).
      ALTER TABLE items ADD COLUMN search_id INTEGER;
      UPDATE items SET search_id = rowid;
      CREATE VIRTUAL TABLE item_search USING fts5 (
        item_code UNINDEXED, doc, tokenize = 'trigram', detail = 'none',
        content = '', contentless_delete = 1, contentless_unindexed = 1
      );
      INSERT INTO item_search (rowid, item_code, doc)
        SELECT search_id, item_code, item_search_text(item_code, name) FROM items;
      DROP TABLE item_trigrams;
    `,
  },
  {
    version: 7,
    name: 'count lines by status',
    up: `
      -- Phones ask for their recount tasks every heartbeat (issue #14): lines of one session in
      -- one status, without reading the session's other lines.
      CREATE INDEX count_lines_status ON count_lines (session_id, status);
    `,
  },
  {
    version: 8,
    name: 'variances sorted by index',
    up: `
      -- GET /sessions/:id/variances sorts 50,000 items by |variance| or |value| (issue #13): with
      -- these, a page reads its rows in order and stops instead of sorting every item.
      CREATE INDEX rm_items_abs_variance ON rm_items (session_id, abs(variance_m) DESC, item_code);
      CREATE INDEX rm_items_abs_value ON rm_items (session_id, abs(cost_c) DESC, item_code);
    `,
  },
  {
    version: 9,
    name: 'tolerance rule table versions (issue #16)',
    up: TOLERANCE_SCHEMA,
  },
  {
    version: 10,
    name: 'tolerance decision on count lines (issue #16)',
    up: `
      -- The tolerance rule that decided a line and what it decided (design §12), as JSON; NULL on
      -- lines from before rule sets.
      ALTER TABLE count_lines ADD COLUMN tolerance TEXT;
    `,
  },
  {
    version: 11,
    // user_activity's lines written and overturned per counter, kept with the line writes (issue
    // #13); filled from every line in one pass (about 1 s at 250,000 lines).
    ...READ_MODEL_WRITERS_MIGRATION,
  },
  { version: 12, ...READ_MODEL_REVIEW_MIGRATION },
  { version: 13, ...BINS_MIGRATION },
  {
    version: 14,
    name: 'count lines without the received_at index (issue #13)',
    up: `
      -- Every line write keeps each index of count_lines. count_lines_received_at served the KPIs'
      -- "lines received today" across sessions, which read the read model's days (rm_days) now;
      -- no query of the store needs it (line-indexes.test.ts asks SQLite for every plan).
      DROP INDEX IF EXISTS count_lines_received_at;
    `,
  },
  {
    version: 15,
    name: 'ERP movements and the session watermark (issue #17)',
    up: MOVEMENTS_SCHEMA,
  },
  {
    version: 16,
    name: 'device clock samples (issue #17)',
    up: CLOCK_SAMPLES_SCHEMA,
  },
  {
    version: 17,
    name: 'split rack claims (issue #16, docs/design.md §12 "Split bins")',
    // Every claim before it was whole. The lines' fencing check compares tokens (split claims
    // held together share one), so it reads the rack's claims by token, as claims_rack_token has.
    up: `ALTER TABLE claims ADD COLUMN split INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 18,
    name: 'decisions for moved items (issue #17)',
    up: MOVED_DECISIONS_SCHEMA,
  },
  {
    version: 19,
    name: 'sessions get erp_watermark_high (issue #17)',
    up: `
      -- The ledger watermark read after the snapshot's stock (design §3, §13): movements after
      -- erp_watermark up to it were posted while the stock was read. Null: unknown (sessions from
      -- before, or no ledger).
      ALTER TABLE sessions ADD COLUMN erp_watermark_high TEXT;
    `,
  },
  {
    version: 20,
    name: "a bin's book: the snapshot per rack (docs/design.md §4)",
    up: `
      -- The book of an item per rack of the session's snapshot, when the ERP lists all of the
      -- item's stock in scope by rack; frozen at creation. Sessions from before have no rows: no
      -- rack-level book, their bins are judged on the item's whole book as before.
      CREATE TABLE snapshot_bins (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        item_code TEXT NOT NULL,
        rack TEXT NOT NULL,
        qty REAL NOT NULL,
        PRIMARY KEY (session_id, item_code, rack)
      ) WITHOUT ROWID;
    `,
  },
  // Expected at count per item in the read model, and the items waiting for it (issue #17,
  // docs/design.md §13).
  { version: 21, ...READ_MODEL_AT_COUNT_MIGRATION },
  // The tolerance rule on the variance at count; builds the model of sessions from before the
  // model (was migration 12's build: the build writes every column this code knows).
  { version: 22, ...READ_MODEL_AT_COUNT_RULE_MIGRATION },
  // The variance_at_count orders' indexes hold only items with one (a line write leaves none).
  { version: 23, ...READ_MODEL_AT_COUNT_INDEX_MIGRATION },
  // Bins keep their late counts and the acknowledged ones (issue #16, docs/design.md §11).
  { version: 24, ...BINS_LATE_MIGRATION },
  // Bins judged on their book at count (issue #17, docs/design.md §13 "Bins judged at count").
  { version: 25, ...BIN_BOOKS_AT_COUNT_MIGRATION },
  // A counter's span of counts from the lines that count, covering (design §10, issue #13).
  { version: 26, ...COUNTER_SPAN_INDEX_MIGRATION },
  // A session's figures at count kept by triggers on its items (design §10, issue #13).
  { version: 27, ...AT_COUNT_TOTALS_MIGRATION },
  // A session's claim states newest first, covering: the rack map and its progress (issue #13).
  { version: 28, ...CLAIM_STATES_INDEX_MIGRATION },
];

/** Applies every migration newer than the database, all in one write transaction. */
export function migrate(db: Db, all: readonly Migration[] = migrations): void {
  const latest = all.reduce((max, m) => Math.max(max, m.version), 0);
  // IMMEDIATE takes the write lock before reading the version, so two processes starting together
  // cannot both decide to run the same migration.
  db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    if (current > latest) {
      throw new Error(
        `database schema version ${current} is newer than this server knows (${latest}); upgrade the server`,
      );
    }
    for (const m of [...all].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      db.exec(m.up);
      m.build?.(db);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
