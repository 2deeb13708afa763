/**
 * ErpSource port: the company's item master, read-only (design §3). Adapters: demo (generated),
 * file (CSV/XLSX import) and mssql (SQL Server). The server mirrors it into the Store; a lookup
 * only reaches the source for an item the mirror does not have yet.
 */
import type { ErpMovement, Item, StockQty, Warehouse } from '@stockverify/shared';

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

/** What `fetchMovements` may return in one call. */
export interface FetchMovementsOptions {
  /** At most this many movements (the scheduler pages with 1,000). */
  limit: number;
  /** Only movements of this warehouse. */
  warehouse?: string;
}

/**
 * One page of the ERP's stock ledger (issue #17): movements with a watermark strictly after the
 * `since` asked for, in watermark order, at most `limit` of them. `watermark` is where the next page
 * starts — the last movement's, or `since` itself when the page is empty. A page shorter than the
 * limit means the ledger has nothing more right now.
 */
export interface MovementPage {
  movements: ErpMovement[];
  watermark: string | null;
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
  /**
   * Optional (issue #17, docs/design.md §3): stock movements posted after the watermark `since`
   * (exclusive; null = from the start of the ledger), one bounded page per call — the caller
   * pages by passing the page's `watermark` back. Read-only, like everything else here.
   */
  fetchMovements?(since: string | null, options: FetchMovementsOptions): Promise<MovementPage>;
  /**
   * Optional: the newest watermark of the ledger now (null when it is empty). An items or
   * quantities pass reads it before the stock, so the mirror's book quantities — and a session's
   * snapshot of them — are known to include the movements up to it.
   */
  currentWatermark?(): Promise<string | null>;
  /**
   * Optional: a watermark no ledger entry written so far exceeds, committed or not (default:
   * `currentWatermark`). A pass reads it after the stock: the end of the snapshot's window, whose
   * movements may be in the book (design §13) — on SQL Server, rowversions commit out of order.
   */
  windowWatermark?(): Promise<string | null>;
  /** Warehouses with floors and racks. */
  fetchWarehouses(): Promise<Warehouse[]>;
  /** One item by any of its barcodes, straight from the source (lookup fallback). */
  findByBarcode(code: string): Promise<Item | null>;
  /** Throws when the source cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
