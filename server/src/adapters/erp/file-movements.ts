/**
 * ERP movements from a CSV or XLSX file (issue #17): the stock ledger an admin exports, one row per
 * movement, read like the item master (same header matching, same caps, in the import worker).
 * Any bad row refuses the whole file with every problem by row and column — a movement skipped
 * would be lost behind the watermark. Columns: README.md beside this file.
 */
import { readFile, stat } from 'node:fs/promises';
import { compareWatermarks, type ErpMovement, type ImportRowError } from '@stockverify/shared';
import type { FetchMovementsOptions, MovementPage } from '../../ports/erp';
import {
  ItemMasterFormatError,
  isBlank,
  itemMasterFormatOf,
  normalizeHeader,
  readTable,
  type ItemMasterFormat,
} from './file';
import { IMPORT_LIMITS, ImportLimitError, type ImportLimits } from './import-limits';
import { parseMovementsInWorker } from './import-worker';
import {
  MOVEMENT_FIELDS,
  MovementRowError,
  readMovementRow,
  type MovementField,
  type RawMovementRow,
} from './movement-rows';

/** Header spellings accepted for each movement field (lower-cased, spaces and `-` as `_`). */
export const MOVEMENT_COLUMN_ALIASES: Record<MovementField, readonly string[]> = {
  item_code: ['item_code', 'itemcode', 'code', 'sku', 'item_no', 'item_number', 'item'],
  warehouse: ['warehouse', 'warehouse_code', 'wh', 'location_code'],
  rack: ['rack', 'rack_code', 'bin', 'bin_code', 'shelf'],
  quantity: ['quantity', 'qty', 'movement_qty', 'change'],
  posted_at: ['posted_at', 'posting_date', 'posted', 'date', 'timestamp'],
  doc_type: ['doc_type', 'document_type', 'entry_type', 'type'],
  doc_no: ['doc_no', 'document_no', 'document_number', 'doc_number', 'reference'],
  watermark: ['watermark', 'entry_no', 'entry_number', 'sequence', 'seq'],
};
/** Without a watermark column the spreadsheet row number is the watermark (an append-only file). */
const REQUIRED: readonly MovementField[] = MOVEMENT_FIELDS.filter(
  (f) => f !== 'rack' && f !== 'watermark',
);

const FIELD_BY_ALIAS = new Map<string, MovementField>(
  MOVEMENT_FIELDS.flatMap((field) =>
    MOVEMENT_COLUMN_ALIASES[field].map((alias) => [alias, field] as const),
  ),
);

export interface ParsedMovements {
  /** In watermark order. */
  movements: ErpMovement[];
  /** Data rows read (header and blank lines not counted). */
  rows: number;
  /** Every problem; a file with any is refused by the file source. */
  errors: ImportRowError[];
}

/** Reads a movements file; row problems are returned, whole-file problems thrown. */
export async function parseMovements(
  input: Buffer,
  format: ItemMasterFormat,
  options: { limits?: ImportLimits } = {},
): Promise<ParsedMovements> {
  const limits = options.limits ?? IMPORT_LIMITS;
  const table = await readTable(input, format, limits);
  const nonBlank = table.rows.filter((r) => !isBlank(r.cells));
  const headerRow = nonBlank[0];
  if (!headerRow) throw new ItemMasterFormatError('the movements file is empty: no header row');
  if (nonBlank.length - 1 > limits.rows)
    throw new ImportLimitError('rows', limits.rows, `more than ${limits.rows} rows`);
  const columns = new Map<MovementField, number>();
  headerRow.cells.forEach((cell, index) => {
    const field = FIELD_BY_ALIAS.get(normalizeHeader(cell));
    if (field === undefined) return;
    if (columns.has(field)) {
      throw new ItemMasterFormatError(
        `columns "${String(headerRow.cells[columns.get(field)!]).trim()}" and "${String(cell).trim()}" both mean ${field}; keep one`,
      );
    }
    columns.set(field, index);
  });
  const missing = REQUIRED.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    throw new ItemMasterFormatError(
      `missing required movement column(s): ${missing.join(', ')} (found: ${headerRow.cells.map((c) => String(c ?? '').trim()).join(', ')})`,
    );
  }
  const errors: ImportRowError[] = [];
  const read: { movement: ErpMovement; row: number }[] = [];
  const dataRows = nonBlank.slice(1);
  for (const { number, cells } of dataRows) {
    const raw: RawMovementRow = {};
    for (const [field, index] of columns) raw[field] = cells[index];
    if (!columns.has('watermark')) raw.watermark = number;
    const result = readMovementRow(raw, table.decimalComma);
    if (result.ok) read.push({ movement: result.movement, row: number });
    else for (const p of result.problems) errors.push({ row: number, ...p });
  }
  // A ledger export need not be sorted, but each watermark names one movement.
  read.sort(
    (a, b) => compareWatermarks(a.movement.watermark, b.movement.watermark) || a.row - b.row,
  );
  for (let i = 1; i < read.length; i++) {
    if (compareWatermarks(read[i]!.movement.watermark, read[i - 1]!.movement.watermark) === 0) {
      errors.push({
        row: read[i]!.row,
        field: 'watermark',
        message: `${read[i]!.movement.watermark} is also the watermark of row ${read[i - 1]!.row}`,
      });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { movements: read.map((r) => r.movement), rows: dataRows.length, errors };
}

/** The movements file of a file source, re-read when it changes; any bad row refuses it. */
export function createFileMovementLedger(path: string) {
  const format = itemMasterFormatOf(path);
  let loaded: { version: string; movements: ErpMovement[] } | null = null;

  async function load(): Promise<ErpMovement[]> {
    const info = await stat(path);
    const version = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (loaded?.version === version) return loaded.movements;
    const parsed = await parseMovementsInWorker(await readFile(path), format);
    if (parsed.errors.length > 0)
      throw new MovementRowError(parsed.errors, `the movements file ${path} cannot be read`);
    loaded = { version, movements: parsed.movements };
    return parsed.movements;
  }

  return {
    async page(since: string | null, options: FetchMovementsOptions): Promise<MovementPage> {
      if (!Number.isInteger(options.limit) || options.limit < 1)
        throw new RangeError('limit must be a whole number of at least 1');
      const all = await load();
      // First movement after `since`: binary search, the list is in watermark order.
      let lo = 0;
      let hi = all.length;
      while (since !== null && lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareWatermarks(all[mid]!.watermark, since) <= 0) lo = mid + 1;
        else hi = mid;
      }
      const movements: ErpMovement[] = [];
      for (let i = lo; i < all.length && movements.length < options.limit; i++) {
        const m = all[i]!;
        if (options.warehouse === undefined || m.warehouse === options.warehouse) movements.push(m);
      }
      return { movements, watermark: movements.at(-1)?.watermark ?? since };
    },
    async current(): Promise<string | null> {
      return (await load()).at(-1)?.watermark ?? null;
    },
  };
}
