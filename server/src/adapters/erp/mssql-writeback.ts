/**
 * The optional adjustment writer for SQL Server (issue #7): inserts a reconciled session's
 * adjustment package into a staging table the customer names (ERP_WRITEBACK_TABLE), in one
 * SERIALIZABLE transaction, once per (session id, content hash). It is the only write Stock
 * Verify ever makes to SQL Server and is off unless ERP_WRITEBACK_ENABLED=true.
 *
 * Every value is a bound parameter; the only text spliced into the SQL is the table name, which
 * must match `[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?` and is bracket-quoted. The table's shape is in
 * README.md beside this file (`stagingTableSql`); a table without every column is refused
 * (`WritebackTableOutdated`, with the ALTER TABLE that adds them) before anything is written.
 */
import sql, { type ISqlType } from 'mssql';
import { mssqlConfig } from './mssql-connection';
import {
  WRITEBACK_TABLE,
  WritebackTableOutdated,
  type AdjustmentPackage,
  type AdjustmentRow,
  type AdjustmentWriter,
  type WritebackResult,
} from '../../ports/erp-writeback';

/** The slice of mssql's Request the writer uses. */
export interface WriteRequestLike {
  input(name: string, type: (() => ISqlType) | ISqlType, value: unknown): WriteRequestLike;
  query(command: string): Promise<{ recordset?: readonly Record<string, unknown>[] }>;
}

/** The slice of mssql's Transaction the writer uses. */
export interface TransactionLike {
  begin(isolationLevel?: number): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  request(): WriteRequestLike;
}

export interface WritePoolLike {
  transaction(): TransactionLike;
  close(): Promise<void>;
}

export interface MssqlWritebackOptions {
  url: string;
  /** `table` or `schema.table`. */
  table: string;
  connect?: (url: string) => Promise<WritePoolLike>;
}

/** A column's type twice: bound to the driver, and as the DDL that creates it. */
interface ColumnType {
  type: () => ISqlType;
  ddl: string;
}
const nvarchar = (n: number): ColumnType => ({
  type: () => sql.NVarChar(n),
  ddl: `nvarchar(${n})`,
});
const char = (n: number): ColumnType => ({ type: () => sql.Char(n), ddl: `char(${n})` });
const int: ColumnType = { type: () => sql.Int(), ddl: 'int' };
const decimal = (p: number, s: number): ColumnType => ({
  type: () => sql.Decimal(p, s),
  ddl: `decimal(${p}, ${s})`,
});
const datetime2: ColumnType = { type: () => sql.DateTime2(3), ddl: 'datetime2(3)' };
const quantity = decimal(18, 3);
/** basis, at_count_status, moved_mode: the package's words (`keep_difference` is the longest). */
const word = nvarchar(32);

export interface WritebackColumn extends ColumnType {
  name: string;
  /** NULL allowed in the table the writer creates (where the package's value may be null). */
  nullable: boolean;
  value: (row: AdjustmentRow, pkg: AdjustmentPackage, exportedAt: Date) => unknown;
}

/**
 * Columns of the staging table, in insert order, with their SQL types. After `approved_at` come
 * what each row posts (issue #17, docs/design.md §13): `basis`, the snapshot variance and the
 * variance at count beside it, and the moved item's decision with its live book and target — the
 * package's fields, null where the package's are. A row without them (a package built before
 * issue #17) posts the snapshot variance: basis `snapshot`, at count `unknown`.
 */
export const WRITEBACK_COLUMNS: readonly WritebackColumn[] = [
  { name: 'session_id', ...nvarchar(64), nullable: false, value: (r) => r.session_id },
  { name: 'content_hash', ...char(64), nullable: false, value: (_r, p) => p.content_hash },
  { name: 'line_no', ...int, nullable: false, value: (r) => r.line_no },
  { name: 'warehouse', ...nvarchar(64), nullable: false, value: (r) => r.warehouse },
  { name: 'item_code', ...nvarchar(64), nullable: false, value: (r) => r.item_code },
  { name: 'item_name', ...nvarchar(256), nullable: false, value: (r) => r.item_name },
  { name: 'book_qty', ...quantity, nullable: false, value: (r) => r.book_qty },
  { name: 'counted_qty', ...quantity, nullable: false, value: (r) => r.counted_qty },
  { name: 'variance', ...quantity, nullable: false, value: (r) => r.variance },
  { name: 'unit_cost', ...decimal(18, 4), nullable: false, value: (r) => r.unit_cost },
  { name: 'value_at_cost', ...decimal(18, 2), nullable: false, value: (r) => r.value_at_cost },
  { name: 'reason', ...nvarchar(1000), nullable: true, value: (r) => r.reason },
  { name: 'approver', ...nvarchar(256), nullable: false, value: (r) => r.approver },
  {
    name: 'approved_at',
    ...datetime2,
    nullable: false,
    value: (r) => new Date(r.approved_at),
  },
  { name: 'exported_at', ...datetime2, nullable: false, value: (_r, _p, at) => at },
  { name: 'basis', ...word, nullable: false, value: (r) => r.basis ?? 'snapshot' },
  {
    name: 'snapshot_variance',
    ...quantity,
    nullable: false,
    value: (r) => r.snapshot_variance ?? r.variance,
  },
  {
    name: 'variance_at_count',
    ...quantity,
    nullable: true,
    value: (r) => r.variance_at_count ?? null,
  },
  {
    name: 'at_count_status',
    ...word,
    nullable: false,
    value: (r) => r.at_count_status ?? 'unknown',
  },
  { name: 'moved_mode', ...word, nullable: true, value: (r) => r.moved_mode ?? null },
  { name: 'live_book_qty', ...quantity, nullable: true, value: (r) => r.live_book_qty ?? null },
  { name: 'target_qty', ...quantity, nullable: true, value: (r) => r.target_qty ?? null },
];

/** SQL Server allows 2100 parameters per request: whole rows up to 2000 (22 columns: 90 rows). */
export const ROWS_PER_INSERT = Math.floor(2000 / WRITEBACK_COLUMNS.length);

/**
 * The staging table the writer expects (server/src/adapters/erp/README.md shows it for
 * `stage.StockVerifyAdjustments`; a test keeps the two equal).
 */
export function stagingTableSql(table: string): string {
  quoteTableName(table);
  const width = Math.max(...WRITEBACK_COLUMNS.map((c) => c.name.length)) + 1;
  const typeWidth = Math.max(...WRITEBACK_COLUMNS.map((c) => c.ddl.length)) + 1;
  const lines = WRITEBACK_COLUMNS.map(
    (c) =>
      `  ${c.name.padEnd(width)} ${c.ddl.padEnd(typeWidth)}${c.nullable ? 'NULL' : 'NOT NULL'},`,
  );
  const name = table.split('.').at(-1)!;
  return [
    `CREATE TABLE ${table} (`,
    ...lines,
    `  CONSTRAINT PK_${name} PRIMARY KEY (session_id, content_hash, line_no)`,
    ');',
  ].join('\n');
}

/**
 * The statement that adds `missing` columns to an existing staging table: nullable, since the
 * rows already there have no value for them.
 */
export function addColumnsSql(table: string, missing: readonly string[]): string {
  const columns = WRITEBACK_COLUMNS.filter((c) => missing.includes(c.name));
  return `ALTER TABLE ${quoteTableName(table)} ADD ${columns.map((c) => `[${c.name}] ${c.ddl} NULL`).join(', ')};`;
}

/** `stage.Adjustments` → `[stage].[Adjustments]`; anything else is refused. */
export function quoteTableName(table: string): string {
  if (!WRITEBACK_TABLE.test(table)) {
    throw new Error(`ERP_WRITEBACK_TABLE must be schema.table (letters, digits, _): ${table}`);
  }
  return table
    .split('.')
    .map((part) => `[${part}]`)
    .join('.');
}

async function connectPool(url: string): Promise<WritePoolLike> {
  const pool = new sql.ConnectionPool(mssqlConfig(url));
  await pool.connect();
  return pool;
}

/** The writer plus a startup check of its table. */
export interface MssqlAdjustmentWriter extends AdjustmentWriter {
  /** Staging-table columns the writer needs that the table lacks (describes, never writes). */
  missingColumns(): Promise<string[]>;
}

/** The staging-table writer over a SQL Server connection (its own pool, opened on first use). */
export function createMssqlAdjustmentWriter(options: MssqlWritebackOptions): MssqlAdjustmentWriter {
  const target = quoteTableName(options.table);
  const connect = options.connect ?? connectPool;
  const columnList = WRITEBACK_COLUMNS.map((c) => `[${c.name}]`).join(', ');
  let pool: Promise<WritePoolLike> | null = null;

  function getPool(): Promise<WritePoolLike> {
    if (!pool) {
      const attempt = connect(options.url);
      pool = attempt;
      attempt.catch(() => {
        if (pool === attempt) pool = null;
      });
    }
    return pool;
  }

  /** Needed columns the table does not return (described, never read or written). */
  async function missingIn(tx: TransactionLike): Promise<string[]> {
    const request = tx.request();
    request.input('tsql', sql.NVarChar(4000), `SELECT * FROM ${target}`);
    const result = await request.query('EXEC sp_describe_first_result_set @tsql = @tsql');
    const found = new Set((result.recordset ?? []).map((r) => String(r.name ?? '')));
    return WRITEBACK_COLUMNS.map((c) => c.name).filter((name) => !found.has(name));
  }

  return {
    table: options.table,

    async write(pkg, exportedAt): Promise<WritebackResult> {
      const tx = (await getPool()).transaction();
      // SERIALIZABLE + UPDLOCK/HOLDLOCK: two API processes writing the same package at once
      // cannot both see "not there yet"; the second waits and then finds the first one's rows.
      await tx.begin(sql.ISOLATION_LEVEL.SERIALIZABLE);
      try {
        // A table created before some columns (issue #17's basis and figures) is refused with
        // the statement that adds them, not half-written or failed on "Invalid column name".
        const missing = await missingIn(tx);
        if (missing.length > 0) {
          throw new WritebackTableOutdated(
            options.table,
            missing,
            addColumnsSql(options.table, missing),
          );
        }
        const probe = tx.request();
        probe.input('session_id', sql.NVarChar(64), pkg.session.id);
        probe.input('content_hash', sql.Char(64), pkg.content_hash);
        const existing = await probe.query(
          `SELECT COUNT(*) AS n FROM ${target} WITH (UPDLOCK, HOLDLOCK) WHERE [session_id] = @session_id AND [content_hash] = @content_hash`,
        );
        if (Number(existing.recordset?.[0]?.n ?? 0) > 0) {
          await tx.commit();
          return { table: options.table, inserted: 0, already_written: true };
        }
        for (let start = 0; start < pkg.rows.length; start += ROWS_PER_INSERT) {
          const chunk = pkg.rows.slice(start, start + ROWS_PER_INSERT);
          const request = tx.request();
          const tuples = chunk.map((row, r) => {
            const names = WRITEBACK_COLUMNS.map((column, c) => {
              const name = `r${r}c${c}`;
              request.input(name, column.type(), column.value(row, pkg, exportedAt));
              return `@${name}`;
            });
            return `(${names.join(', ')})`;
          });
          // Requests of one transaction run one after another (one connection).
          await request.query(`INSERT INTO ${target} (${columnList}) VALUES ${tuples.join(', ')}`);
        }
        await tx.commit();
        return { table: options.table, inserted: pkg.rows.length, already_written: false };
      } catch (err) {
        await tx.rollback().catch(() => {});
        throw err;
      }
    },

    async missingColumns() {
      const tx = (await getPool()).transaction();
      await tx.begin(sql.ISOLATION_LEVEL.READ_COMMITTED);
      try {
        return await missingIn(tx);
      } finally {
        await tx.rollback().catch(() => {});
      }
    },

    async close() {
      const current = pool;
      pool = null;
      const open = await current?.catch(() => null);
      await open?.close();
    },
  };
}

// Compile-time proof that the real driver fits the slice the writer depends on.
const _realPoolFits: (pool: sql.ConnectionPool) => WritePoolLike = (pool) => pool;
