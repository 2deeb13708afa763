/**
 * The optional adjustment writer (issue #7): inserts a reconciled session's adjustment package
 * into a staging table the customer names. It is the only write Stock Verify ever makes to the
 * ERP's database, off unless ERP_WRITEBACK_ENABLED=true.
 */
import type { AdjustmentPackage, WritebackResult } from '@stockverify/shared';

// The package and the writer's result are answers of the API: their shapes live in shared.
export {
  PACKAGE_FORMAT,
  type AdjustmentPackage,
  type AdjustmentRow,
  type WritebackResult,
} from '@stockverify/shared';

/** `table` or `schema.table`, plain identifiers only: the name is spliced into SQL (bracketed). */
export const WRITEBACK_TABLE = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/;

export interface AdjustmentWriter {
  /** The staging table, `schema.table`. */
  readonly table: string;
  /** Inserts the package in one transaction, once per (session id, content hash). */
  write(pkg: AdjustmentPackage, exportedAt: Date): Promise<WritebackResult>;
  close(): Promise<void>;
}
