/** The MongoDB collections of the Store, their document shapes and their indexes. */
import type { Item, Warehouse } from '@stockverify/shared';
import type { Collection, Db } from 'mongodb';
import type { AuditEntry, RefreshTokenRecord, UserRecord } from '../../../ports/store';

/** An item as stored: the Item plus the derived fields its indexes need (never returned). */
export type ItemDocument = Item & {
  item_code_lower: string;
  name_lower: string;
  trigrams: string[];
};

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
  ]);
}

/** Escapes `text` for use inside a regular expression (user input must never be a pattern). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
