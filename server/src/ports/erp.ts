/**
 * ErpSource port: the company's item master, read-only (DESIGN §3). Adapters: demo (generated),
 * file (CSV/XLSX import) and mssql (SQL Server). The server mirrors it into the Store; a lookup
 * only reaches the source for an item the mirror does not have yet.
 */
import type { Item, Warehouse } from '@stockverify/shared';

export interface FetchItemsOptions {
  /** Only items the source changed after this time, where the source can tell. */
  since?: Date;
  /** Items per yielded batch (default 1000). */
  batchSize?: number;
}

export interface ErpSource {
  readonly kind: 'demo' | 'file' | 'mssql';
  /** Streams the item master in batches. */
  fetchItems(options?: FetchItemsOptions): AsyncIterable<Item[]>;
  /** Warehouses with floors and racks. */
  fetchWarehouses(): Promise<Warehouse[]>;
  /** One item by any of its barcodes, straight from the source (lookup fallback). */
  findByBarcode(code: string): Promise<Item | null>;
  /** Throws when the source cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
