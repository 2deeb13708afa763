/**
 * The ERP ledger query at the `mssql` request boundary (issue #17): SQL text, bound parameters and
 * their types, and the mapping of rows — bad rows refuse the page naming the row and column.
 */
import type { Readable } from 'node:stream';
import sql, { type ISqlType } from 'mssql';
import { describe, expect, it } from 'vitest';
import { erpMovementSchema } from '@stockverify/shared';
import { createMssqlErpSource, type MssqlPoolLike, type MssqlRequestLike } from './mssql';
import { parseMovementColumnMap, type MssqlMovementOptions } from './mssql-movements';

type Row = Record<string, unknown>;

class FakeRequest implements MssqlRequestLike {
  readonly inputs: { name: string; type: (() => ISqlType) | ISqlType; value: unknown }[] = [];
  text: string | null = null;
  constructor(private readonly answer: (text: string) => Row[]) {}
  input(name: string, type: (() => ISqlType) | ISqlType, value: unknown): MssqlRequestLike {
    this.inputs.push({ name, type, value });
    return this;
  }
  async query(command: string): Promise<{ recordset?: Row[] }> {
    this.text = command;
    return { recordset: this.answer(command) };
  }
  toReadableStream(): Readable {
    throw new Error('movements are not streamed');
  }
  cancel(): void {}
}

function setup(rows: Row[] | ((text: string) => Row[]), movements: MssqlMovementOptions) {
  const requests: FakeRequest[] = [];
  const pool: MssqlPoolLike = {
    request() {
      const r = new FakeRequest(typeof rows === 'function' ? rows : () => rows);
      requests.push(r);
      return r;
    },
    async close() {},
  };
  const source = createMssqlErpSource({
    url: 'mssql://reader:secret@erp/ERP',
    connect: async () => pool,
    movements,
  });
  return { source, requests };
}

const posted = new Date('2026-12-06T09:15:00.000Z');
function ledgerRow(overrides: Row = {}): Row {
  return {
    item_code: 'IT1',
    warehouse: 'WH-MAIN',
    rack: 'A-01',
    quantity: -5,
    posted_at: posted,
    doc_type: 'SHIPMENT',
    doc_no: 'SH-1001',
    watermark: '120345',
    ...overrides,
  };
}

const LEDGER: MssqlMovementOptions = { table: 'erp.ItemLedger', watermarkType: 'bigint' };

describe('mssql movements: the ledger query', () => {
  it('has no movements unless a ledger table or query is configured', () => {
    const { source } = setup([], {});
    expect(source.fetchMovements).toBeUndefined();
    expect(source.currentWatermark).toBeUndefined();
  });

  it('reads a page after @since (bigint) with TOP (@limit), ordered by the watermark, values bound', async () => {
    const { source, requests } = setup([ledgerRow()], {
      ...LEDGER,
      columns: { watermark: 'Entry No_', item_code: 'Item No_', rack: null },
    });
    const page = await source.fetchMovements!('120000', { limit: 500 });
    const request = requests[0]!;
    expect(request.text).toBe(
      'SELECT TOP (@limit) [Item No_] AS [item_code], [warehouse] AS [warehouse], CAST(NULL AS nvarchar(64)) AS [rack], [quantity] AS [quantity], [posted_at] AS [posted_at], [doc_type] AS [doc_type], [doc_no] AS [doc_no], [Entry No_] AS [watermark] ' +
        'FROM [erp].[ItemLedger] WHERE [Entry No_] > @since ORDER BY [Entry No_]',
    );
    expect(request.inputs).toEqual([
      { name: 'since', type: sql.BigInt, value: '120000' },
      { name: 'limit', type: sql.Int, value: 500 },
    ]);
    expect(page).toEqual({
      movements: [
        {
          item_code: 'IT1',
          warehouse: 'WH-MAIN',
          rack: 'A-01',
          quantity: -5,
          posted_at: '2026-12-06T09:15:00.000Z',
          doc_type: 'SHIPMENT',
          doc_no: 'SH-1001',
          watermark: '120345',
        },
      ],
      watermark: '120345',
    });
    expect(() => erpMovementSchema.array().parse(page.movements)).not.toThrow();
  });

  it('starts a first read below every entry number, and filters a warehouse as a bound parameter', async () => {
    const { source, requests } = setup([], LEDGER);
    const hostile = "WH'; DROP TABLE x; --";
    const page = await source.fetchMovements!(null, { limit: 10, warehouse: hostile });
    expect(page).toEqual({ movements: [], watermark: null });
    const request = requests[0]!;
    expect(request.inputs).toEqual([
      { name: 'since', type: sql.BigInt, value: '-1' },
      { name: 'limit', type: sql.Int, value: 10 },
      { name: 'warehouse', type: sql.NVarChar(64), value: hostile },
    ]);
    expect(request.text).toContain('WHERE [watermark] > @since AND [warehouse] = @warehouse');
    expect(request.text).not.toContain('DROP');
  });

  it('pages a rowversion ledger: @since as varbinary(8), 8-byte values as 0x watermarks', async () => {
    const rv = Buffer.from('00000000000007d1', 'hex');
    const { source, requests } = setup([ledgerRow({ watermark: rv })], {
      table: 'dbo.Ledger',
      watermarkType: 'rowversion',
      columns: { watermark: 'RowVer' },
    });
    const page = await source.fetchMovements!('0x7D0', { limit: 1 });
    expect(requests[0]!.inputs[0]).toEqual({
      name: 'since',
      type: sql.VarBinary(8),
      value: Buffer.from('00000000000007d0', 'hex'),
    });
    expect(page.watermark).toBe('0x00000000000007d1');
    const first = setup([], { table: 'dbo.Ledger', watermarkType: 'rowversion' });
    await first.source.fetchMovements!(null, { limit: 1 });
    expect(first.requests[0]!.inputs[0]!.value).toEqual(Buffer.alloc(8));
  });

  it('reads a rowversion ledger only below MIN_ACTIVE_ROWVERSION(): rowversions commit out of order', async () => {
    // Entry 0x…7d1 may be committed while 0x…7d0 is still in an open transaction: a pull that read
    // 0x…7d1 would move its watermark past 0x…7d0, which would never be read once it commits.
    const { source, requests } = setup(
      (text) =>
        text.startsWith('SELECT MAX')
          ? [{ watermark: Buffer.from('00000000000007cf', 'hex') }]
          : [],
      { table: 'dbo.Ledger', watermarkType: 'rowversion', columns: { watermark: 'RowVer' } },
    );
    await source.fetchMovements!('0x07c0', { limit: 5, warehouse: 'WH-MAIN' });
    expect(requests[0]!.text).toContain(
      'WHERE [RowVer] > @since AND [RowVer] < MIN_ACTIVE_ROWVERSION() AND [warehouse] = @warehouse ORDER BY [RowVer]',
    );
    expect(await source.currentWatermark!()).toBe('0x00000000000007cf');
    expect(requests[1]!.text).toBe(
      'SELECT MAX([RowVer]) AS [watermark] FROM [dbo].[Ledger] WHERE [RowVer] < MIN_ACTIVE_ROWVERSION()',
    );
    // Entry numbers are the ERP's own sequence: no bound.
    const entries = setup([], LEDGER);
    await entries.source.fetchMovements!('1', { limit: 5 });
    expect(entries.requests[0]!.text).not.toContain('MIN_ACTIVE_ROWVERSION');
  });

  it('ends a snapshot window of a rowversion ledger at @@DBTS: every entry written so far, committed or not', async () => {
    const { source, requests } = setup([{ watermark: Buffer.from('00000000000007d2', 'hex') }], {
      table: 'dbo.Ledger',
      watermarkType: 'rowversion',
    });
    expect(await source.windowWatermark!()).toBe('0x00000000000007d2');
    expect(requests[0]!.text).toBe('SELECT CAST(@@DBTS AS binary(8)) AS [watermark]');
    // Entry numbers, or a watermark query of one's own: the current watermark ends it.
    expect(setup([], LEDGER).source.windowWatermark).toBeUndefined();
    expect(
      setup([], { query: 'SELECT 1', watermarkQuery: 'SELECT 1', watermarkType: 'rowversion' })
        .source.windowWatermark,
    ).toBeUndefined();
  });

  it('refuses a since of the other watermark type before asking SQL Server', async () => {
    const { source, requests } = setup([], LEDGER);
    await expect(source.fetchMovements!('0x07d1', { limit: 1 })).rejects.toThrow(
      /not an entry number.*MSSQL_MOVEMENTS_WATERMARK_TYPE/,
    );
    const rv = setup([], { table: 'dbo.L', watermarkType: 'rowversion' });
    await expect(rv.source.fetchMovements!('12', { limit: 1 })).rejects.toThrow(/rowversion/);
    expect(requests.every((r) => r.text === null)).toBe(true);
  });

  it('rejects a limit out of range', async () => {
    const { source } = setup([], LEDGER);
    await expect(source.fetchMovements!(null, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(source.fetchMovements!(null, { limit: 10_001 })).rejects.toThrow(RangeError);
  });

  it('runs a custom query verbatim with @since, @limit and @warehouse (NULL) bound', async () => {
    const query =
      'SELECT TOP (@limit) ItemNo AS item_code, Loc AS warehouse, Bin AS rack, Qty AS quantity, PostedAt AS posted_at, DocType AS doc_type, DocNo AS doc_no, EntryNo AS watermark FROM erp.Ledger WHERE EntryNo > @since AND (@warehouse IS NULL OR Loc = @warehouse) ORDER BY EntryNo';
    const { source, requests } = setup((text) => (text === query ? [] : [{ watermark: 7 }]), {
      query,
      watermarkQuery: 'SELECT 7 AS watermark',
    });
    await source.fetchMovements!('5', { limit: 3 });
    expect(requests[0]!.text).toBe(query);
    expect(requests[0]!.inputs.map((i) => [i.name, i.value])).toEqual([
      ['since', '5'],
      ['limit', 3],
      ['warehouse', null],
    ]);
    expect(await source.currentWatermark!()).toBe('7');
    expect(requests[1]!.text).toBe('SELECT 7 AS watermark');
  });

  it('reads the current watermark with MAX over the ledger; null for an empty ledger', async () => {
    const { source, requests } = setup(
      (text) => (text.startsWith('SELECT MAX') ? [{ watermark: '9007199254740993' }] : []),
      LEDGER,
    );
    expect(await source.currentWatermark!()).toBe('9007199254740993');
    expect(requests[0]!.text).toBe(
      'SELECT MAX([watermark]) AS [watermark] FROM [erp].[ItemLedger]',
    );
    const empty = setup([{ watermark: null }], LEDGER);
    expect(await empty.source.currentWatermark!()).toBeNull();
    const wrong = setup([{ watermark: 'abc' }], LEDGER);
    await expect(wrong.source.currentWatermark!()).rejects.toThrow(/column watermark/);
  });

  it('refuses unsafe ledger or column names when created', () => {
    expect(() => setup([], { table: 'erp.Ledger]; DROP TABLE x' })).toThrow(
      /unsafe SQL identifier/,
    );
    expect(() => setup([], { table: 'erp.Ledger', columns: { doc_no: 'No]' } })).toThrow(
      /unsafe SQL identifier/,
    );
  });
});

describe('mssql movements: rows', () => {
  it('maps driver types: bigint entry numbers as strings, decimals, null rack, Date posted_at', async () => {
    const { source } = setup(
      [
        ledgerRow({ watermark: '9223372036854775806', quantity: 12.5, rack: null }),
        ledgerRow({ watermark: '9223372036854775807', quantity: '-0.250', rack: '  ' }),
      ],
      LEDGER,
    );
    const page = await source.fetchMovements!('9223372036854775805', { limit: 2 });
    expect(page.movements.map((m) => [m.watermark, m.quantity, m.rack])).toEqual([
      ['9223372036854775806', 12.5, null],
      ['9223372036854775807', -0.25, null],
    ]);
    expect(page.watermark).toBe('9223372036854775807');
  });

  it('refuses a page with a bad row, naming the row and every column at fault', async () => {
    const { source } = setup(
      [
        ledgerRow({ watermark: '1' }),
        ledgerRow({ watermark: '2', item_code: null, quantity: 'lots', posted_at: 'yesterday' }),
      ],
      LEDGER,
    );
    const failure = source.fetchMovements!(null, { limit: 10 });
    await expect(failure).rejects.toThrow(/row 2 column item_code: required/);
    await expect(failure).rejects.toThrow(/row 2 column quantity/);
    await expect(failure).rejects.toThrow(/row 2 column posted_at/);
  });

  it('refuses quantities past the bounds or finer than thousandths', async () => {
    for (const quantity of [1_000_000_001, -1_000_000_001, 0.0001]) {
      const { source } = setup([ledgerRow({ quantity })], LEDGER);
      await expect(source.fetchMovements!(null, { limit: 1 })).rejects.toThrow(
        /row 1 column quantity/,
      );
    }
  });

  it('refuses rows out of watermark order, at or before @since, repeated, or beyond @limit', async () => {
    const cases: [Row[], string | null, number, RegExp][] = [
      [
        [ledgerRow({ watermark: '5' }), ledgerRow({ watermark: '4' })],
        null,
        10,
        /row 2 column watermark: 4 does not come after 5/,
      ],
      [
        [ledgerRow({ watermark: '5' }), ledgerRow({ watermark: '5' })],
        null,
        10,
        /row 2 column watermark/,
      ],
      [[ledgerRow({ watermark: '3' })], '3', 10, /row 1 column watermark: 3 is not after 3/],
      [
        [ledgerRow({ watermark: '1' }), ledgerRow({ watermark: '2' })],
        null,
        1,
        /more than @limit = 1/,
      ],
    ];
    for (const [rows, since, limit, message] of cases) {
      const { source } = setup(rows, LEDGER);
      await expect(source.fetchMovements!(since, { limit })).rejects.toThrow(message);
    }
  });

  it('refuses a rowversion in a bigint ledger, and a row of a warehouse not asked for', async () => {
    const rv = setup([ledgerRow({ watermark: Buffer.alloc(8, 1) })], LEDGER);
    await expect(rv.source.fetchMovements!(null, { limit: 1 })).rejects.toThrow(
      /column watermark: 0x0101010101010101 is not a bigint entry number/,
    );
    const other = setup([ledgerRow({ warehouse: 'WH-NORTH' })], LEDGER);
    await expect(
      other.source.fetchMovements!(null, { limit: 1, warehouse: 'WH-MAIN' }),
    ).rejects.toThrow(/column warehouse/);
  });
});

describe('parseMovementColumnMap', () => {
  it('accepts known keys, null only for rack', () => {
    expect(parseMovementColumnMap('{"watermark":"Entry No_","rack":null}')).toEqual({
      watermark: 'Entry No_',
      rack: null,
    });
    expect(() => parseMovementColumnMap('{"doc_no":null}')).toThrow(/"doc_no" is required/);
    expect(() => parseMovementColumnMap('{"entry":"x"}')).toThrow(/unknown key\(s\) "entry"/);
    expect(() => parseMovementColumnMap('{"quantity":"Qty]"}')).toThrow(/"quantity"/);
    expect(() => parseMovementColumnMap('{')).toThrow(/not valid JSON/);
  });
});
