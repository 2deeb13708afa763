/**
 * Numbered schema migrations, tracked in `PRAGMA user_version`. Never edit a migration that has
 * shipped: databases in the field already ran it. Add the next number instead.
 */
import type { Db } from './database';

export interface Migration {
  version: number;
  name: string;
  up: string;
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
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
