import Dexie from 'dexie';
import type { DexieOptions, Table } from 'dexie';
import type { ItemView } from '@stockverify/shared';

/**
 * The offline copy of the item master (design §5) and of session book quantities. Everything here
 * can be downloaded again, so it lives in its own database with relaxed durability: bulk writes of
 * 50,000 items stay fast, and the outbox's strict transactions never wait behind them.
 */
export const ITEM_DB_NAME = 'stockverify-items';

/** An item as the server exported it, plus every code it answers to (one multi-entry index). */
export interface CachedItem {
  item_code: string;
  /** Barcodes (all kinds) and the item code itself, as scanned. */
  codes: string[];
  warehouse: string;
  item: ItemView;
}

/** Per-warehouse download state: `since` is the server's `generated_at` of the last full pass. */
export interface CatalogState {
  warehouse: string;
  since: string | null;
  item_count: number;
  refreshed_at: string;
}

/** The session's book-quantity snapshot for one item (standard and strict sessions only). */
export interface BookQty {
  session_id: string;
  item_code: string;
  book_qty: number;
}

export const ITEM_DB_VERSIONS = {
  1: {
    items: '&item_code, *codes, warehouse',
    catalogs: '&warehouse',
    books: '&[session_id+item_code], session_id',
  },
} as const;

export class ItemDb extends Dexie {
  items!: Table<CachedItem, string>;
  catalogs!: Table<CatalogState, string>;
  books!: Table<BookQty, [string, string]>;

  constructor(name = ITEM_DB_NAME, options: DexieOptions = {}) {
    super(name, { chromeTransactionDurability: 'relaxed', ...options });
    this.version(1).stores(ITEM_DB_VERSIONS[1]);
  }
}
