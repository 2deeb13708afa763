import { PassThrough, type Readable } from 'node:stream';
import sql, { type ISqlType } from 'mssql';
import { describe, expect, it } from 'vitest';
import { itemSchema, warehouseSchema, type Item } from '@stockverify/shared';
import {
  createMssqlErpSource,
  parseMssqlColumnMap,
  type MssqlErpOptions,
  type MssqlPoolLike,
  type MssqlRequestLike,
  type MssqlRowProblem,
} from './mssql';

type Row = Record<string, unknown>;
type Answer = Row[] | Error;

interface Input {
  name: string;
  type: (() => ISqlType) | ISqlType;
  value: unknown;
}

/** Stands in for mssql's Request: records what the adapter binds and sends, answers from a script. */
class FakeRequest implements MssqlRequestLike {
  readonly inputs: Input[] = [];
  text: string | null = null;
  cancelled = false;
  private stream: PassThrough | null = null;

  constructor(private readonly answer: (text: string) => Answer) {}

  input(name: string, type: (() => ISqlType) | ISqlType, value: unknown): MssqlRequestLike {
    this.inputs.push({ name, type, value });
    return this;
  }

  async query(command: string): Promise<{ recordset?: Row[] }> {
    this.text = command;
    const answer = this.answer(command);
    if (this.stream) {
      // Like the driver in stream mode: rows and errors go to the stream, the promise resolves.
      if (answer instanceof Error) this.stream.destroy(answer);
      else {
        for (const row of answer) this.stream.write(row);
        this.stream.end();
      }
      return {};
    }
    if (answer instanceof Error) throw answer;
    return { recordset: answer };
  }

  toReadableStream(): Readable {
    this.stream = new PassThrough({ objectMode: true });
    return this.stream;
  }

  cancel(): void {
    this.cancelled = true;
  }
}

class FakePool implements MssqlPoolLike {
  readonly requests: FakeRequest[] = [];
  closed = false;
  constructor(private readonly answer: (text: string) => Answer) {}
  request(): FakeRequest {
    const request = new FakeRequest(this.answer);
    this.requests.push(request);
    return request;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function setup(
  answer: Answer | ((text: string) => Answer),
  options: Partial<MssqlErpOptions> = {},
) {
  const pool = new FakePool(typeof answer === 'function' ? answer : () => answer);
  const problems: MssqlRowProblem[] = [];
  const connects: string[] = [];
  const source = createMssqlErpSource({
    url: 'mssql://reader:secret@erp/ERP',
    connect: async (url) => {
      connects.push(url);
      return pool;
    },
    onRowError: (p) => problems.push(p),
    now: () => new Date('2025-01-01T00:00:00Z'),
    ...options,
  });
  return { source, pool, problems, connects };
}

async function collect(iterable: AsyncIterable<Item[]>): Promise<Item[][]> {
  const batches: Item[][] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

const changed = new Date('2024-12-01T08:30:00Z');

function row(overrides: Row): Row {
  return {
    item_code: 'IT1',
    name: 'LED Bulb',
    category: 'Lighting',
    brand: 'Philips',
    supplier: 'Delta',
    uom: 'PCS',
    price: 3.2,
    cost: 2.1,
    barcode: null,
    manual_barcode: null,
    pack_barcode: null,
    pack_qty: null,
    serialized: false,
    batch_tracked: false,
    active: true,
    warehouse: null,
    floor: null,
    rack: null,
    location_barcode: null,
    stock_qty: null,
    updated_at: changed,
    ...overrides,
  };
}

describe('mssql ErpSource: queries', () => {
  it('binds since as a DateTime2 parameter and never splices values into the SQL', async () => {
    const { source, pool } = setup([]);
    const since = new Date('2024-11-30T23:59:59.123Z');
    await collect(source.fetchItems({ since }));
    const request = pool.requests[0]!;
    expect(request.inputs).toEqual([{ name: 'since', type: sql.DateTime2, value: since }]);
    expect(request.text).toMatch(/^SELECT /);
    expect(request.text).toContain('@since');
    expect(request.text).not.toContain('2024');
    expect(request.text).toBe(
      'SELECT [item_code], [name], [category], [brand], [supplier], [uom], [price], [cost], [barcode], [manual_barcode], [pack_barcode], [pack_qty], [serialized], [batch_tracked], [active], [warehouse], [floor], [rack], [location_barcode], [stock_qty], [updated_at] ' +
        'FROM [dbo].[StockVerifyItems] WHERE @since IS NULL OR [item_code] IN (SELECT [item_code] FROM [dbo].[StockVerifyItems] WHERE [updated_at] > @since) ORDER BY [item_code]',
    );
  });

  it('binds null for a full sync', async () => {
    const { source, pool } = setup([]);
    await collect(source.fetchItems());
    expect(pool.requests[0]!.inputs).toEqual([{ name: 'since', type: sql.DateTime2, value: null }]);
  });

  it('keeps a hostile barcode a bound parameter', async () => {
    const { source, pool } = setup([]);
    const hostile = "x' OR 1=1; DROP TABLE Items; --";
    expect(await source.findByBarcode(hostile)).toBeNull();
    const request = pool.requests[0]!;
    expect(request.inputs).toHaveLength(1);
    expect(request.inputs[0]!.name).toBe('code');
    expect(request.inputs[0]!.value).toBe(hostile);
    expect(request.text).not.toContain('DROP');
    expect(request.text).not.toContain("'");
    expect(request.text).toContain(
      '[barcode] = @code OR [manual_barcode] = @code OR [pack_barcode] = @code',
    );
  });

  it('runs a custom item query verbatim, still with @since bound', async () => {
    const itemQuery =
      'SELECT * FROM erp.MyItems WHERE (@since IS NULL OR Changed > @since) ORDER BY ItemNo';
    const { source, pool } = setup([], { itemQuery });
    await collect(source.fetchItems());
    expect(pool.requests[0]!.text).toBe(itemQuery);
    expect(pool.requests[0]!.inputs.map((i) => i.name)).toEqual(['since']);
  });

  it('drops columns mapped to null from the SQL, and the since filter without updated_at', async () => {
    const { source, pool } = setup([], {
      view: 'erp.Items',
      columns: { updated_at: null, floor: null, location_barcode: null, pack_barcode: null },
    });
    await collect(source.fetchItems());
    await source.findByBarcode('1');
    const [items, lookup] = pool.requests.map((r) => r.text!);
    expect(items).toContain('FROM [erp].[Items] ORDER BY [item_code]');
    expect(items).not.toMatch(/updated_at|floor|location_barcode|pack_barcode/);
    expect(lookup).toContain('WHERE [barcode] = @code OR [manual_barcode] = @code)');
  });

  it('refuses unsafe view or column names when created', () => {
    expect(() => setup([], { view: 'dbo.Items]; DROP TABLE x; --' })).toThrow(
      /unsafe SQL identifier/,
    );
    expect(() => setup([], { view: 'a.b.c' })).toThrow(/schema\.name/);
    expect(() => setup([], { columns: { name: 'Name]' } })).toThrow(/unsafe SQL identifier/);
  });

  it('asks nothing for warehouses when the view has no warehouse column', async () => {
    const { source, connects } = setup([], { columns: { warehouse: null } });
    expect(await source.fetchWarehouses()).toEqual([]);
    expect(connects).toEqual([]);
  });

  it('pings with SELECT 1 and closes the pool', async () => {
    const { source, pool } = setup([{ ok: 1 }]);
    await source.ping();
    expect(pool.requests[0]!.text).toBe('SELECT 1 AS ok');
    await source.close();
    expect(pool.closed).toBe(true);
  });
});

describe('mssql ErpSource: rows to items', () => {
  it('groups consecutive rows of one item code into one item', async () => {
    const { source, problems } = setup([
      row({
        barcode: '8710103123453',
        warehouse: 'WH-MAIN',
        floor: 'GF',
        rack: 'A-01',
        stock_qty: 10,
      }),
      row({
        pack_barcode: '18710103123450',
        pack_qty: 12,
        warehouse: 'WH-MAIN',
        floor: 'GF',
        rack: 'A-01',
        stock_qty: 10,
      }),
      row({
        barcode: '8710103123453',
        warehouse: 'WH-NORTH',
        rack: 'B-02',
        stock_qty: 4,
        updated_at: new Date('2024-12-05T00:00:00Z'),
      }),
      row({
        item_code: 'IT2',
        name: 'Copper Wire',
        uom: 'M',
        barcode: 'CW-1',
        warehouse: 'WH-MAIN',
        rack: 'C-01',
        stock_qty: 12.25,
      }),
    ]);
    const [batch] = await collect(source.fetchItems());
    expect(problems).toEqual([]);
    expect(batch).toHaveLength(2);
    const [bulb, wire] = batch!.map((i) => itemSchema.parse(i));
    expect(bulb).toEqual({
      item_code: 'IT1',
      name: 'LED Bulb',
      category: 'Lighting',
      brand: 'Philips',
      supplier: 'Delta',
      uom: 'PCS',
      decimal_qty: false,
      price: 3.2,
      cost: 2.1,
      serialized: false,
      batch_tracked: false,
      barcodes: [
        { code: '8710103123453', kind: 'primary', pack_qty: 1 },
        { code: '18710103123450', kind: 'pack', pack_qty: 12 },
      ],
      // The joined view repeats WH-MAIN/A-01 once per barcode: one stock line, not 20.
      stock: [
        { warehouse: 'WH-MAIN', rack: 'A-01', qty: 10 },
        { warehouse: 'WH-NORTH', rack: 'B-02', qty: 4 },
      ],
      active: true,
      updated_at: '2024-12-05T00:00:00.000Z',
    });
    expect(wire).toMatchObject({ item_code: 'IT2', decimal_qty: true, stock: [{ qty: 12.25 }] });
  });

  it('applies the column map to the rows and the SQL', async () => {
    const columns = parseMssqlColumnMap(
      JSON.stringify({
        item_code: 'ItemNo',
        name: 'Description',
        barcode: 'EAN',
        stock_qty: 'On Hand',
        warehouse: 'WhsCode',
        updated_at: 'Changed',
        floor: null,
        location_barcode: null,
      }),
    );
    const dbRow = (code: string, whs: string, qty: number): Row => ({
      ItemNo: code,
      Description: `Item ${code}`,
      category: null,
      brand: null,
      supplier: null,
      uom: 'BOX',
      price: 5,
      cost: 4,
      EAN: `EAN-${code}`,
      manual_barcode: null,
      pack_barcode: null,
      pack_qty: null,
      serialized: 'Y',
      batch_tracked: 0,
      active: 1,
      WhsCode: whs,
      rack: null,
      'On Hand': qty,
      Changed: changed,
      // Columns we did not map are not read, even when they hold our field names.
      item_code: 'WRONG',
      name: 'WRONG',
    });
    const { source, pool } = setup(
      [dbRow('A1', 'W1', 3), dbRow('A1', 'W2', 5), dbRow('B2', 'W1', 1)],
      {
        columns,
      },
    );
    const items = (await collect(source.fetchItems())).flat();
    expect(pool.requests[0]!.text).toContain('SELECT [ItemNo], [Description],');
    expect(pool.requests[0]!.text).toContain('[On Hand], [Changed] FROM');
    expect(pool.requests[0]!.text).toContain('ORDER BY [ItemNo]');
    expect(items.map((i) => [i.item_code, i.name, i.serialized, i.uom])).toEqual([
      ['A1', 'Item A1', true, 'BOX'],
      ['B2', 'Item B2', true, 'BOX'],
    ]);
    expect(items[0]!.stock).toEqual([
      { warehouse: 'W1', rack: null, qty: 3 },
      { warehouse: 'W2', rack: null, qty: 5 },
    ]);
    expect(items[0]!.barcodes).toEqual([{ code: 'EAN-A1', kind: 'primary', pack_qty: 1 }]);
  });

  it('yields batches of batchSize items, however many rows each item has', async () => {
    const rows = ['A', 'B', 'C', 'D', 'E'].flatMap((code) => [
      row({ item_code: code, warehouse: 'W1', stock_qty: 1 }),
      row({ item_code: code, warehouse: 'W2', stock_qty: 2 }),
    ]);
    const { source } = setup(rows);
    const batches = await collect(source.fetchItems({ batchSize: 2 }));
    expect(batches.map((b) => b.map((i) => i.item_code))).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
    expect(batches.flat().every((i) => i.stock.length === 2)).toBe(true);
  });

  it('cancels the request when the consumer stops early', async () => {
    const { source, pool } = setup(['A', 'B', 'C'].map((code) => row({ item_code: code })));
    for await (const batch of source.fetchItems({ batchSize: 1 })) {
      expect(batch).toHaveLength(1);
      break;
    }
    expect(pool.requests[0]!.cancelled).toBe(true);
  });

  it('skips and reports rows that cannot be part of a valid item', async () => {
    const { source, problems } = setup([
      row({ item_code: 'A', price: -1 }),
      row({ item_code: 'B', warehouse: 'W', stock_qty: 1 }),
      row({ item_code: 'B', name: 'Other name', warehouse: 'W2', stock_qty: 1 }),
      row({ item_code: 'C', stock_qty: 2.5, warehouse: 'W' }),
      row({ item_code: 'D' }),
    ]);
    const items = (await collect(source.fetchItems())).flat();
    expect(items.map((i) => i.item_code)).toEqual(['B', 'D']);
    expect(items[0]!.stock).toEqual([{ warehouse: 'W', rack: null, qty: 1 }]);
    expect(problems.map(({ item_code, field }) => ({ item_code, field }))).toEqual([
      { item_code: 'A', field: 'price' },
      { item_code: 'B', field: 'name' },
      { item_code: 'C', field: 'stock_qty' },
    ]);
  });

  it('finds an item by any barcode kind from the rows of the lookup query', async () => {
    const { source, pool } = setup((text) =>
      text.includes('@code')
        ? [
            row({ barcode: '5000', warehouse: 'W', stock_qty: 1 }),
            row({ pack_barcode: '15000', pack_qty: 6 }),
          ]
        : [],
    );
    const item = await source.findByBarcode(' 15000 ');
    expect(item?.item_code).toBe('IT1');
    expect(pool.requests[0]!.inputs[0]).toEqual({
      name: 'code',
      type: expect.anything(),
      value: '15000',
    });
    expect(await source.findByBarcode('')).toBeNull();
    expect(pool.requests).toHaveLength(1);
  });

  it('answers null when the lookup rows do not carry the code', async () => {
    const { source } = setup([row({ barcode: '5000' })]);
    expect(await source.findByBarcode('9999')).toBeNull();
  });

  it('builds warehouses from location rows, with names when mapped', async () => {
    const { source, pool } = setup(
      [
        {
          warehouse: 'WH-MAIN',
          WhsName: 'Main Warehouse',
          floor: 'GF',
          rack: 'A-02',
          location_barcode: 'L-A2',
        },
        {
          warehouse: 'WH-MAIN',
          WhsName: 'Main Warehouse',
          floor: 'GF',
          rack: 'A-01',
          location_barcode: null,
        },
        {
          warehouse: 'WH-MAIN',
          WhsName: 'Main Warehouse',
          floor: 'F1',
          rack: 'A-01',
          location_barcode: null,
        },
        { warehouse: 'WH-NORTH', WhsName: null, floor: null, rack: null, location_barcode: null },
      ],
      { columns: { warehouse_name: 'WhsName' } },
    );
    const warehouses = await source.fetchWarehouses();
    expect(pool.requests[0]!.text).toBe(
      'SELECT DISTINCT [warehouse], [WhsName], [floor], [rack], [location_barcode] FROM [dbo].[StockVerifyItems] WHERE [warehouse] IS NOT NULL',
    );
    expect(warehouses.map((w) => warehouseSchema.parse(w))).toEqual([
      {
        id: 'WH-MAIN',
        name: 'Main Warehouse',
        floors: [{ code: 'GF', name: 'Ground floor' }],
        racks: [
          { code: 'A-01', floor: 'GF', location_barcode: null },
          { code: 'A-02', floor: 'GF', location_barcode: 'L-A2' },
        ],
      },
      { id: 'WH-NORTH', name: 'WH-NORTH', floors: [], racks: [] },
    ]);
  });
});

describe('mssql ErpSource: failures', () => {
  it('propagates a query error raised while streaming', async () => {
    const { source } = setup(new Error('Invalid object name dbo.StockVerifyItems'));
    await expect(collect(source.fetchItems())).rejects.toThrow(/Invalid object name/);
  });

  it('propagates ping and lookup errors', async () => {
    const { source } = setup(new Error('Login failed for user reader'));
    await expect(source.ping()).rejects.toThrow(/Login failed/);
    await expect(source.findByBarcode('1')).rejects.toThrow(/Login failed/);
    await expect(source.fetchWarehouses()).rejects.toThrow(/Login failed/);
  });

  it('propagates a failed connect and tries again on the next call', async () => {
    let attempts = 0;
    const pool = new FakePool(() => [{ ok: 1 }]);
    const source = createMssqlErpSource({
      url: 'mssql://erp/ERP',
      connect: async () => {
        attempts++;
        if (attempts === 1) throw new Error('ECONNREFUSED');
        return pool;
      },
    });
    await expect(source.ping()).rejects.toThrow('ECONNREFUSED');
    await expect(source.ping()).resolves.toBeUndefined();
    await source.ping();
    expect(attempts).toBe(2);
    await source.close();
    expect(pool.closed).toBe(true);
  });

  it('closes cleanly when the pool never connected', async () => {
    const source = createMssqlErpSource({
      url: 'mssql://erp/ERP',
      connect: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    await expect(source.ping()).rejects.toThrow('ECONNREFUSED');
    await expect(source.close()).resolves.toBeUndefined();
  });

  it('rejects a bad batch size before touching the database', async () => {
    const { source, connects } = setup([]);
    await expect(collect(source.fetchItems({ batchSize: 0 }))).rejects.toThrow(RangeError);
    expect(connects).toEqual([]);
  });
});

describe('parseMssqlColumnMap', () => {
  it('accepts known keys with column names or null', () => {
    expect(
      parseMssqlColumnMap('{"item_code":"ItemNo","floor":null,"stock_qty":" On Hand "}'),
    ).toEqual({
      item_code: 'ItemNo',
      floor: null,
      stock_qty: 'On Hand',
    });
  });

  it('names every unknown key', () => {
    expect(() => parseMssqlColumnMap('{"item_code":"A","colour":"B","sizee":"C"}')).toThrow(
      /unknown key\(s\) "colour", "sizee"/,
    );
  });

  it('names keys with unsafe or empty column names', () => {
    expect(() => parseMssqlColumnMap('{"name":"Descr]; DROP TABLE x","price":""}')).toThrow(
      /"name": must be a plain column name.*"price"/,
    );
    expect(() => parseMssqlColumnMap('{"price":5}')).toThrow(/"price"/);
  });

  it('rejects null for a required column, non-objects and invalid JSON', () => {
    expect(() => parseMssqlColumnMap('{"item_code":null}')).toThrow(/"item_code" is required/);
    expect(() => parseMssqlColumnMap('["item_code"]')).toThrow(/Invalid MSSQL column map/);
    expect(() => parseMssqlColumnMap('{item_code:')).toThrow(/not valid JSON/);
  });
});

describe('mssql ErpSource: item query columns (startup check)', () => {
  const described = (names: string[]): Row[] =>
    names.map((name, i) => ({ column_ordinal: i + 1, name, is_hidden: false }));

  it('describes the item query without running it, the query a bound parameter', async () => {
    const { source, pool } = setup(
      described(['item_code', 'name', 'stock_qty', 'warehouse', 'updated_at']),
      {
        itemQuery: 'SELECT ItemNo AS item_code FROM erp.v WHERE @since IS NULL ORDER BY 1',
      },
    );
    await source.checkItemColumns();
    const request = pool.requests[0]!;
    expect(request.text).toBe('EXEC sp_describe_first_result_set @tsql = @tsql, @params = @params');
    expect(request.inputs.map((i) => [i.name, i.value])).toEqual([
      ['tsql', 'SELECT ItemNo AS item_code FROM erp.v WHERE @since IS NULL ORDER BY 1'],
      ['params', '@since datetime2'],
    ]);
  });

  it('names every mapped column the query lacks, and one that differs only in case', async () => {
    const { source } = setup(described(['ItemNo', 'description', 'OnHand', 'updated_at']), {
      columns: {
        item_code: 'ItemNo',
        name: 'Description',
        stock_qty: 'OnHand',
        category: null,
        brand: null,
        supplier: null,
        uom: null,
        price: null,
        cost: null,
        barcode: null,
        manual_barcode: null,
        pack_barcode: null,
        pack_qty: null,
        serialized: null,
        batch_tracked: null,
        active: null,
        floor: null,
        rack: null,
        location_barcode: null,
      },
    });
    const report = await source.checkItemColumns();
    expect(report.columns).toEqual(['ItemNo', 'description', 'OnHand', 'updated_at']);
    expect(report.missing).toEqual([
      'name (column Description; the query returns description)',
      'warehouse (column warehouse)',
    ]);
  });

  it('finds nothing missing when the default view has every column', async () => {
    const all = [
      'item_code',
      'name',
      'category',
      'brand',
      'supplier',
      'uom',
      'price',
      'cost',
      'barcode',
      'manual_barcode',
      'pack_barcode',
      'pack_qty',
      'serialized',
      'batch_tracked',
      'active',
      'warehouse',
      'floor',
      'rack',
      'location_barcode',
      'stock_qty',
      'updated_at',
    ];
    const { source } = setup(described(all));
    expect((await source.checkItemColumns()).missing).toEqual([]);
  });

  it('propagates an error describing the query (a view that does not exist)', async () => {
    const { source } = setup(new Error("Invalid object name 'dbo.StockVerifyItems'."));
    await expect(source.checkItemColumns()).rejects.toThrow(/Invalid object name/);
  });
});

describe('mssql ErpSource: quantities pass (fetchStock)', () => {
  async function collectStock(source: ReturnType<typeof setup>['source'], since?: Date) {
    const updates = [];
    for await (const batch of source.fetchStock!({ since })) updates.push(...batch);
    return updates;
  }

  it('reads only code and stock columns, grouped in SQL, since bound as a parameter', async () => {
    const { source, pool } = setup([]);
    const since = new Date('2026-11-29T10:00:00Z');
    await collectStock(source, since);
    const request = pool.requests[0]!;
    expect(request.inputs).toEqual([{ name: 'since', type: sql.DateTime2, value: since }]);
    expect(request.text).toBe(
      'SELECT [item_code] AS [item_code], [warehouse] AS [warehouse], [rack] AS [rack], [stock_qty] AS [stock_qty], MAX([updated_at]) AS [updated_at] FROM [dbo].[StockVerifyItems] WHERE @since IS NULL OR [item_code] IN (SELECT [item_code] FROM [dbo].[StockVerifyItems] WHERE [updated_at] > @since) GROUP BY [item_code], [warehouse], [rack], [stock_qty] ORDER BY [item_code]',
    );
  });

  it('maps columns, and does without rack and updated_at when the view has none', async () => {
    const { source, pool } = setup([], {
      columns: {
        item_code: 'ItemNo',
        warehouse: 'WhsCode',
        stock_qty: 'OnHand',
        rack: null,
        updated_at: null,
      },
    });
    await collectStock(source);
    expect(pool.requests[0]!.text).toBe(
      'SELECT [ItemNo] AS [item_code], [WhsCode] AS [warehouse], CAST(NULL AS nvarchar(64)) AS [rack], [OnHand] AS [stock_qty], CAST(NULL AS datetime2) AS [updated_at] FROM [dbo].[StockVerifyItems] GROUP BY [ItemNo], [WhsCode], [OnHand] ORDER BY [ItemNo]',
    );
  });

  it('has no quantities pass when the view has no stock column, and runs a custom query verbatim', async () => {
    const none = setup([], { columns: { stock_qty: null } });
    await expect(collectStock(none.source)).rejects.toThrow(/no warehouse or stock_qty column/);
    const custom = setup([], {
      stockQuery: 'SELECT x FROM erp.Qty WHERE @since IS NULL ORDER BY 1',
    });
    await collectStock(custom.source);
    expect(custom.pool.requests[0]!.text).toBe(
      'SELECT x FROM erp.Qty WHERE @since IS NULL ORDER BY 1',
    );
  });

  it('groups rows per item; repeats collapse, no warehouse means no stock, contradictions drop the item', async () => {
    const t1 = new Date('2026-11-29T09:00:00Z');
    const t2 = new Date('2026-11-29T09:30:00Z');
    const { source, problems } = setup([
      { item_code: 'IT1', warehouse: 'WH', rack: 'A-01', stock_qty: 5, updated_at: t1 },
      { item_code: 'IT1', warehouse: 'WH', rack: 'A-01', stock_qty: 5, updated_at: t2 },
      { item_code: 'IT1', warehouse: 'WH2', rack: null, stock_qty: '2.5', updated_at: t1 },
      { item_code: 'IT2', warehouse: null, rack: null, stock_qty: null, updated_at: t1 },
      { item_code: 'IT3', warehouse: 'WH', rack: 'A-02', stock_qty: 1, updated_at: t1 },
      { item_code: 'IT3', warehouse: 'WH', rack: 'A-02', stock_qty: 4, updated_at: t1 },
      { item_code: 'IT4', warehouse: 'WH', rack: null, stock_qty: 'lots', updated_at: null },
      { item_code: 'IT5', warehouse: 'WH', rack: null, stock_qty: -3, updated_at: null },
    ]);
    expect(await collectStock(source)).toEqual([
      {
        item_code: 'IT1',
        stock: [
          { warehouse: 'WH', rack: 'A-01', qty: 5 },
          { warehouse: 'WH2', rack: null, qty: 2.5 },
        ],
        updated_at: t2.toISOString(),
      },
      { item_code: 'IT2', stock: [], updated_at: t1.toISOString() },
      { item_code: 'IT5', stock: [{ warehouse: 'WH', rack: null, qty: -3 }], updated_at: null },
    ]);
    expect(problems).toEqual([
      { item_code: 'IT3', field: 'stock_qty', message: 'WH/A-02 has two quantities (1 and 4)' },
      { item_code: 'IT4', field: 'stock_qty', message: 'not a number' },
    ]);
  });
});
