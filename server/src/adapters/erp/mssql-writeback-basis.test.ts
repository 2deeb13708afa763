/**
 * The staging writer carries what each package row posts (issue #17 item 3, docs/design.md §13
 * "The wiring": the adjustment package): `basis`, `snapshot_variance`, `variance_at_count`,
 * `at_count_status`, `moved_mode`, `live_book_qty` and `target_qty`, bound with SQL Server types,
 * null where the package has null. The rows are built by `buildAdjustmentPackage` from the worked
 * example (ITM-B: book 100 at watermark 1000, counted 93 after a pick of 5, then a receipt of 12
 * and a pick of 4: snapshot −7, at count −2, live book 103). A staging table created before these
 * columns is refused with the ALTER TABLE that adds them, before anything is written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { fakeStagingTable } from '../../../test/support/fake-staging-table';
import { NEW_COLUMNS, workedPackage } from '../../../test/support/staging-package';
import { WritebackTableOutdated } from '../../ports/erp-writeback';
import {
  ROWS_PER_INSERT,
  WRITEBACK_COLUMNS,
  addColumnsSql,
  createMssqlAdjustmentWriter,
  stagingTableSql,
} from './mssql-writeback';

function writerOver(columns: readonly string[]) {
  const table = fakeStagingTable(columns);
  const writer = createMssqlAdjustmentWriter({
    url: 'mssql://writer:pw@erp/ERP',
    table: 'stage.StockAdjustments',
    connect: async () => table.pool,
  });
  return { table, writer };
}

const exportedAt = new Date('2026-12-06T10:00:00Z');

describe('mssql adjustment writer: what each row posts', () => {
  it('writes basis, the snapshot variance and the variance at count beside the old columns, the decision and its figures', async () => {
    const { table, writer } = writerOver(WRITEBACK_COLUMNS.map((c) => c.name));
    const pkg = workedPackage();
    expect(await writer.write(pkg, exportedAt)).toEqual({
      table: 'stage.StockAdjustments',
      inserted: 5,
      already_written: false,
    });
    const pick = (r: Record<string, unknown>) =>
      Object.fromEntries(['item_code', 'variance', ...NEW_COLUMNS].map((c) => [c, r[c]]));
    expect(table.rows.map(pick)).toEqual([
      {
        item_code: 'ITM-A',
        variance: -2,
        basis: 'snapshot',
        snapshot_variance: -2,
        variance_at_count: -2,
        at_count_status: 'not_moved',
        moved_mode: null,
        live_book_qty: null,
        target_qty: null,
      },
      {
        item_code: 'ITM-B',
        variance: -2,
        basis: 'at_count',
        snapshot_variance: -7,
        variance_at_count: -2,
        at_count_status: 'exact',
        moved_mode: null,
        live_book_qty: 103,
        target_qty: 101,
      },
      {
        item_code: 'ITM-K',
        variance: -10,
        basis: 'keep_counted',
        snapshot_variance: -7,
        variance_at_count: -2,
        at_count_status: 'exact',
        moved_mode: 'keep_counted',
        live_book_qty: 103,
        target_qty: 93,
      },
      {
        item_code: 'ITM-D',
        variance: -2,
        basis: 'keep_difference',
        snapshot_variance: -7,
        variance_at_count: -2,
        at_count_status: 'exact',
        moved_mode: 'keep_difference',
        live_book_qty: 103,
        target_qty: 101,
      },
      {
        item_code: 'ITM-U',
        variance: -7,
        basis: 'snapshot',
        snapshot_variance: -7,
        variance_at_count: null,
        at_count_status: 'unknown',
        moved_mode: null,
        live_book_qty: null,
        target_qty: null,
      },
    ]);
    // Each row's values as the package has them, and the rows in package order.
    expect(table.rows.map((r) => r.line_no)).toEqual(pkg.rows.map((r) => r.line_no));
  });

  it('binds quantities as decimal(18, 3) and the words as nvarchar, nulls as null (never undefined)', async () => {
    const { table, writer } = writerOver(WRITEBACK_COLUMNS.map((c) => c.name));
    await writer.write(workedPackage(), exportedAt);
    const insert = table.sent.find((s) => s.text.startsWith('INSERT'))!;
    const firstRow = insert.inputs.slice(0, WRITEBACK_COLUMNS.length);
    const byColumn = Object.fromEntries(
      firstRow.map((input, c) => [WRITEBACK_COLUMNS[c]!.name, input]),
    );
    for (const quantity of [
      'snapshot_variance',
      'variance_at_count',
      'live_book_qty',
      'target_qty',
    ]) {
      expect(byColumn[quantity]!.type, quantity).toEqual({
        type: sql.Decimal,
        precision: 18,
        scale: 3,
      });
    }
    for (const word of ['basis', 'at_count_status', 'moved_mode']) {
      expect(byColumn[word]!.type, word).toEqual({ type: sql.NVarChar, length: 32 });
    }
    // ITM-A: no decision, no live book: bound as null.
    for (const empty of ['moved_mode', 'live_book_qty', 'target_qty']) {
      expect(byColumn[empty]!.value, empty).toBeNull();
    }
    // The new columns are in the insert's column list, and values never reach its text.
    for (const name of NEW_COLUMNS) expect(insert.text).toContain(`[${name}]`);
    expect(insert.text).not.toMatch(/keep_|at_count'|snapshot'/);
  });

  it('keeps every insert under SQL Server’s 2,100 parameters with the wider rows', () => {
    expect(ROWS_PER_INSERT * WRITEBACK_COLUMNS.length).toBeLessThanOrEqual(2000);
    expect(ROWS_PER_INSERT).toBe(Math.floor(2000 / WRITEBACK_COLUMNS.length));
  });
});

describe('mssql adjustment writer: a staging table created before these columns', () => {
  const OLD_COLUMNS = WRITEBACK_COLUMNS.map((c) => c.name).filter((n) => !NEW_COLUMNS.includes(n));
  const ALTER =
    'ALTER TABLE [stage].[StockAdjustments] ADD [basis] nvarchar(32) NULL, [snapshot_variance] decimal(18, 3) NULL, [variance_at_count] decimal(18, 3) NULL, [at_count_status] nvarchar(32) NULL, [moved_mode] nvarchar(32) NULL, [live_book_qty] decimal(18, 3) NULL, [target_qty] decimal(18, 3) NULL;';

  it('is refused before anything is written, naming the missing columns and the ALTER TABLE that adds them', async () => {
    const { table, writer } = writerOver(OLD_COLUMNS);
    const refused = await writer.write(workedPackage(), exportedAt).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WritebackTableOutdated);
    expect(refused).toMatchObject({
      table: 'stage.StockAdjustments',
      missing: NEW_COLUMNS,
      alter: ALTER,
    });
    expect((refused as Error).message).toContain(ALTER);
    expect((refused as Error).message).toContain('lacks basis, snapshot_variance');
    expect(table.sent.some((s) => s.text.startsWith('INSERT'))).toBe(false);
    expect(table.rows).toEqual([]);
    expect(table.events.at(-1)).toBe('rollback');
  });

  it('writes once the ALTER TABLE ran (the new columns nullable on the old table)', async () => {
    const { table, writer } = writerOver(OLD_COLUMNS);
    expect(addColumnsSql('stage.StockAdjustments', await writer.missingColumns())).toBe(ALTER);
    table.columns.push(...NEW_COLUMNS);
    expect(await writer.missingColumns()).toEqual([]);
    expect((await writer.write(workedPackage(), exportedAt)).inserted).toBe(5);
  });
});

describe('the staging table’s DDL', () => {
  it('is the one in server/src/adapters/erp/README.md, with NOT NULL where the package always has a value', () => {
    const ddl = stagingTableSql('stage.StockVerifyAdjustments');
    const readme = readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), 'README.md'),
      'utf8',
    );
    expect(readme).toContain(ddl);
    // …and the ALTER TABLE it shows for a table created before the new columns.
    expect(readme).toContain(addColumnsSql('stage.StockVerifyAdjustments', NEW_COLUMNS));
    expect(ddl).toContain('  basis              nvarchar(32)   NOT NULL,');
    expect(ddl).toContain('  snapshot_variance  decimal(18, 3) NOT NULL,');
    expect(ddl).toContain('  variance_at_count  decimal(18, 3) NULL,');
    expect(ddl).toContain('  moved_mode         nvarchar(32)   NULL,');
    expect(ddl).toContain(
      'CONSTRAINT PK_StockVerifyAdjustments PRIMARY KEY (session_id, content_hash, line_no)',
    );
  });
});
