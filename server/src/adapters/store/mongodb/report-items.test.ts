/**
 * The MongoDB stock summary and variance totals read the read model's rm_items documents (issue
 * #13), checked without a server: the read model that the SQLite store kept for the reports
 * dataset, its sessions, snapshot and item master are copied into in-memory stand-ins of the
 * collections, and the MongoDB report source must answer as the SQLite one does. (The contract
 * suites run the real thing where MONGODB_URI is set.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockSummaryGroup } from '@stockverify/shared';
import type {
  ReportQuery,
  ReportScope,
  ReportSource,
  StoreReportType,
} from '../../../ports/reports';
import type { Store } from '../../../ports/store';
import { seedReports } from '../../../../test/support/reports-fixture';
import { sqliteWithWriters } from '../../../../test/support/sqlite-with-writers';
import type { StoreFixture } from '../../../../test/support/store-adapters';
import { cents, milli } from '../read-model-plan';
import type { Collections } from './collections';
import type { ReadModelCollections } from './read-model';
import { createMongoReportSource } from './reports';

type Doc = Record<string, unknown>;

/** The filter operators the report source uses on these collections: equality, $in, $gte, $lt. */
function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([k, cond]) => {
    const v = doc[k];
    if (cond === null || typeof cond !== 'object') return v === cond;
    return Object.entries(cond as Doc).every(([op, arg]) => {
      if (op === '$in') return (arg as unknown[]).includes(v);
      if (op === '$gte') return (v as string) >= (arg as string);
      if (op === '$lt') return (v as string) < (arg as string);
      throw new Error(`operator ${op} not evaluated here`);
    });
  });
}

/** find() over documents in memory: filter, sort, and the cursor calls the source makes. */
function collection(name: string, docs: Doc[]) {
  return {
    collectionName: name,
    find(filter: Doc = {}) {
      let found = docs.filter((d) => matches(d, filter));
      const cursor = {
        sort(spec: Record<string, 1 | -1>) {
          const keys = Object.entries(spec);
          found = [...found].sort((a, b) => {
            for (const [k, dir] of keys) {
              if (a[k] !== b[k]) return ((a[k] as string) < (b[k] as string) ? -1 : 1) * dir;
            }
            return 0;
          });
          return cursor;
        },
        batchSize: () => cursor,
        close: async () => {},
        toArray: async () => found,
        async *[Symbol.asyncIterator]() {
          yield* found;
        },
      };
      return cursor;
    },
  };
}

let fx: StoreFixture;
let store: Store;
let mongo: ReportSource;

beforeAll(async () => {
  fx = await sqliteWithWriters.open();
  store = fx.store;
  await seedReports(store);
  const { items: sessions } = await store.sessions.list({
    page: 1,
    page_size: 100,
    sort: 'created_at',
  });
  const snapshot = (
    await Promise.all(sessions.map((s) => store.sessions.snapshotRows(s.id)))
  ).flat();
  const rmItems: Doc[] = [];
  for (const s of sessions) {
    const snapOf = new Map(
      snapshot.filter((r) => r.session_id === s.id).map((r) => [r.item_code, r]),
    );
    for (const f of await store.readModel.items(s.id)) {
      rmItems.push({
        session_id: s.id,
        item_code: f.item_code,
        counted_m: milli(f.counted_qty),
        damaged_m: milli(f.damaged_qty),
        nonret_m: milli(f.non_returnable_damaged_qty),
        lines: f.lines,
        racks: f.racks.map((r) => [r, 1]),
        users: [],
        book_qty: f.book_qty,
        cost: snapOf.get(f.item_code)?.cost ?? 0,
        price: snapOf.get(f.item_code)?.price ?? 0,
        variance_m: milli(f.variance),
        cost_c: cents(f.value_at_cost),
        price_c: cents(f.value_at_price),
      });
    }
  }
  const codes = [...new Set([...snapshot, ...rmItems].map((r) => String(r.item_code)))];
  const master = await store.items.getMany(codes);
  mongo = createMongoReportSource(
    {
      sessions: collection('sessions', sessions as unknown as Doc[]),
      snapshot: collection('session_snapshot', snapshot as unknown as Doc[]),
      items: collection('items', master as unknown as Doc[]),
      lines: collection('count_lines', []),
    } as unknown as Collections,
    { items: collection('rm_items', rmItems) } as unknown as ReadModelCollections,
  );
});

afterAll(async () => {
  await fx.dispose();
});

const query = <T extends StoreReportType>(
  type: T,
  scope: ReportScope,
  group_by: StockSummaryGroup = 'item',
): ReportQuery<T> => ({ type, scope, group_by });

describe('MongoDB stock summary and variance totals from the read model', () => {
  it.each<[string, ReportScope, StockSummaryGroup]>([
    ['per item', {}, 'item'],
    ['per category', {}, 'category'],
    ['per warehouse', {}, 'warehouse'],
    ['per item of one session', { session: 'S1' }, 'item'],
    [
      'per category in a warehouse, one category',
      { warehouse: 'WH1', category: 'Hardware' },
      'category',
    ],
  ])('stock summary %s equals the SQLite report', async (_, scope, groupBy) => {
    const q = query('stock_summary', scope, groupBy);
    const expected = await store.reports.page(q, 0, 100);
    expect(expected.some((r) => r.items_counted > 0)).toBe(true);
    expect(await mongo.page(q, 0, 100)).toEqual(expected);
    expect(await mongo.totals(q)).toEqual(await store.reports.totals(q));
  });

  it.each<[string, ReportScope]>([
    ['every session', {}],
    ['one session', { session: 'S1' }],
    ['balanced items kept', { session_ids: ['S2', 'S3'], include_balanced: true }],
    ['a category', { category: 'Hardware' }],
  ])('variance totals over %s equal the SQLite totals', async (_, scope) => {
    const q = query('variance', scope);
    const expected = await store.reports.totals(q);
    expect(expected.rows).toBeGreaterThan(0);
    expect(await mongo.totals(q)).toEqual(expected);
  });
});
