/**
 * The optional adjustment writer (issue #7): inserts a reconciled session's adjustment package
 * into a staging table the customer names. It is the only write Stock Verify ever makes to the
 * ERP's database, off unless ERP_WRITEBACK_ENABLED=true.
 */
import type { AdjustmentPackage } from '../modules/adjustments/adjustment-package';

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
