/**
 * Staging write-back contract (issue #7, issue #17 item 3; server/src/adapters/erp/README.md):
 * the SQL Server writer against a staging table. Always over the fake table behind the `mssql`
 * request boundary (test/support/fake-staging-table.ts); against a real server too when
 * `MSSQL_URL` is set — its login needs CREATE TABLE in `dbo` (each run creates its own
 * `dbo.sv_staging_contract_<random>` from `stagingTableSql` and drops it).
 */
import { randomBytes } from 'node:crypto';
import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { mssqlConfig } from '../../src/adapters/erp/mssql-connection';
import {
  WRITEBACK_COLUMNS,
  createMssqlAdjustmentWriter,
  stagingTableSql,
  type MssqlAdjustmentWriter,
} from '../../src/adapters/erp/mssql-writeback';
import { WritebackTableOutdated, type AdjustmentPackage } from '../../src/ports/erp-writeback';
import { fakeStagingTable } from '../support/fake-staging-table';
import { NEW_COLUMNS, workedPackage } from '../support/staging-package';

interface StagingTable {
  writer: MssqlAdjustmentWriter;
  /** The table's rows by line number. */
  rows(): Promise<Array<Record<string, unknown>>>;
  /** Runs a statement the writer's error handed out (the ALTER TABLE). */
  run(statement: string): Promise<void>;
  cleanup(): Promise<void>;
}

interface StagingCase {
  name: string;
  /** A staging table of `columns` (the writer's names, typed as `stagingTableSql` types them). */
  create(columns: readonly string[]): Promise<StagingTable>;
}

const cases: StagingCase[] = [
  {
    name: 'fake staging table',
    create: async (columns) => {
      const table = fakeStagingTable(columns);
      const writer = createMssqlAdjustmentWriter({
        url: 'mssql://writer:pw@erp/ERP',
        table: 'stage.StockVerifyAdjustments',
        connect: async () => table.pool,
      });
      return {
        writer,
        rows: async () => [...table.rows].sort((a, b) => Number(a.line_no) - Number(b.line_no)),
        run: async (statement) => {
          const added = /^ALTER TABLE \S+ ADD (.*);$/.exec(statement)![1]!;
          for (const [, name] of added.matchAll(/\[(\w+)\] [^,]+/g)) table.columns.push(name!);
        },
        cleanup: () => writer.close(),
      };
    },
  },
];

const mssqlUrl = process.env.MSSQL_URL;
if (mssqlUrl) {
  cases.push({
    name: 'mssql',
    create: async (columns) => {
      const name = `dbo.sv_staging_contract_${randomBytes(6).toString('hex')}`;
      const pool = new sql.ConnectionPool(mssqlConfig(mssqlUrl));
      await pool.connect();
      // The documented table, less the columns this case leaves out.
      const ddl = stagingTableSql(name)
        .split('\n')
        .filter((line) => {
          const column = /^ {2}(\w+) /.exec(line)?.[1];
          return !column || column === 'CONSTRAINT' || columns.includes(column);
        })
        .join('\n');
      await pool.request().query(ddl);
      const writer = createMssqlAdjustmentWriter({ url: mssqlUrl, table: name });
      return {
        writer,
        rows: async () =>
          (await pool.request().query(`SELECT * FROM ${name} ORDER BY line_no`)).recordset,
        run: async (statement) => void (await pool.request().query(statement)),
        cleanup: async () => {
          await writer.close();
          await pool.request().query(`DROP TABLE ${name}`);
          await pool.close();
        },
      };
    },
  });
}

const exportedAt = new Date('2026-12-06T10:00:00Z');

/** What a row posts, from the package (numbers as numbers, absent as null). */
function posted(row: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const c of ['line_no', 'item_code', 'variance', ...NEW_COLUMNS]) {
    const v = row[c] ?? null;
    out[c] = typeof v === 'string' && c !== 'item_code' && /^-?\d/.test(v) ? Number(v) : v;
  }
  return out;
}

const expected = (pkg: AdjustmentPackage) =>
  pkg.rows.map((r) => posted(r as unknown as Record<string, unknown>));

describe.each(cases)('staging write-back contract: $name', ({ create }) => {
  const all = WRITEBACK_COLUMNS.map((c) => c.name);
  const old = all.filter((c) => !NEW_COLUMNS.includes(c));

  it('writes every row with what it posts and the figures beside it, once per content hash', async () => {
    const table = await create(all);
    try {
      expect(await table.writer.missingColumns()).toEqual([]);
      const pkg = workedPackage();
      expect(await table.writer.write(pkg, exportedAt)).toMatchObject({
        inserted: pkg.rows.length,
        already_written: false,
      });
      expect((await table.rows()).map(posted)).toEqual(expected(pkg));
      expect(await table.writer.write(pkg, exportedAt)).toMatchObject({
        inserted: 0,
        already_written: true,
      });
      expect(await table.rows()).toHaveLength(pkg.rows.length);
    } finally {
      await table.cleanup();
    }
  });

  it('refuses a table without the new columns whole; after its ALTER TABLE the package is written', async () => {
    const table = await create(old);
    try {
      expect(await table.writer.missingColumns()).toEqual(NEW_COLUMNS);
      const pkg = workedPackage();
      const refused = await table.writer.write(pkg, exportedAt).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WritebackTableOutdated);
      expect((refused as WritebackTableOutdated).missing).toEqual(NEW_COLUMNS);
      expect(await table.rows()).toEqual([]);
      await table.run((refused as WritebackTableOutdated).alter);
      expect(await table.writer.missingColumns()).toEqual([]);
      expect((await table.writer.write(pkg, exportedAt)).inserted).toBe(pkg.rows.length);
      expect((await table.rows()).map(posted)).toEqual(expected(pkg));
    } finally {
      await table.cleanup();
    }
  });
});
