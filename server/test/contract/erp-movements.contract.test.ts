/**
 * ErpSource movements contract (issue #17): every adapter pages its ledger alike — watermarks
 * strictly increase, `since` is exclusive, the limit is honoured, pages of any size add up to the
 * whole ledger with nothing lost or repeated, movements posted later follow on from the last
 * watermark, and the warehouse filter keeps the ledger's order. demo and file always run; mssql
 * runs over a ledger held by a fake pool that honours the bound @since/@limit/@warehouse (the SQL
 * text is boundary-tested in mssql-movements.test.ts), and against a real server when MSSQL_URL
 * and MSSQL_MOVEMENTS_TABLE point at a ledger with movements (read-only: no growth step there).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ISqlType } from 'mssql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWatermarks, erpMovementSchema, type ErpMovement } from '@stockverify/shared';
import type { ErpSource } from '../../src/ports/erp';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createFileErpSource } from '../../src/adapters/erp/file';
import {
  createMssqlErpSource,
  type MssqlPoolLike,
  type MssqlRequestLike,
} from '../../src/adapters/erp/mssql';
import { parseMovementColumnMap } from '../../src/adapters/erp/mssql-movements';

interface LedgerCase {
  name: string;
  create: () => Promise<{
    source: ErpSource;
    /** Posts more movements; absent where the ledger cannot be written (a real ERP). */
    grow?: () => Promise<void>;
    cleanup?: () => Promise<void>;
  }>;
}

const WAREHOUSES = ['WH-MAIN', 'WH-NORTH'];
function ledgerRow(n: number) {
  return {
    item_code: `IT${1000 + (n % 7)}`,
    warehouse: WAREHOUSES[n % 3 === 0 ? 1 : 0]!,
    rack: n % 5 === 0 ? null : `A-0${(n % 9) + 1}`,
    quantity: n % 4 === 0 ? 12 : -(n % 3) - 0.5,
    posted_at: new Date(Date.UTC(2026, 11, 6, 9, 0, n)).toISOString(),
    doc_type: n % 4 === 0 ? 'RECEIPT' : 'SHIPMENT',
    doc_no: `DOC-${n}`,
  };
}

/** A SQL Server that holds a ledger and answers the adapter's page query by its bound values. */
function fakeLedgerPool(rows: () => Record<string, unknown>[]): MssqlPoolLike {
  return {
    request() {
      const inputs = new Map<string, unknown>();
      const request: MssqlRequestLike = {
        input(name: string, _type: (() => ISqlType) | ISqlType, value: unknown) {
          inputs.set(name, value);
          return request;
        },
        async query(text: string) {
          const all = rows();
          if (text.startsWith('SELECT MAX'))
            return { recordset: [{ watermark: all.at(-1)?.watermark ?? null }] };
          const since = BigInt(inputs.get('since') as string);
          const warehouse = inputs.get('warehouse') as string | undefined;
          const limit = inputs.get('limit') as number;
          const page = all
            .filter((r) => BigInt(r.watermark as string) > since)
            .filter((r) => warehouse === undefined || r.warehouse === warehouse)
            .slice(0, limit);
          return { recordset: page };
        },
        toReadableStream(): Readable {
          throw new Error('not streamed');
        },
        cancel() {},
      };
      return request;
    },
    async close() {},
  };
}

const cases: LedgerCase[] = [
  {
    name: 'demo',
    create: async () => {
      let now = Date.parse('2026-12-06T09:00:00Z');
      const source = createDemoErpSource({
        itemCount: 200,
        movementsPerMinute: 13,
        clock: () => new Date(now),
      });
      const grow = async () => {
        now += 2 * 60_000;
        // A read posts what is due (the demo moves only while its ledger is read).
        await source.fetchMovements!(null, { limit: 1 });
      };
      await source.fetchMovements!(null, { limit: 1 });
      await grow();
      return { source, grow };
    },
  },
  {
    name: 'file',
    create: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sv-movements-contract-'));
      const items = join(dir, 'items.csv');
      const path = join(dir, 'movements.csv');
      await writeFile(items, 'item_code,name\nIT1000,One\n');
      let count = 26;
      const write = () =>
        writeFile(
          path,
          [
            'entry_no,item_code,warehouse,rack,quantity,posted_at,doc_type,doc_no',
            // Written newest first: a ledger export need not be sorted.
            ...Array.from({ length: count }, (_, i) => {
              const n = count - i;
              const r = ledgerRow(n);
              return `${n * 10},${r.item_code},${r.warehouse},${r.rack ?? ''},${r.quantity},${r.posted_at},${r.doc_type},${r.doc_no}`;
            }),
          ].join('\n'),
        );
      await write();
      return {
        source: createFileErpSource({ path: items, movementsPath: path }),
        grow: async () => {
          count += 9;
          await write();
        },
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'mssql (fake ledger)',
    create: async () => {
      const rows: Record<string, unknown>[] = [];
      const post = (n: number) =>
        rows.push({
          ...ledgerRow(n),
          posted_at: new Date(ledgerRow(n).posted_at),
          watermark: String(n * 3),
        });
      for (let n = 1; n <= 26; n++) post(n);
      const pool = fakeLedgerPool(() => rows);
      return {
        source: createMssqlErpSource({
          url: 'mssql://reader:secret@erp/ERP',
          connect: async () => pool,
          movements: { table: 'erp.Ledger' },
        }),
        grow: async () => {
          const next = rows.length + 1;
          for (let n = next; n < next + 9; n++) post(n);
        },
      };
    },
  },
];

const mssqlUrl = process.env.MSSQL_URL;
const ledgerTable = process.env.MSSQL_MOVEMENTS_TABLE;
if (mssqlUrl && ledgerTable) {
  cases.push({
    name: 'mssql',
    create: async () => ({
      source: createMssqlErpSource({
        url: mssqlUrl,
        movements: {
          table: ledgerTable,
          watermarkType:
            process.env.MSSQL_MOVEMENTS_WATERMARK_TYPE === 'rowversion' ? 'rowversion' : 'bigint',
          columns: process.env.MSSQL_MOVEMENTS_COLUMN_MAP
            ? parseMovementColumnMap(process.env.MSSQL_MOVEMENTS_COLUMN_MAP)
            : undefined,
        },
      }),
    }),
  });
}

async function readAll(source: ErpSource, since: string | null, limit: number, warehouse?: string) {
  const all: ErpMovement[] = [];
  let watermark = since;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await source.fetchMovements!(watermark, { limit, warehouse });
    expect(page.movements.length).toBeLessThanOrEqual(limit);
    expect(page.watermark).toBe(page.movements.at(-1)?.watermark ?? watermark);
    all.push(...page.movements);
    watermark = page.watermark;
    if (page.movements.length < limit) break;
  }
  return { all, watermark };
}

function strictlyIncreasing(movements: readonly ErpMovement[], after: string | null) {
  let previous = after;
  for (const m of movements) {
    if (previous !== null) expect(compareWatermarks(m.watermark, previous)).toBeGreaterThan(0);
    previous = m.watermark;
  }
}

describe.each(cases)('ErpSource movements contract: $name', (ledger) => {
  let source: ErpSource;
  let grow: (() => Promise<void>) | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ source, grow, cleanup } = await ledger.create());
  });
  afterAll(async () => {
    await source?.close();
    await cleanup?.();
  });

  it('reads valid movements in strictly increasing watermark order; currentWatermark is the last', async () => {
    const { all, watermark } = await readAll(source, null, 1000);
    expect(all.length).toBeGreaterThan(3);
    for (const m of all) expect(erpMovementSchema.parse(m)).toEqual(m);
    strictlyIncreasing(all, null);
    expect(await source.currentWatermark!()).toBe(watermark);
  });

  it('pages of any size add up to the whole ledger, nothing lost or repeated', async () => {
    const { all } = await readAll(source, null, 1000);
    for (const limit of [1, 2, 7]) {
      const paged = await readAll(source, null, limit);
      expect(paged.all).toEqual(all);
    }
  });

  it('treats since as exclusive', async () => {
    const { all } = await readAll(source, null, 1000);
    const k = Math.floor(all.length / 2);
    const page = await source.fetchMovements!(all[k]!.watermark, { limit: 3 });
    expect(page.movements).toEqual(all.slice(k + 1, k + 4));
    const end = await source.fetchMovements!(all.at(-1)!.watermark, { limit: 3 });
    expect(end).toEqual({ movements: [], watermark: all.at(-1)!.watermark });
  });

  it('keeps the ledger order within one warehouse', async () => {
    const { all } = await readAll(source, null, 1000);
    for (const warehouse of new Set(all.map((m) => m.warehouse))) {
      const paged = await readAll(source, null, 2, warehouse);
      expect(paged.all).toEqual(all.filter((m) => m.warehouse === warehouse));
    }
  });

  it('movements posted later follow on from the last watermark', async () => {
    if (!grow) return; // a real ERP ledger is only read
    const before = await readAll(source, null, 1000);
    await grow();
    const after = await readAll(source, before.watermark, 4);
    expect(after.all.length).toBeGreaterThan(0);
    strictlyIncreasing(after.all, before.watermark);
    expect((await readAll(source, null, 1000)).all).toEqual([...before.all, ...after.all]);
  });
});
