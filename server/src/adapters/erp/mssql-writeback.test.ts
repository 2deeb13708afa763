import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { fakeStagingTable } from '../../../test/support/fake-staging-table';
import type {
  AdjustmentPackage,
  AdjustmentRow,
} from '../../modules/adjustments/adjustment-package';
import {
  ROWS_PER_INSERT,
  WRITEBACK_COLUMNS,
  createMssqlAdjustmentWriter,
  quoteTableName,
} from './mssql-writeback';

/** The writer over a staging table with every column; `existing` rows already there. */
function setup(existing = 0, failOn?: RegExp) {
  const tx = fakeStagingTable(
    WRITEBACK_COLUMNS.map((c) => c.name),
    {
      existing: Array.from({ length: existing }, (_, i) => ({
        session_id: 'S-1',
        content_hash: 'a'.repeat(64),
        line_no: i + 1,
      })),
      failOn,
    },
  );
  const writer = createMssqlAdjustmentWriter({
    url: 'mssql://writer:pw@erp/ERP',
    table: 'stage.StockAdjustments',
    connect: async () => tx.pool,
  });
  return { tx, writer };
}

function row(i: number): AdjustmentRow {
  return {
    line_no: i,
    session_id: 'S-1',
    warehouse: 'WH-T',
    item_code: `ITM-${i}`,
    item_name: `Robert'); DROP TABLE Students;-- ${i}`,
    book_qty: 10,
    counted_qty: 7,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    variance: -3,
    unit_cost: 2.5,
    value_at_cost: -7.5,
    value_at_price: -9,
    reason: 'broken',
    approver: 'sup',
    approved_at: '2026-11-29T12:00:00.000Z',
  };
}

function pkg(rows: AdjustmentRow[]): AdjustmentPackage {
  return {
    format: 'stockverify.adjustments/1',
    session: {
      id: 'S-1',
      name: 'Cycle',
      warehouse: 'WH-T',
      mode: 'standard',
      reconciled_at: '2026-11-29T12:00:00.000Z',
      reconciled_by: 'sup',
    },
    rows,
    totals: { items: rows.length, variance: 0, value_at_cost: 0, value_at_price: 0 },
    content_hash: 'a'.repeat(64),
    generated_at: '2026-11-29T12:30:00.000Z',
  };
}

const exportedAt = new Date('2026-11-29T12:30:00Z');

describe('mssql adjustment writer', () => {
  it('describes the table, checks for the package under UPDLOCK, then inserts every row as bound parameters, in one SERIALIZABLE transaction', async () => {
    const { tx, writer } = setup();
    const result = await writer.write(pkg([row(1), row(2)]), exportedAt);
    expect(result).toEqual({
      table: 'stage.StockAdjustments',
      inserted: 2,
      already_written: false,
    });
    expect(tx.events).toEqual([`begin:${sql.ISOLATION_LEVEL.SERIALIZABLE}`, 'commit']);
    const [describeTable, probe, insert] = tx.sent;
    expect(describeTable!.text).toBe('EXEC sp_describe_first_result_set @tsql = @tsql');
    expect(describeTable!.inputs[0]!.value).toBe('SELECT * FROM [stage].[StockAdjustments]');
    expect(probe!.text).toBe(
      'SELECT COUNT(*) AS n FROM [stage].[StockAdjustments] WITH (UPDLOCK, HOLDLOCK) WHERE [session_id] = @session_id AND [content_hash] = @content_hash',
    );
    expect(probe!.inputs.map((i) => [i.name, i.value])).toEqual([
      ['session_id', 'S-1'],
      ['content_hash', 'a'.repeat(64)],
    ]);
    const columns = WRITEBACK_COLUMNS.map((c) => `[${c.name}]`).join(', ');
    expect(insert!.text).toMatch(
      new RegExp(
        `^INSERT INTO \\[stage\\]\\.\\[StockAdjustments\\] \\(${columns.replace(/[[\]]/g, '\\$&')}\\) VALUES \\(@r0c0, .*\\), \\(@r1c0, .*@r1c${WRITEBACK_COLUMNS.length - 1}\\)$`,
      ),
    );
    // Values never reach the SQL text.
    expect(insert!.text).not.toContain('DROP');
    expect(insert!.inputs).toHaveLength(2 * WRITEBACK_COLUMNS.length);
    const first = Object.fromEntries(
      insert!.inputs
        .slice(0, WRITEBACK_COLUMNS.length)
        .map((i, c) => [WRITEBACK_COLUMNS[c]!.name, i.value]),
    );
    expect(first).toMatchObject({
      session_id: 'S-1',
      content_hash: 'a'.repeat(64),
      line_no: 1,
      item_code: 'ITM-1',
      variance: -3,
      value_at_cost: -7.5,
      approved_at: new Date('2026-11-29T12:00:00.000Z'),
      exported_at: exportedAt,
    });
    expect(String(first.item_name)).toContain('DROP TABLE');
  });

  it('splits large packages into inserts of at most ROWS_PER_INSERT rows (2100-parameter limit)', async () => {
    const { tx, writer } = setup();
    const rows = Array.from({ length: ROWS_PER_INSERT * 2 + 5 }, (_, i) => row(i + 1));
    await writer.write(pkg(rows), exportedAt);
    const inserts = tx.sent.filter((s) => s.text.startsWith('INSERT'));
    expect(inserts.map((s) => s.inputs.length / WRITEBACK_COLUMNS.length)).toEqual([
      ROWS_PER_INSERT,
      ROWS_PER_INSERT,
      5,
    ]);
    expect(Math.max(...inserts.map((s) => s.inputs.length))).toBeLessThan(2100);
  });

  it('writes nothing when the same session and content hash are already there (idempotent)', async () => {
    const { tx, writer } = setup(3);
    const result = await writer.write(pkg([row(1)]), exportedAt);
    expect(result).toEqual({ table: 'stage.StockAdjustments', inserted: 0, already_written: true });
    expect(tx.sent.map((s) => s.text.split(' ')[0])).toEqual(['EXEC', 'SELECT']);
    expect(tx.events.at(-1)).toBe('commit');
  });

  it('rolls back the whole package when an insert fails', async () => {
    const rows = Array.from({ length: ROWS_PER_INSERT + 1 }, (_, i) => row(i + 1));
    const { tx, writer } = setup(0, /@r0c0, .*@r1c0/);
    await expect(writer.write(pkg(rows), exportedAt)).rejects.toThrow(/truncated/);
    expect(tx.events).toEqual([`begin:${sql.ISOLATION_LEVEL.SERIALIZABLE}`, 'rollback']);
    expect(tx.rows).toEqual([]);
  });

  it('refuses table names that are not schema.table of plain identifiers', () => {
    expect(quoteTableName('Adjustments')).toBe('[Adjustments]');
    expect(quoteTableName('stage.Adj_2026')).toBe('[stage].[Adj_2026]');
    for (const bad of ['a.b.c', 'stage.[x]', 'x; DROP TABLE y', 'a b', '', 'stage.']) {
      expect(() => quoteTableName(bad)).toThrow(/ERP_WRITEBACK_TABLE/);
    }
    expect(() => createMssqlAdjustmentWriter({ url: 'mssql://x', table: 'dbo.x]--' })).toThrow(
      /ERP_WRITEBACK_TABLE/,
    );
  });
});

describe('mssql adjustment writer: startup check', () => {
  it('describes the staging table without writing and names the columns it lacks', async () => {
    const tx = fakeStagingTable(WRITEBACK_COLUMNS.map((c) => c.name).filter((n) => n !== 'reason'));
    const writer = createMssqlAdjustmentWriter({
      url: 'mssql://x',
      table: 'stage.StockAdjustments',
      connect: async () => tx.pool,
    });
    expect(await writer.missingColumns()).toEqual(['reason']);
    expect(tx.sent[0]!.text).toBe('EXEC sp_describe_first_result_set @tsql = @tsql');
    expect(tx.sent[0]!.inputs[0]!.value).toBe('SELECT * FROM [stage].[StockAdjustments]');
    expect(tx.sent).toHaveLength(1);
    expect(tx.events.at(-1)).toBe('rollback');
  });
});
