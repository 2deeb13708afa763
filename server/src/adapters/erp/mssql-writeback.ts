/**
 * The optional adjustment writer for SQL Server (issue #7): inserts a reconciled session's
 * adjustment package into a staging table the customer names (ERP_WRITEBACK_TABLE), in one
 * SERIALIZABLE transaction, once per (session id, content hash). It is the only write Stock
 * Verify ever makes to SQL Server and is off unless ERP_WRITEBACK_ENABLED=true.
 *
 * Every value is a bound parameter; the only text spliced into the SQL is the table name, which
 * must match `[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?` and is bracket-quoted. The table's shape is in
 * README.md beside this file.
 */
import sql, { type ISqlType } from 'mssql';
import { mssqlConfig } from './mssql-connection';
import {
  WRITEBACK_TABLE,
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

/** Columns of the staging table, in insert order, with their SQL types. */
export const WRITEBACK_COLUMNS: ReadonlyArray<{
  name: string;
  type: () => ISqlType;
  value: (row: AdjustmentRow, pkg: AdjustmentPackage, exportedAt: Date) => unknown;
}> = [
  { name: 'session_id', type: () => sql.NVarChar(64), value: (r) => r.session_id },
  { name: 'content_hash', type: () => sql.Char(64), value: (_r, p) => p.content_hash },
  { name: 'line_no', type: () => sql.Int(), value: (r) => r.line_no },
  { name: 'warehouse', type: () => sql.NVarChar(64), value: (r) => r.warehouse },
  { name: 'item_code', type: () => sql.NVarChar(64), value: (r) => r.item_code },
  { name: 'item_name', type: () => sql.NVarChar(256), value: (r) => r.item_name },
  { name: 'book_qty', type: () => sql.Decimal(18, 3), value: (r) => r.book_qty },
  { name: 'counted_qty', type: () => sql.Decimal(18, 3), value: (r) => r.counted_qty },
  { name: 'variance', type: () => sql.Decimal(18, 3), value: (r) => r.variance },
  { name: 'unit_cost', type: () => sql.Decimal(18, 4), value: (r) => r.unit_cost },
  { name: 'value_at_cost', type: () => sql.Decimal(18, 2), value: (r) => r.value_at_cost },
  { name: 'reason', type: () => sql.NVarChar(1000), value: (r) => r.reason },
  { name: 'approver', type: () => sql.NVarChar(256), value: (r) => r.approver },
  { name: 'approved_at', type: () => sql.DateTime2(3), value: (r) => new Date(r.approved_at) },
  { name: 'exported_at', type: () => sql.DateTime2(3), value: (_r, _p, at) => at },
];

/** SQL Server allows 2100 parameters per request; 15 columns × 100 rows stays well under. */
export const ROWS_PER_INSERT = 100;

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

  return {
    table: options.table,

    async write(pkg, exportedAt): Promise<WritebackResult> {
      const tx = (await getPool()).transaction();
      // SERIALIZABLE + UPDLOCK/HOLDLOCK: two API processes writing the same package at once
      // cannot both see "not there yet"; the second waits and then finds the first one's rows.
      await tx.begin(sql.ISOLATION_LEVEL.SERIALIZABLE);
      try {
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
        const request = tx.request();
        request.input('tsql', sql.NVarChar(4000), `SELECT * FROM ${target}`);
        const result = await request.query('EXEC sp_describe_first_result_set @tsql = @tsql');
        const found = new Set((result.recordset ?? []).map((r) => String(r.name ?? '')));
        return WRITEBACK_COLUMNS.map((c) => c.name).filter((name) => !found.has(name));
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
