/**
 * The optional adjustment writer (issue #7): inserts a reconciled session's adjustment package
 * into a staging table the customer names. It is the only write Stock Verify ever makes to the
 * ERP's database, off unless ERP_WRITEBACK_ENABLED=true.
 */
import type { CountSession } from '@stockverify/shared';

export const PACKAGE_FORMAT = 'stockverify.adjustments/1';

/** One approved adjustment: one item of the session with a non-zero variance. */
export interface AdjustmentRow {
  line_no: number;
  session_id: string;
  warehouse: string;
  item_code: string;
  item_name: string;
  book_qty: number;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  /** counted − non-returnable damaged − book (design §4). */
  variance: number;
  unit_cost: number;
  value_at_cost: number;
  value_at_price: number;
  /** Distinct variance reasons the counters gave, `; `-separated; null when none was given. */
  reason: string | null;
  /** Who approved: the reviewer(s) of explicitly approved lines, else who reconciled. */
  approver: string;
  approved_at: string;
}

export interface AdjustmentPackage {
  format: typeof PACKAGE_FORMAT;
  session: {
    id: string;
    name: string;
    warehouse: string;
    mode: CountSession['mode'];
    reconciled_at: string;
    reconciled_by: string;
  };
  rows: AdjustmentRow[];
  totals: {
    items: number;
    variance: number;
    value_at_cost: number;
    value_at_price: number;
  };
  /** SHA-256 (hex) of the canonical JSON of `rows`: the same adjustments, the same hash. */
  content_hash: string;
  generated_at: string;
}

/** `table` or `schema.table`, plain identifiers only: the name is spliced into SQL (bracketed). */
export const WRITEBACK_TABLE = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/;

export interface WritebackResult {
  table: string;
  /** Rows inserted by this call (0 when the package was already there). */
  inserted: number;
  /** True when rows with this session id and content hash were already in the table. */
  already_written: boolean;
}

export interface AdjustmentWriter {
  /** The staging table, `schema.table`. */
  readonly table: string;
  /** Inserts the package in one transaction, once per (session id, content hash). */
  write(pkg: AdjustmentPackage, exportedAt: Date): Promise<WritebackResult>;
  close(): Promise<void>;
}
