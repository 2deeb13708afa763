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

/**
 * The staging table lacks columns the writer needs (one created before them): nothing was written.
 * `alter` is the statement that adds them (nullable: rows written before have no value there).
 */
export class WritebackTableOutdated extends Error {
  constructor(
    readonly table: string,
    readonly missing: readonly string[],
    readonly alter: string,
  ) {
    super(
      `The staging table ${table} lacks ${missing.join(', ')}; nothing was written. Add them with: ${alter}`,
    );
    this.name = 'WritebackTableOutdated';
  }
}

export interface AdjustmentWriter {
  /** The staging table, `schema.table`. */
  readonly table: string;
  /**
   * Inserts the package in one transaction, once per (session id, content hash); a table without
   * every column it writes rejects with `WritebackTableOutdated` before anything is written.
   */
  write(pkg: AdjustmentPackage, exportedAt: Date): Promise<WritebackResult>;
  close(): Promise<void>;
}
