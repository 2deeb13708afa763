/**
 * Reading an uploaded item-master file (CSV or XLSX) into items, as the ERP module needs it. The
 * adapter (adapters/erp: parsing in a worker thread with caps on what the file unpacks to) is
 * handed to the ERP service by the app, so the service never reaches into an adapter.
 */
import type { ImportRowError, Item, Warehouse } from '@stockverify/shared';

export type ItemMasterFormat = 'csv' | 'xlsx';

export interface ParsedItemMaster {
  items: Item[];
  /** Row problems; a row-1 (header) entry names an ignored column and rejects no data. */
  errors: ImportRowError[];
  /** Data rows read: header and blank lines not counted. */
  rows: number;
  /** Distinct data rows rejected. */
  rejected: number;
  warehouses: Warehouse[];
  /** Header cells that map to no field (also reported in `errors` on the header row). */
  ignoredColumns: string[];
}

/**
 * Parses an item-master file; row problems are returned, whole-file problems thrown: an
 * `ImportLimitExceeded` when the file goes past a cap, any other error when it cannot be read.
 */
export type ItemMasterParser = (
  input: Buffer,
  format: ItemMasterFormat,
  options: { now: Date },
) => Promise<ParsedItemMaster>;

/** The file went past a cap; `cap` names it, `limit` is its value. */
export class ImportLimitExceeded extends Error {
  constructor(
    readonly cap: string,
    readonly limit: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImportLimitError';
  }
}
