/**
 * File ErpSource: an item master the admin uploads as CSV or XLSX (design §3). Column mapping and
 * row rules are in README.md beside this file. Bad rows are reported with the row number the user
 * sees and kept out; good rows are kept.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ImportRowError, Item, Warehouse } from '@stockverify/shared';
import type { ErpSource, FetchItemsOptions } from '../../ports/erp';
import { batchSizeOf, chunk } from './batches';
import { CsvFormatError, decodeCsv, detectDelimiter, parseCsv } from './csv';
import {
  clipText,
  IMPORT_LIMITS,
  ImportLimitError,
  MAX_REPORTED_ERRORS,
  type ImportLimits,
} from './import-limits';
import {
  BARCODE_FIELD,
  ITEM_FIELDS,
  ItemDraft,
  LocationRegistry,
  readItemRow,
  type CellValue,
  type FieldProblem,
  type ItemField,
  type ItemRow,
  type RawItemRow,
} from './item-rows';
import { parseItemMasterInWorker } from './import-worker';
import { XlsxFormatError, readFirstSheet, type SheetRow } from './xlsx';
import { createFileMovementLedger } from './file-movements';

export type ItemMasterFormat = 'csv' | 'xlsx';

export interface ParseResult {
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

/** The file as a whole cannot be imported: unreadable, or required columns are missing. */
export class ItemMasterFormatError extends Error {}

/** Header spellings accepted for each field, after lower-casing and turning spaces into `_`. */
export const COLUMN_ALIASES: Record<ItemField, readonly string[]> = {
  item_code: ['item_code', 'itemcode', 'code', 'sku', 'item_no', 'item_number', 'item'],
  name: ['name', 'item_name', 'description', 'product_name'],
  category: ['category', 'item_group', 'group'],
  brand: ['brand', 'make'],
  supplier: ['supplier', 'vendor'],
  uom: ['uom', 'unit', 'unit_of_measure'],
  price: ['price', 'mrp', 'selling_price', 'sale_price', 'sales_price'],
  cost: ['cost', 'cost_price', 'purchase_price'],
  barcode: ['barcode', 'primary_barcode', 'ean', 'upc', 'gtin'],
  manual_barcode: ['manual_barcode', 'alt_barcode', 'alternate_barcode'],
  pack_barcode: ['pack_barcode', 'pack_barcodes', 'case_barcode', 'outer_barcode'],
  pack_qty: ['pack_qty', 'pack_size', 'pack_quantity', 'case_qty'],
  serialized: ['serialized', 'serialised', 'is_serialized', 'serial_tracked'],
  batch_tracked: ['batch_tracked', 'is_batch_tracked', 'batch_managed'],
  active: ['active', 'is_active'],
  warehouse: ['warehouse', 'warehouse_code', 'wh'],
  floor: ['floor', 'level'],
  rack: ['rack', 'rack_code', 'bin', 'shelf'],
  location_barcode: ['location_barcode', 'rack_barcode'],
  stock_qty: ['stock_qty', 'qty', 'quantity', 'stock', 'book_qty', 'on_hand'],
};

const REQUIRED_FIELDS: readonly ItemField[] = ['item_code', 'name'];

const FIELD_BY_ALIAS = new Map<string, ItemField>(
  ITEM_FIELDS.flatMap((field) => COLUMN_ALIASES[field].map((alias) => [alias, field] as const)),
);

export function normalizeHeader(cell: CellValue): string {
  return String(cell ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');
}

interface HeaderMap {
  columns: Map<ItemField, number>;
  ignored: string[];
}

/** Maps header cells to fields; throws when a required column is missing or one is given twice. */
export function mapHeader(header: readonly CellValue[]): HeaderMap {
  const columns = new Map<ItemField, number>();
  const ignored: string[] = [];
  header.forEach((cell, index) => {
    const key = normalizeHeader(cell);
    if (key === '') return; // trailing empty columns are common in exported sheets
    const field = FIELD_BY_ALIAS.get(key);
    if (field === undefined) {
      ignored.push(String(cell).trim());
    } else if (columns.has(field)) {
      const first = String(header[columns.get(field)!]).trim();
      throw new ItemMasterFormatError(
        `columns "${first}" and "${String(cell).trim()}" both mean ${field}; keep one`,
      );
    } else {
      columns.set(field, index);
    }
  });
  const missing = REQUIRED_FIELDS.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    throw new ItemMasterFormatError(
      `missing required column(s): ${missing.join(', ')} (found: ${header.map((c) => String(c ?? '').trim()).join(', ')})`,
    );
  }
  return { columns, ignored };
}

export function isBlank(cells: readonly CellValue[]): boolean {
  return cells.every((c) => c === null || c === undefined || String(c).trim() === '');
}

export async function readTable(
  input: Buffer,
  format: ItemMasterFormat,
  limits: ImportLimits,
): Promise<{ rows: SheetRow[]; decimalComma: boolean }> {
  try {
    if (format === 'xlsx')
      return { rows: await readFirstSheet(input, limits), decimalComma: false };
    const text = decodeCsv(input);
    const delimiter = detectDelimiter(text);
    const rows = parseCsv(text, delimiter, limits).map((cells, i) => ({ number: i + 1, cells }));
    return { rows, decimalComma: delimiter === ';' };
  } catch (err) {
    if (err instanceof CsvFormatError || err instanceof XlsxFormatError) {
      throw new ItemMasterFormatError(err.message, { cause: err });
    }
    throw err;
  }
}

interface CodeOwner {
  owner: string;
  row: number;
}

/** Items, locations and code owners built up row by row; a rejected row changes nothing. */
class ItemMasterBuilder {
  private readonly drafts = new Map<string, ItemDraft>();
  private readonly locations = new LocationRegistry();
  // Every scannable code in the file has one owner (an item or a rack label): a scan must
  // resolve to one thing.
  private readonly owners = new Map<string, CodeOwner>();

  /** Adds the row when it fits everything before it; otherwise returns why not. */
  add(row: ItemRow, number: number): FieldProblem[] {
    const problems = this.check(row);
    if (problems.length === 0) this.commit(row, number);
    return problems;
  }

  items(updatedAt: string): Item[] {
    return [...this.drafts.values()].map((d) => d.toItem(updatedAt));
  }

  warehouses(): Warehouse[] {
    return this.locations.toWarehouses();
  }

  private check(row: ItemRow): FieldProblem[] {
    const draft = this.drafts.get(row.item_code) ?? new ItemDraft(row, 'the first row');
    const problems = draft.check(row);
    for (const barcode of row.barcodes) {
      const taken = this.owners.get(barcode.code);
      if (taken && taken.owner !== `item ${row.item_code}`) {
        problems.push({
          field: BARCODE_FIELD[barcode.kind],
          message: `barcode "${barcode.code}" already belongs to ${taken.owner} (row ${taken.row})`,
        });
      }
    }
    const location = row.location;
    if (location) {
      problems.push(...this.locations.check(location));
      const label = location.location_barcode;
      const taken = label === null ? undefined : this.owners.get(label);
      if (taken && taken.owner !== `rack ${location.warehouse}/${location.rack}`) {
        problems.push({
          field: 'location_barcode',
          message: `location barcode "${label}" already belongs to ${taken.owner} (row ${taken.row})`,
        });
      }
    }
    return problems;
  }

  private commit(row: ItemRow, number: number): void {
    let draft = this.drafts.get(row.item_code);
    if (!draft) {
      draft = new ItemDraft(row, `row ${number}`);
      this.drafts.set(row.item_code, draft);
    }
    draft.commit(row);
    for (const barcode of row.barcodes) {
      if (!this.owners.has(barcode.code)) {
        this.owners.set(barcode.code, { owner: `item ${row.item_code}`, row: number });
      }
    }
    const location = row.location;
    if (location) {
      this.locations.commit(location);
      const label = location.location_barcode;
      if (label !== null && !this.owners.has(label)) {
        this.owners.set(label, {
          owner: `rack ${location.warehouse}/${location.rack}`,
          row: number,
        });
      }
    }
  }
}

/** Parses an item master file; row problems are returned, whole-file problems thrown. */
export async function parseItemMaster(
  input: Buffer,
  format: ItemMasterFormat,
  options: { now?: () => Date; limits?: ImportLimits } = {},
): Promise<ParseResult> {
  const limits = options.limits ?? IMPORT_LIMITS;
  const table = await readTable(input, format, limits);
  const nonBlank = table.rows.filter((r) => !isBlank(r.cells));
  const headerRow = nonBlank[0];
  if (!headerRow) throw new ItemMasterFormatError('the file is empty: no header row');
  if (nonBlank.length - 1 > limits.rows) {
    throw new ImportLimitError('rows', limits.rows, `more than ${limits.rows} rows`);
  }
  const header = mapHeader(headerRow.cells);

  const errors: ImportRowError[] = header.ignored.map((name) => ({
    row: headerRow.number,
    field: name,
    message: 'unknown column, ignored',
  }));
  const rejected = new Set<number>();
  const builder = new ItemMasterBuilder();
  const dataRows = nonBlank.slice(1);
  for (const { number, cells } of dataRows) {
    const raw: RawItemRow = {};
    for (const [field, index] of header.columns) raw[field] = cells[index];
    const read = readItemRow(raw, { decimalComma: table.decimalComma });
    const problems = read.ok ? builder.add(read.row, number) : read.problems;
    if (problems.length === 0) continue;
    rejected.add(number);
    for (const p of problems) errors.push({ row: number, field: p.field, message: p.message });
  }

  return {
    items: builder.items((options.now?.() ?? new Date()).toISOString()),
    errors: boundedErrors(errors),
    rows: dataRows.length,
    rejected: rejected.size,
    warehouses: builder.warehouses(),
    ignoredColumns: header.ignored.map(clipText),
  };
}

/**
 * At most MAX_REPORTED_ERRORS problems, each text clipped (a cell's value is quoted in some
 * messages); a last entry says how many more there were (issue #12: a 74 MB error answer).
 */
function boundedErrors(errors: ImportRowError[]): ImportRowError[] {
  const clip = (e: ImportRowError): ImportRowError => ({
    ...e,
    field: e.field === null ? null : clipText(e.field),
    message: clipText(e.message),
  });
  if (errors.length <= MAX_REPORTED_ERRORS) return errors.map(clip);
  const shown = errors.slice(0, MAX_REPORTED_ERRORS - 1).map(clip);
  const rest = errors.length - shown.length;
  shown.push({
    row: errors[shown.length]!.row,
    field: '*',
    message: `… and ${rest} more problems not listed; fix these and import again`,
  });
  return shown;
}

/** Format of an item master file from its extension. */
export function itemMasterFormatOf(path: string): ItemMasterFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new ItemMasterFormatError(
    `cannot tell the format of ${path}: expected .csv, .txt or .xlsx`,
  );
}

interface LoadedFile {
  /** Identity of the file version parsed, so a replaced file is noticed. */
  version: string;
  result: ParseResult;
  byBarcode?: Map<string, Item>;
}

/**
 * ErpSource over an item master file; the file is re-read whenever it has changed. With
 * `movementsPath`, a movements file (issue #17) is the source's stock ledger.
 */
export function createFileErpSource(options: { path: string; movementsPath?: string }): ErpSource {
  const { path } = options;
  const ledger =
    options.movementsPath === undefined ? null : createFileMovementLedger(options.movementsPath);
  const movementMethods: Pick<ErpSource, 'fetchMovements' | 'currentWatermark'> = ledger
    ? {
        fetchMovements: (since, page) => ledger.page(since, page),
        currentWatermark: () => ledger.current(),
      }
    : {};
  const format = itemMasterFormatOf(path);
  let loaded: LoadedFile | null = null;

  async function load(force: boolean): Promise<LoadedFile> {
    const info = await stat(path);
    const version = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (!force && loaded?.version === version) return loaded;
    // The file's modification time is when its items last changed, as far as we can tell.
    // In a worker thread, with the import caps (issue #12).
    const result = await parseItemMasterInWorker(await readFile(path), format, { now: info.mtime });
    loaded = { version, result };
    return loaded;
  }

  return {
    kind: 'file',
    ...movementMethods,
    async *fetchItems(fetchOptions?: FetchItemsOptions) {
      const size = batchSizeOf(fetchOptions);
      // Always re-read: an admin may have replaced the file with one of the same size and time.
      const { result } = await load(true);
      const since = fetchOptions?.since?.getTime();
      const items =
        since === undefined
          ? result.items
          : result.items.filter((i) => Date.parse(i.updated_at) > since);
      yield* chunk(items, size);
    },
    async fetchWarehouses() {
      return (await load(false)).result.warehouses;
    },
    async findByBarcode(code: string) {
      const file = await load(false);
      if (!file.byBarcode) {
        file.byBarcode = new Map();
        for (const item of file.result.items) {
          for (const barcode of item.barcodes) file.byBarcode.set(barcode.code, item);
        }
      }
      return file.byBarcode.get(code.trim()) ?? null;
    },
    async ping() {
      const info = await stat(path);
      if (!info.isFile()) throw new Error(`${path} is not a file`);
    },
    async close() {
      loaded = null;
    },
  };
}
