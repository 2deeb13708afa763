/**
 * ErpSource port: the company's item master, read-only (design §3). Adapters: demo (generated),
 * file (CSV/XLSX import) and mssql (SQL Server). The server mirrors it into the Store; a lookup
 * only reaches the source for an item the mirror does not have yet.
 */
import type { Item, StockQty, Warehouse } from '@stockverify/shared';

export interface FetchItemsOptions {
  /** Only items the source changed after this time, where the source can tell. */
  since?: Date;
  /** Items per yielded batch (default 1000). */
  batchSize?: number;
}

/** An item's book quantities as the ERP holds them now (a quantities pass, no other fields). */
export interface StockUpdate {
  item_code: string;
  stock: StockQty[];
  /** The ERP's change time of the item's rows, where it has one. */
  updated_at: string | null;
}

export interface ErpSource {
  readonly kind: 'demo' | 'file' | 'mssql';
  /** Streams the item master in batches. */
  fetchItems(options?: FetchItemsOptions): AsyncIterable<Item[]>;
  /** Optional: how many items `fetchItems` with the same `since` will yield (mirror progress). */
  countItems?(options?: Pick<FetchItemsOptions, 'since'>): Promise<number>;
  /**
   * Optional, lighter than fetchItems: only the stock rows of items changed since `since`, for
   * the frequent quantities pass of the ERP schedule. Sources without it get full items instead.
   */
  fetchStock?(options?: FetchItemsOptions): AsyncIterable<StockUpdate[]>;
  /** Warehouses with floors and racks. */
  fetchWarehouses(): Promise<Warehouse[]>;
  /** One item by any of its barcodes, straight from the source (lookup fallback). */
  findByBarcode(code: string): Promise<Item | null>;
  /** Throws when the source cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
