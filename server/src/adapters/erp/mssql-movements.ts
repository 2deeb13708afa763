/**
 * ERP movements on SQL Server (issue #17, README.md beside this file): a read-only, parameterised
 * query over the ERP's stock ledger, paged by a monotonic watermark column — an entry number
 * (`bigint`) or a `rowversion`. `@since` (exclusive), `@limit` and `@warehouse` are always bound
 * parameters; the only text spliced into the SQL is the ledger's name and column names from
 * configuration, checked and bracket-quoted by the caller's quoting functions.
 */
import sql from 'mssql';
import { z } from 'zod';
import { watermarkSchema, type ImportRowError } from '@stockverify/shared';
import type { FetchMovementsOptions, MovementPage } from '../../ports/erp';
import {
  MOVEMENT_FIELDS,
  MovementRowError,
  orderProblems,
  readMovementRow,
  watermarkOf,
  type MovementField,
} from './movement-rows';
import type { MssqlRequestLike } from './mssql';

export const MOVEMENT_WATERMARK_TYPES = ['bigint', 'rowversion'] as const;
export type MovementWatermarkType = (typeof MOVEMENT_WATERMARK_TYPES)[number];

/** Our movement field → the ledger's column; null only for `rack` (a ledger without racks). */
export type MovementColumnMap = Partial<Record<MovementField, string | null>>;

export interface MssqlMovementOptions {
  /** The ledger table or view, `schema.name`; the default query reads it. */
  table?: string;
  /**
   * Replaces the default page query. Takes `@since` (typed by `watermarkType`; never null — the
   * lowest value on a first read), `@limit` (int) and `@warehouse` (nvarchar, NULL = every
   * warehouse); returns at most @limit rows after @since, ordered by watermark, with the columns
   * named as our fields (item_code, warehouse, rack, quantity, posted_at, doc_type, doc_no,
   * watermark).
   */
  query?: string;
  /** Replaces the default `SELECT MAX(watermark)`: one row, column `watermark` (NULL when empty). */
  watermarkQuery?: string;
  columns?: MovementColumnMap;
  /** `bigint` (entry numbers, the default) or `rowversion`. */
  watermarkType?: MovementWatermarkType;
}

/** Most movements one call may ask for. */
export const MAX_MOVEMENT_PAGE = 10_000;

const IDENTIFIER = /^[\p{L}_#@][\p{L}\p{N}_ $#@-]{0,127}$/u;
const movementColumnMapSchema = z.strictObject(
  Object.fromEntries(
    MOVEMENT_FIELDS.map((key) => [
      key,
      z
        .string()
        .trim()
        .regex(IDENTIFIER, 'must be a plain column name (letters, digits, _ and spaces)')
        .nullable()
        .optional(),
    ]),
  ),
);

/** Parses MSSQL_MOVEMENTS_COLUMN_MAP; the error names every bad key. */
export function parseMovementColumnMap(json: string): MovementColumnMap {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`MSSQL movements column map is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const result = movementColumnMapSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${MOVEMENT_FIELDS.join(', ')})`
        : `${issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the map'}: ${issue.message}`,
    );
    throw new Error(`Invalid MSSQL movements column map: ${problems.join('; ')}`);
  }
  const map = result.data as MovementColumnMap;
  for (const key of MOVEMENT_FIELDS) {
    if (key !== 'rack' && map[key] === null)
      throw new Error(`Invalid MSSQL movements column map: "${key}" is required`);
  }
  return map;
}

export interface MovementQueries {
  /** The page query; `filtered` = with the warehouse condition (the default query only). */
  page(filtered: boolean): string;
  /** Null when a custom page query has no watermark query beside it. */
  current: string | null;
  /** The end of a snapshot's window (`windowWatermark`): null = the current watermark's. */
  window: string | null;
  watermarkType: MovementWatermarkType;
}

/** Builds the ledger's queries; throws on an unsafe name (through the quoting functions). */
export function buildMovementQueries(
  options: MssqlMovementOptions,
  quote: { identifier(name: string): string; object(name: string): string },
): MovementQueries {
  const watermarkType = options.watermarkType ?? 'bigint';
  if (options.query !== undefined) {
    return {
      page: () => options.query!,
      current: options.watermarkQuery ?? null,
      window: null,
      watermarkType,
    };
  }
  if (options.table === undefined) throw new Error('a movements table or query is required');
  const table = quote.object(options.table);
  const columns = options.columns ?? {};
  const col = (key: MovementField): string | null => {
    const name = columns[key] === undefined ? key : columns[key];
    return name === null ? null : quote.identifier(name.trim());
  };
  const select = MOVEMENT_FIELDS.map((key) => {
    const c = col(key);
    return `${c ?? 'CAST(NULL AS nvarchar(64))'} AS [${key}]`;
  }).join(', ');
  const watermark = col('watermark')!;
  const warehouse = col('warehouse')!;
  // Rowversions are taken when a row is written and commit in any order: 0x…d1 may be visible
  // while 0x…d0 is still in an open transaction. Reading only below MIN_ACTIVE_ROWVERSION() (the
  // lowest rowversion not yet committed in the database) keeps a page, and the watermark it moves
  // to, behind every open transaction, so no entry commits later behind the watermark.
  const committed =
    watermarkType === 'rowversion' ? ` AND ${watermark} < MIN_ACTIVE_ROWVERSION()` : '';
  return {
    page: (filtered) =>
      `SELECT TOP (@limit) ${select} FROM ${table} WHERE ${watermark} > @since${committed}${
        filtered ? ` AND ${warehouse} = @warehouse` : ''
      } ORDER BY ${watermark}`,
    current:
      options.watermarkQuery ??
      `SELECT MAX(${watermark}) AS [watermark] FROM ${table}${
        committed === '' ? '' : ` WHERE ${watermark} < MIN_ACTIVE_ROWVERSION()`
      }`,
    // The database's last rowversion, taken or committed: every entry written so far is at or
    // below it (and entries of other tables too, which only widen the window).
    window:
      watermarkType === 'rowversion' && options.watermarkQuery === undefined
        ? 'SELECT CAST(@@DBTS AS binary(8)) AS [watermark]'
        : null,
    watermarkType,
  };
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^0x[0-9a-f]{1,16}$/i;

/** Binds `@since` as the ledger's type; null (a first read) binds the lowest value. */
export function bindSince(
  request: MssqlRequestLike,
  type: MovementWatermarkType,
  since: string | null,
): void {
  if (type === 'bigint') {
    if (since !== null && !DECIMAL.test(since))
      throw new Error(
        `movement watermark ${since} is not an entry number, but the ERP ledger's watermark is bigint (MSSQL_MOVEMENTS_WATERMARK_TYPE)`,
      );
    // Entry numbers are never negative: > -1 is "from the first entry", and the index still seeks.
    request.input('since', sql.BigInt, since ?? '-1');
    return;
  }
  if (since !== null && !HEX.test(since))
    throw new Error(
      `movement watermark ${since} is not an 8-byte rowversion, but the ERP ledger's watermark is rowversion (MSSQL_MOVEMENTS_WATERMARK_TYPE)`,
    );
  const bytes =
    since === null ? Buffer.alloc(8) : Buffer.from(since.slice(2).padStart(16, '0'), 'hex');
  request.input('since', sql.VarBinary(8), bytes);
}

/** Binds the page's other parameters. */
export function bindPage(
  request: MssqlRequestLike,
  options: FetchMovementsOptions,
  custom: boolean,
): void {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_MOVEMENT_PAGE)
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_MOVEMENT_PAGE}`);
  request.input('limit', sql.Int, options.limit);
  // A custom query always gets @warehouse (NULL = all); the default one only when it filters.
  if (custom || options.warehouse !== undefined)
    request.input('warehouse', sql.NVarChar(64), options.warehouse ?? null);
}

/**
 * The rows of one page as movements; any bad row, a row of the other watermark type, rows out of
 * watermark order or more rows than asked refuse the whole page (MovementRowError, naming the
 * row of the page and the column).
 */
export function readMovementPage(
  rows: readonly Record<string, unknown>[],
  since: string | null,
  options: FetchMovementsOptions,
  type: MovementWatermarkType,
): MovementPage {
  const problems: ImportRowError[] = [];
  const read: { movement: MovementPage['movements'][number]; row: number }[] = [];
  rows.forEach((dbRow, i) => {
    const row = i + 1;
    const result = readMovementRow(dbRow);
    if (!result.ok) {
      for (const p of result.problems) problems.push({ row, field: p.field, message: p.message });
      return;
    }
    const hex = result.movement.watermark.startsWith('0x');
    if (hex !== (type === 'rowversion')) {
      problems.push({
        row,
        field: 'watermark',
        message: `${result.movement.watermark} is not a ${type === 'bigint' ? 'bigint entry number' : 'rowversion'} (MSSQL_MOVEMENTS_WATERMARK_TYPE=${type})`,
      });
      return;
    }
    if (options.warehouse !== undefined && result.movement.warehouse !== options.warehouse) {
      problems.push({
        row,
        field: 'warehouse',
        message: `${result.movement.warehouse} was not asked for (@warehouse = ${options.warehouse})`,
      });
      return;
    }
    read.push({ movement: result.movement, row });
  });
  if (rows.length > options.limit)
    problems.push({
      row: options.limit + 1,
      field: null,
      message: `the query returned more than @limit = ${options.limit} rows (use TOP (@limit))`,
    });
  problems.push(...orderProblems(read, since));
  if (problems.length > 0)
    throw new MovementRowError(problems, 'the ERP ledger returned movements that cannot be read');
  const movements = read.map((r) => r.movement);
  return { movements, watermark: movements.at(-1)?.watermark ?? since };
}

/** The `watermark` column of the current-watermark query's one row (null: an empty ledger). */
export function readCurrentWatermark(
  rows: readonly Record<string, unknown>[],
  type: MovementWatermarkType,
): string | null {
  const value = rows[0]?.watermark;
  if (value === null || value === undefined) return null;
  const parsed = watermarkSchema.safeParse(watermarkOf(value));
  if (!parsed.success || parsed.data.startsWith('0x') !== (type === 'rowversion')) {
    throw new Error(
      `the ERP ledger's current watermark ${JSON.stringify(String(value)).slice(0, 60)} is not a ${type === 'bigint' ? 'bigint entry number' : 'rowversion'} (column watermark)`,
    );
  }
  return parsed.data;
}
