/**
 * SQL Server ErpSource (design §3): reads the ERP's item master, never writes. Only SELECTs run,
 * and every value reaches SQL Server as a bound parameter; the only text spliced into SQL is
 * column and view names from configuration, validated and bracket-quoted. The expected view
 * shape and the column map are described in README.md beside this file.
 */
import type { Readable, ReadableOptions } from 'node:stream';
import sql, { type ISqlType } from 'mssql';
import { mssqlConfig } from './mssql-connection';
import { z } from 'zod';
import { itemSchema, type Item, type Warehouse } from '@stockverify/shared';
import type {
  ErpSource,
  FetchItemsOptions,
  FetchMovementsOptions,
  StockUpdate,
} from '../../ports/erp';
import {
  bindPage,
  bindSince,
  buildMovementQueries,
  readCurrentWatermark,
  readMovementPage,
  type MssqlMovementOptions,
} from './mssql-movements';
import { batchSizeOf } from './batches';
import { StockGrouper } from './mssql-stock';
import {
  ITEM_FIELDS,
  ItemDraft,
  LocationRegistry,
  readItemRow,
  type CellValue,
  type RawItemRow,
} from './item-rows';

/** Our field names a column map may name; `updated_at` feeds incremental sync. */
export const COLUMN_KEYS = [...ITEM_FIELDS, 'updated_at', 'warehouse_name'] as const;
export type ColumnKey = (typeof COLUMN_KEYS)[number];
/** Our field → the ERP's column name; null when the ERP has no such column. */
export type MssqlColumnMap = Partial<Record<ColumnKey, string | null>>;

/** The slice of mssql's Request this adapter uses (mssql.Request satisfies it; tests fake it). */
export interface MssqlRequestLike {
  input(name: string, type: (() => ISqlType) | ISqlType, value: unknown): MssqlRequestLike;
  query(command: string): Promise<{ recordset?: readonly Record<string, unknown>[] }>;
  toReadableStream(options?: ReadableOptions): Readable;
  cancel(): void;
}

/** The slice of mssql's ConnectionPool this adapter uses. */
export interface MssqlPoolLike {
  request(): MssqlRequestLike;
  close(): Promise<void>;
}

export interface MssqlErpOptions {
  /** `mssql://user:pass@host/db?encrypt=true` or ADO `Server=…;Database=…` (mssql-connection.ts). */
  url: string;
  /** View (or table) the default queries read, `schema.name`. Default `dbo.StockVerifyItems`. */
  view?: string;
  /** Replaces the default item query; must take `@since` and return rows ordered by item code. */
  itemQuery?: string;
  /** Replaces the default location query (columns: warehouse, floor, rack, location_barcode…). */
  warehouseQuery?: string;
  /**
   * Replaces the default stock query of the quantities pass; must take `@since` and return
   * columns item_code, warehouse, rack, stock_qty (and updated_at), ordered by item_code.
   */
  stockQuery?: string;
  /** Replaces the default barcode lookup; must take `@code` and return every row of the item. */
  barcodeQuery?: string;
  columns?: MssqlColumnMap;
  /** Opens the pool; tests inject a fake. Default: a real mssql ConnectionPool. */
  connect?: (url: string) => Promise<MssqlPoolLike>;
  /** An ERP row that cannot become (part of) a valid item is skipped and reported here. */
  onRowError?: (problem: MssqlRowProblem) => void;
  /** Stamp for items when the view has no updated_at column. */
  now?: () => Date;
  /** The ERP's stock ledger (issue #17); without a table or query the source has no movements. */
  movements?: MssqlMovementOptions;
}

export interface MssqlRowProblem {
  item_code: string | null;
  field: string | null;
  message: string;
}

export const DEFAULT_VIEW = 'dbo.StockVerifyItems';

// Identifiers are spliced into SQL text, so they are checked here and bracket-quoted below.
// Letters, digits, _, space, $, # and - cover real ERP column names; nothing that ends a quote.
const IDENTIFIER = /^[\p{L}_#@][\p{L}\p{N}_ $#@-]{0,127}$/u;
const identifierSchema = z
  .string()
  .trim()
  .regex(IDENTIFIER, 'must be a plain column name (letters, digits, _ and spaces)');

const columnMapSchema = z.strictObject(
  Object.fromEntries(COLUMN_KEYS.map((key) => [key, identifierSchema.nullable().optional()])) as {
    [K in ColumnKey]: z.ZodOptional<z.ZodNullable<typeof identifierSchema>>;
  },
);

/** Parses and checks the MSSQL_COLUMN_MAP JSON; the error names every bad key. */
export function parseMssqlColumnMap(json: string): MssqlColumnMap {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`MSSQL column map is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const result = columnMapSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${COLUMN_KEYS.join(', ')})`
        : `${issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the map'}: ${issue.message}`,
    );
    throw new Error(`Invalid MSSQL column map: ${problems.join('; ')}`);
  }
  for (const key of ['item_code', 'name'] as const) {
    if (result.data[key] === null)
      throw new Error(`Invalid MSSQL column map: "${key}" is required`);
  }
  return result.data;
}

function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `[${name}]`;
}

function quoteObjectName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2) throw new Error(`view must be "schema.name" or "name", got ${name}`);
  return parts.map(quoteIdentifier).join('.');
}

/** Our field → their column for every key, defaults (same name) filled in. */
function resolveColumns(map: MssqlColumnMap = {}): Record<ColumnKey, string | null> {
  const columns = {} as Record<ColumnKey, string | null>;
  for (const key of COLUMN_KEYS) {
    // warehouse_name is rarely in an item view; everything else defaults to our own name.
    const fallback = key === 'warehouse_name' ? null : key;
    const value = map[key] === undefined ? fallback : map[key];
    columns[key] = value === null ? null : value.trim();
    if (columns[key] !== null) quoteIdentifier(columns[key]);
  }
  return columns;
}

interface Queries {
  items: string;
  /** Null when the view has no warehouse or stock_qty column: no quantities pass. */
  stock: string | null;
  /** Null when the view has no warehouse column: there is nothing to ask. */
  warehouses: string | null;
  barcode: string;
}

function buildQueries(
  options: MssqlErpOptions,
  columns: Record<ColumnKey, string | null>,
): Queries {
  const view = quoteObjectName(options.view ?? DEFAULT_VIEW);
  const col = (key: ColumnKey) => quoteIdentifier(columns[key]!);
  const itemKeys = COLUMN_KEYS.filter((k) => k !== 'warehouse_name' && columns[k] !== null);
  const select = itemKeys.map(col).join(', ');
  const code = col('item_code');
  // Every row of a changed item, not just the changed rows: an item is rebuilt from all its
  // rows, and a partial set would drop the stock of the warehouses that did not change.
  const since =
    columns.updated_at === null
      ? ''
      : ` WHERE @since IS NULL OR ${code} IN (SELECT ${code} FROM ${view} WHERE ${col('updated_at')} > @since)`;
  const barcodeColumns = (['barcode', 'manual_barcode', 'pack_barcode'] as const).filter(
    (k) => columns[k] !== null,
  );
  const barcodeMatch =
    barcodeColumns.length === 0
      ? '1 = 0'
      : barcodeColumns.map((k) => `${col(k)} = @code`).join(' OR ');
  const locationKeys = (
    ['warehouse', 'warehouse_name', 'floor', 'rack', 'location_barcode'] as const
  ).filter((k) => columns[k] !== null);
  // The quantities pass: only code and stock columns, repeats of the barcode join grouped away
  // in SQL. Rows without a warehouse still come back, so an item whose stock is gone shows so.
  const stockGroup = [code, col('warehouse'), ...(columns.rack === null ? [] : [col('rack')])];
  const stock =
    options.stockQuery ??
    (columns.warehouse === null || columns.stock_qty === null
      ? null
      : `SELECT ${code} AS [item_code], ${col('warehouse')} AS [warehouse], ${
          columns.rack === null ? 'CAST(NULL AS nvarchar(64))' : col('rack')
        } AS [rack], ${col('stock_qty')} AS [stock_qty], ${
          columns.updated_at === null ? 'CAST(NULL AS datetime2)' : `MAX(${col('updated_at')})`
        } AS [updated_at] FROM ${view}${since} GROUP BY ${[...stockGroup, col('stock_qty')].join(', ')} ORDER BY ${code}`);
  return {
    items: options.itemQuery ?? `SELECT ${select} FROM ${view}${since} ORDER BY ${code}`,
    stock,
    warehouses:
      options.warehouseQuery ??
      (columns.warehouse === null
        ? null
        : `SELECT DISTINCT ${locationKeys.map(col).join(', ')} FROM ${view} WHERE ${col('warehouse')} IS NOT NULL`),
    barcode:
      options.barcodeQuery ??
      `SELECT ${select} FROM ${view} WHERE ${code} IN (SELECT ${code} FROM ${view} WHERE ${barcodeMatch}) ORDER BY ${code}`,
  };
}

/** A driver value as a cell: tedious gives strings, numbers, booleans, Dates, null. */
function toCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (value instanceof Date) return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

/** Groups consecutive rows of one item code into Items, reporting rows that do not fit. */
class ItemGrouper {
  private draft: ItemDraft | null = null;
  private latest = 0;

  constructor(
    private readonly columns: Record<ColumnKey, string | null>,
    private readonly report: (problem: MssqlRowProblem) => void,
    private readonly now: () => Date,
  ) {}

  /** Feeds one row; returns the previous item when this row starts a new one. */
  push(dbRow: Record<string, unknown>): Item | null {
    const raw: RawItemRow = {};
    for (const field of ITEM_FIELDS) {
      const column = this.columns[field];
      if (column !== null) raw[field] = toCell(dbRow[column]);
    }
    const read = readItemRow(raw);
    if (!read.ok) {
      const itemCode =
        raw.item_code === null || raw.item_code === undefined ? null : String(raw.item_code);
      for (const p of read.problems)
        this.report({ item_code: itemCode, field: p.field, message: p.message });
      return null;
    }
    const row = read.row;
    let finished: Item | null = null;
    let draft = this.draft;
    if (draft?.item_code !== row.item_code) {
      finished = this.flush();
      // Only a row that is accepted makes the item exist, as in a file import.
      draft = new ItemDraft(row, 'its first row');
    }
    const problems = draft.check(row);
    if (problems.length > 0) {
      for (const p of problems) {
        this.report({ item_code: row.item_code, field: p.field, message: p.message });
      }
    } else {
      draft.commit(row);
      this.draft = draft;
      this.latest = Math.max(this.latest, this.updatedAtOf(dbRow));
    }
    return finished;
  }

  /** The item being assembled, if any, finished and validated. */
  flush(): Item | null {
    const draft = this.draft;
    this.draft = null;
    if (!draft) return null;
    const updatedAt = new Date(this.latest > 0 ? this.latest : this.now().getTime());
    this.latest = 0;
    const item = draft.toItem(updatedAt.toISOString());
    // The row checks cover the schema; this guard keeps a surprise from reaching the Store.
    const valid = itemSchema.safeParse(item);
    if (valid.success) return valid.data;
    const issue = valid.error.issues[0];
    this.report({
      item_code: item.item_code,
      field: issue?.path.join('.') ?? null,
      message: issue?.message ?? 'invalid item',
    });
    return null;
  }

  private updatedAtOf(dbRow: Record<string, unknown>): number {
    const column = this.columns.updated_at;
    const value = column === null ? null : dbRow[column];
    const time =
      value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isNaN(time) ? 0 : time;
  }
}

async function connectPool(url: string): Promise<MssqlPoolLike> {
  const pool = new sql.ConnectionPool(mssqlConfig(url));
  await pool.connect();
  return pool;
}

/** What the item query returns, compared with the columns the mapping reads (startup check). */
export interface ItemColumnsReport {
  /** Column names of the item query's first result set, as SQL Server describes them. */
  columns: string[];
  /** Mapped columns the query does not return, as `field (column Name)`. */
  missing: string[];
}

/** The mssql ErpSource, plus a check of the item query's columns. */
export interface MssqlErpSource extends ErpSource {
  /**
   * Asks SQL Server to describe the item query's result set without running it
   * (`sp_describe_first_result_set`), and names every mapped column it lacks.
   */
  checkItemColumns(): Promise<ItemColumnsReport>;
}

/** Read-only ErpSource over a SQL Server view, streamed and grouped into items. */
export function createMssqlErpSource(options: MssqlErpOptions): MssqlErpSource {
  const columns = resolveColumns(options.columns);
  const queries = buildQueries(options, columns);
  const movementOptions = options.movements;
  const movementQueries =
    movementOptions?.table === undefined && movementOptions?.query === undefined
      ? null
      : buildMovementQueries(movementOptions, {
          identifier: quoteIdentifier,
          object: quoteObjectName,
        });
  const connect = options.connect ?? connectPool;
  const report = options.onRowError ?? (() => {});
  const now = options.now ?? (() => new Date());
  let pool: Promise<MssqlPoolLike> | null = null;

  function getPool(): Promise<MssqlPoolLike> {
    if (!pool) {
      const attempt = connect(options.url);
      pool = attempt;
      // A failed connect is not cached: the next call tries again (the ERP may be back).
      attempt.catch(() => {
        if (pool === attempt) pool = null;
      });
    }
    return pool;
  }

  async function itemsFor(request: MssqlRequestLike, query: string): Promise<Item[]> {
    const result = await request.query(query);
    const grouper = new ItemGrouper(columns, report, now);
    const items: Item[] = [];
    for (const row of result.recordset ?? []) {
      const done = grouper.push(row);
      if (done) items.push(done);
    }
    const last = grouper.flush();
    if (last) items.push(last);
    return items;
  }

  // Movements (issue #17): one bounded page per call, never streamed — a page is at most 10,000.
  const movementMethods: Pick<
    ErpSource,
    'fetchMovements' | 'currentWatermark' | 'windowWatermark'
  > = {};
  if (movementQueries !== null) {
    const mq = movementQueries;
    movementMethods.fetchMovements = async (since: string | null, page: FetchMovementsOptions) => {
      const custom = movementOptions?.query !== undefined;
      const request = (await getPool()).request();
      bindSince(request, mq.watermarkType, since);
      bindPage(request, page, custom);
      const result = await request.query(mq.page(page.warehouse !== undefined));
      return readMovementPage(result.recordset ?? [], since, page, mq.watermarkType);
    };
    if (mq.current !== null) {
      const current = mq.current;
      movementMethods.currentWatermark = async () => {
        const result = await (await getPool()).request().query(current);
        return readCurrentWatermark(result.recordset ?? [], mq.watermarkType);
      };
    }
    if (mq.window !== null) {
      const window = mq.window;
      movementMethods.windowWatermark = async () => {
        const result = await (await getPool()).request().query(window);
        return readCurrentWatermark(result.recordset ?? [], mq.watermarkType);
      };
    }
  }

  return {
    kind: 'mssql',
    ...movementMethods,

    async *fetchItems(fetchOptions?: FetchItemsOptions) {
      const size = batchSizeOf(fetchOptions);
      const request = (await getPool()).request();
      request.input('since', sql.DateTime2, fetchOptions?.since ?? null);
      // Streamed with back-pressure: the driver pauses while a batch is being consumed, so a
      // million-row master never sits in memory at once.
      const rows = request.toReadableStream({ highWaterMark: size });
      request.query(queries.items).catch((err: unknown) => rows.destroy(err as Error));
      const grouper = new ItemGrouper(columns, report, now);
      let batch: Item[] = [];
      let finished = false;
      try {
        for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
          const item = grouper.push(row);
          if (item) batch.push(item);
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
        const last = grouper.flush();
        if (last) batch.push(last);
        if (batch.length > 0) yield batch;
        finished = true;
      } finally {
        // A consumer that stops early must not leave the query running on a pooled connection.
        if (!finished) request.cancel();
      }
    },

    async *fetchStock(fetchOptions?: FetchItemsOptions) {
      if (queries.stock === null) {
        throw new Error('the ERP view has no warehouse or stock_qty column: no quantities pass');
      }
      const size = batchSizeOf(fetchOptions);
      const request = (await getPool()).request();
      request.input('since', sql.DateTime2, fetchOptions?.since ?? null);
      const rows = request.toReadableStream({ highWaterMark: size });
      request.query(queries.stock).catch((err: unknown) => rows.destroy(err as Error));
      const grouper = new StockGrouper(report);
      let batch: StockUpdate[] = [];
      let finished = false;
      try {
        for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
          const update = grouper.push(row);
          if (update) batch.push(update);
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
        const last = grouper.flush();
        if (last) batch.push(last);
        if (batch.length > 0) yield batch;
        finished = true;
      } finally {
        if (!finished) request.cancel();
      }
    },

    async fetchWarehouses(): Promise<Warehouse[]> {
      if (queries.warehouses === null) return [];
      const result = await (await getPool()).request().query(queries.warehouses);
      const registry = new LocationRegistry();
      const names = new Map<string, string>();
      const cell = (row: Record<string, unknown>, key: ColumnKey) => {
        const column = columns[key];
        const value = column === null ? null : toCell(row[column]);
        const text = value === null || value === undefined ? '' : String(value).trim();
        return text === '' ? null : text;
      };
      for (const row of result.recordset ?? []) {
        const warehouse = cell(row, 'warehouse');
        if (warehouse === null) continue;
        const location = {
          warehouse,
          floor: cell(row, 'floor'),
          rack: cell(row, 'rack'),
          location_barcode: cell(row, 'location_barcode'),
          qty: 0,
        };
        const problems = registry.check(location);
        if (problems.length > 0) {
          for (const p of problems) report({ item_code: null, field: p.field, message: p.message });
          continue;
        }
        registry.commit(location);
        const name = cell(row, 'warehouse_name');
        if (name !== null && !names.has(warehouse)) names.set(warehouse, name);
      }
      return registry.toWarehouses().map((w) => ({ ...w, name: names.get(w.id) ?? w.name }));
    },

    async findByBarcode(code: string): Promise<Item | null> {
      const wanted = code.trim();
      if (wanted === '') return null;
      const request = (await getPool()).request();
      request.input('code', sql.NVarChar(128), wanted);
      const items = await itemsFor(request, queries.barcode);
      return items.find((item) => item.barcodes.some((b) => b.code === wanted)) ?? null;
    },

    async ping() {
      await (await getPool()).request().query('SELECT 1 AS ok');
    },

    async checkItemColumns() {
      const request = (await getPool()).request();
      request.input('tsql', sql.NVarChar(sql.MAX), queries.items);
      request.input('params', sql.NVarChar(200), '@since datetime2');
      const result = await request.query(
        'EXEC sp_describe_first_result_set @tsql = @tsql, @params = @params',
      );
      const found = (result.recordset ?? [])
        .filter((row) => row.is_hidden !== true)
        .map((row) => String(row.name ?? ''));
      const exact = new Set(found);
      const missing: string[] = [];
      for (const key of COLUMN_KEYS) {
        const column = columns[key];
        if (key === 'warehouse_name' || column === null || exact.has(column)) continue;
        // Rows are read by exact name, so a column that differs only in case is missing too.
        const nearly = found.find((f) => f.toLowerCase() === column.toLowerCase());
        missing.push(
          nearly
            ? `${key} (column ${column}; the query returns ${nearly})`
            : `${key} (column ${column})`,
        );
      }
      return { columns: found, missing };
    },

    async close() {
      const current = pool;
      pool = null;
      // A pool that never connected has nothing to close; its error was reported to its caller.
      const open = await current?.catch(() => null);
      await open?.close();
    },
  };
}

// Compile-time proof that the real driver fits the slice we depend on.
const _realPoolFits: (pool: sql.ConnectionPool) => MssqlPoolLike = (pool) => pool;
