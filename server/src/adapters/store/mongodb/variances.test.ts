/**
 * The MongoDB variances page over the read model's item documents (issue #13), without a server:
 * the builders' shape (index-led $match and $sort, lookups only where needed), and their meaning —
 * the filters, sort and cursor evaluated here over the read model that a SQLite store kept for a
 * generated session must page exactly as the SQLite adapter (sqlite/variances.ts) does, for every
 * sort and filter, by page number and by cursor.
 */
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeVariance, varianceValue, type LineStatus } from '@stockverify/shared';
import type { VariancePageQuery, VariancePageResult } from '../../../ports/variances';
import type { Store } from '../../../ports/store';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { storeAdapters, type StoreFixture } from '../../../../test/support/store-adapters';
import { atCountFields, cents, milli } from '../read-model-plan';
import { vacKeys } from './read-model';
import {
  sortKeyOf,
  toSessionItemVariance,
  varianceCountPipeline,
  varianceFilter,
  variancePagePipeline,
  type VarianceDoc,
} from './variances';

const names = { snapshot: 'session_snapshot', items: 'items' };
const base: VariancePageQuery = { sort: '-abs_variance', page: 1, page_size: 50 };
const stageNames = (p: Document[]) => p.map((s) => Object.keys(s)[0]);

describe('variancePagePipeline (shape)', () => {
  it('leads with the session match and the sort, so the sort index serves the page', () => {
    const p = variancePagePipeline('S1', { ...base, page: 3, page_size: 20 }, names);
    expect(p.slice(0, 4)).toEqual([
      { $match: { session_id: 'S1' } },
      { $sort: { abs_variance_m: -1, item_code: 1 } },
      { $skip: 40 },
      { $limit: 21 },
    ]);
    // Names and categories are looked up for the page's rows only.
    expect(stageNames(p).slice(4)).toEqual(['$lookup', '$lookup', '$set', '$set', '$project']);
  });

  it('compiles only the filters asked for; a category filter looks items up before the sort', () => {
    expect(varianceFilter('S1', { has_variance: true, rack: 'A-01' })).toEqual({
      session_id: 'S1',
      variance_m: { $ne: 0 },
      rack_codes: 'A-01',
    });
    expect(varianceFilter('S1', { needs_review: false })).toEqual({
      session_id: 'S1',
      review_lines: { $eq: 0 },
    });
    const p = variancePagePipeline('S1', { ...base, sort: 'item_code', category: 'Paint' }, names);
    expect(stageNames(p)).toEqual([
      '$match',
      '$lookup',
      '$lookup',
      '$set',
      '$set',
      '$project',
      '$match',
      '$sort',
      '$skip',
      '$limit',
    ]);
    expect(p[6]).toEqual({ $match: { category: 'Paint' } });
    expect(
      stageNames(varianceCountPipeline('S1', { ...base, category: 'Paint' }, names)).at(-1),
    ).toBe('$count');
  });

  it('starts strictly after a cursor row, in the sort order', () => {
    const p = variancePagePipeline(
      'S1',
      { ...base, sort: '-abs_value', after: { key: 1250, item_code: 'B' } },
      names,
    );
    expect(p[0]).toEqual({
      $match: {
        $and: [
          { session_id: 'S1' },
          {
            $or: [{ abs_cost_c: { $lt: 1250 } }, { abs_cost_c: 1250, item_code: { $gt: 'B' } }],
          },
        ],
      },
    });
    expect(p[2]).toEqual({ $skip: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// The builders' meaning, against the SQLite adapter on the same read model.

type Doc = Record<string, unknown>;

/** The query operators the builders use, over one document. */
function matches(doc: Doc, filter: Document): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as Document[]).every((f) => matches(doc, f));
    if (key === '$or') return (cond as Document[]).some((f) => matches(doc, f));
    const value = doc[key];
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    const ops =
      cond !== null && typeof cond === 'object' && !Array.isArray(cond)
        ? (cond as Record<string, unknown>)
        : { $eq: cond };
    return Object.entries(ops).every(([op, arg]) => {
      switch (op) {
        case '$eq':
          return values.includes(arg);
        case '$ne':
          return !values.includes(arg);
        case '$in':
          return values.some((v) => (arg as unknown[]).includes(v));
        case '$nin':
          return !values.some((v) => (arg as unknown[]).includes(v));
        case '$lt':
          return values.some((v) => (v as number | string) < (arg as number | string));
        case '$gt':
          return values.some((v) => (v as number | string) > (arg as number | string));
        case '$regex':
          return values.some((v) => typeof v === 'string' && new RegExp(arg as string).test(v));
        default:
          throw new Error(`operator ${op} not evaluated here`);
      }
    });
  });
}

/**
 * Runs a pipeline of the builders over documents that already carry their name and category (the
 * lookups, $set and $project stages are what gives them on a server).
 */
function run(pipeline: Document[], docs: Doc[]): Doc[] {
  let out = docs;
  for (const stage of pipeline) {
    const [name, arg] = Object.entries(stage)[0]!;
    if (name === '$match') out = out.filter((d) => matches(d, arg as Document));
    else if (name === '$sort') {
      const keys = Object.entries(arg as Record<string, 1 | -1>);
      out = [...out].sort((a, b) => {
        for (const [k, dir] of keys) {
          const x = a[k] as number | string;
          const y = b[k] as number | string;
          if (x !== y) return (x < y ? -1 : 1) * dir;
        }
        return 0;
      });
    } else if (name === '$skip') out = out.slice(arg as number);
    else if (name === '$limit') out = out.slice(0, arg as number);
    else if (name === '$count') out = [{ [arg as string]: out.length }];
  }
  return out;
}

const ITEMS = Array.from({ length: 40 }, (_, i) => `IT-${String(i).padStart(2, '0')}`);
const RACKS = ['A-01', 'A-02', 'B-01'];

describe('the MongoDB variances page pages as the SQLite adapter does', () => {
  let fx: StoreFixture;
  let store: Store;
  let docs: Doc[];
  let reviewCodes: string[];

  beforeAll(async () => {
    fx = await storeAdapters('variances_mongo_meaning')[0]!.open();
    store = fx.store;
    // 35 items in the snapshot (3 categories), 5 found outside it; book values that make ties.
    const snapshot = ITEMS.slice(0, 35).map((code, i) =>
      makeSnapshotRow('S1', code, {
        book_qty: (i % 4) + 1,
        cost: i % 5 === 0 ? 0 : 1.25 + (i % 3),
        price: 2.5,
        category: `Cat-${i % 3}`,
      }),
    );
    await store.sessions.create(makeSession('S1', { racks: RACKS }), snapshot);
    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const lines = [];
    for (let n = 0; n < 120; n++) {
      const code = ITEMS[Math.floor(rand() * ITEMS.length)]!;
      const snap = snapshot.find((s) => s.item_code === code);
      const q = {
        counted_qty: Math.floor(rand() * 4),
        damaged_qty: 0,
        non_returnable_damaged_qty: 0,
      };
      const variance = computeVariance(q, snap?.book_qty ?? 0);
      const value = varianceValue(variance, { cost: snap?.cost ?? 0, price: snap?.price ?? 0 });
      const status: LineStatus = rand() < 0.2 ? 'NEEDS_REVIEW' : 'PENDING';
      lines.push(
        makeLine(`op-${n}`, {
          id: `line-${n}`,
          session_id: 'S1',
          rack: RACKS[Math.floor(rand() * RACKS.length)]!,
          item_code: code,
          ...q,
          book_qty: snap?.book_qty ?? 0,
          variance,
          value_at_cost: value.at_cost,
          value_at_price: value.at_price,
          status,
          serials: [],
        }),
      );
    }
    await store.lines.insertMany(lines);
    // Expected at count (design §13): every state, ties of |variance at count|, hint kinds.
    const counted = (await store.readModel.items('S1')).map((f) => f.item_code);
    await store.readModel.markAtCount('S1', counted);
    const STATES = ['exact', 'exact', 'ambiguous', 'unknown', 'pending'] as const;
    for (const mark of await store.readModel.dirtyAtCount(500)) {
      const status = STATES[Math.floor(rand() * STATES.length)]!;
      if (status === 'pending') continue;
      const vac = status === 'exact' ? (Math.floor(rand() * 7) - 3) * 500 : null;
      const range = status === 'unknown' ? null : (vac ?? -1000);
      await store.readModel.putAtCount(mark, {
        status,
        expected_m: vac === null ? null : 4000 - vac,
        vac_m: vac,
        vac_low_m: range,
        vac_high_m: range === null ? null : range + (status === 'ambiguous' ? 2000 : 0),
        provisional: rand() < 0.3,
        hints: (['pack_multiple', 'uom_factor', 'movement_near_count'] as const).filter(
          () => rand() < 0.4,
        ),
        final_at: null,
        within: status === 'exact' || status === 'ambiguous' ? rand() < 0.5 : null,
        action: status === 'ambiguous' ? 'review' : status === 'exact' ? 'accept' : null,
      });
    }
    const atCount = new Map((await store.readModel.atCount('S1')).map((c) => [c.item_code, c]));
    const all = await store.variances.page('S1', { sort: 'item_code', page: 1, page_size: 500 });
    const named = new Map(all.items.map((v) => [v.item_code, v]));
    docs = (await store.readModel.items('S1')).map((f) => ({
      session_id: 'S1',
      item_code: f.item_code,
      name: named.get(f.item_code)!.name,
      category: named.get(f.item_code)!.category,
      book_qty: f.book_qty,
      counted_m: milli(f.counted_qty),
      damaged_m: milli(f.damaged_qty),
      nonret_m: milli(f.non_returnable_damaged_qty),
      lines: f.lines,
      racks: f.racks.map((r) => [r, 1]),
      rack_codes: f.racks,
      variance_m: milli(f.variance),
      cost_c: cents(f.value_at_cost),
      price_c: cents(f.value_at_price),
      abs_variance_m: Math.abs(milli(f.variance)),
      abs_cost_c: Math.abs(cents(f.value_at_cost)),
      review_lines: f.needs_review,
      ...((c) => ({ ...atCountFields(c), ...vacKeys(c.vac_m) }))(atCount.get(f.item_code)!),
    }));
    reviewCodes = all.items.filter((v) => v.needs_review > 0).map((v) => v.item_code);
  });

  afterAll(async () => {
    await fx.dispose();
  });

  /** The page the MongoDB adapter would answer, its pipelines run over the documents here. */
  function mongoPage(query: VariancePageQuery): VariancePageResult {
    const rows = run(variancePagePipeline('S1', query, names), docs) as VarianceDoc[];
    const total =
      query.category === undefined
        ? run([{ $match: varianceFilter('S1', query) }], docs).length
        : (run(varianceCountPipeline('S1', { ...query, category: query.category }, names), docs)[0]!
            .n as number);
    const page = rows.slice(0, query.page_size);
    const last = page.at(-1);
    return {
      items: page.map((d) => toSessionItemVariance(d)),
      total,
      next:
        rows.length > query.page_size && last
          ? { key: sortKeyOf(query.sort, last), item_code: last.item_code }
          : null,
    };
  }

  const SORTS: Array<VariancePageQuery['sort']> = [
    '-abs_variance',
    'abs_variance',
    '-abs_value',
    'abs_value',
    'item_code',
    '-item_code',
    '-variance_at_count',
    'variance_at_count',
  ];
  const FILTERS: Array<Partial<VariancePageQuery>> = [
    {},
    { has_variance: true },
    { has_variance: false },
    { needs_review: true },
    { needs_review: false },
    { category: 'Cat-1' },
    { rack: 'B-01' },
    { has_variance: true, needs_review: false, rack: 'A-02' },
    { at_count_status: 'exact' },
    { at_count_status: 'pending' },
    { hint: 'pack_multiple' },
    { hint: 'uom_factor', at_count_status: 'ambiguous' },
    { at_count_within: false },
    { at_count_within: true, hint: 'pack_multiple' },
  ];

  it('reaches ties, balanced items, items off the snapshot and items waiting for review', () => {
    expect(docs.length).toBeGreaterThan(30);
    expect(docs.some((d) => d.variance_m === 0)).toBe(true);
    expect(new Set(docs.map((d) => d.abs_variance_m)).size).toBeLessThan(docs.length / 2);
    expect(docs.some((d) => d.category === null)).toBe(true);
    expect(reviewCodes.length).toBeGreaterThan(3);
    for (const state of ['exact', 'ambiguous', 'unknown', 'pending'])
      expect(docs.some((d) => d.at_status === state)).toBe(true);
    expect(docs.some((d) => d.vac_m === 0)).toBe(true);
  });

  it.each(['-variance_at_count', 'variance_at_count'] as const)(
    '%s: by |variance at count|, items without one last, ties by item code; filters by state and hint',
    async (sort) => {
      const desc = sort.startsWith('-');
      const known = (d: Doc) => typeof d.vac_m === 'number';
      const order = (a: Doc, b: Doc) => {
        if (known(a) !== known(b)) return known(a) ? -1 : 1;
        const x = Math.abs((a.vac_m as number | null) ?? 0);
        const y = Math.abs((b.vac_m as number | null) ?? 0);
        if (x !== y) return desc ? y - x : x - y;
        return (a.item_code as string) < (b.item_code as string) ? -1 : 1;
      };
      for (const filter of [
        {},
        { at_count_status: 'ambiguous' as const },
        { hint: 'pack_multiple' as const },
      ]) {
        const want = docs
          .filter(
            (d) =>
              (filter.at_count_status === undefined || d.at_status === filter.at_count_status) &&
              (filter.hint === undefined || (d.hint_kinds as string).includes(`,${filter.hint},`)),
          )
          .sort(order)
          .map((d) => d.item_code);
        const got: string[] = [];
        let after: VariancePageQuery['after'];
        do {
          const page = await store.variances.page('S1', {
            sort,
            page: 1,
            page_size: 6,
            after,
            ...filter,
          });
          got.push(...page.items.map((v) => v.item_code));
          after = page.next ?? undefined;
        } while (after);
        expect(got).toEqual(want);
        expect(want.length).toBeGreaterThan(3);
      }
    },
  );

  it.each(SORTS)('sorted by %s, every filter, by page and by cursor', async (sort) => {
    for (const filter of FILTERS) {
      const query = { sort, page: 1, page_size: 7, ...filter };
      for (const page of [1, 2]) {
        expect(mongoPage({ ...query, page })).toEqual(
          await store.variances.page('S1', { ...query, page }),
        );
      }
      // Walk every page by the cursor: the same rows, the same cursors, to the end.
      let after = (await store.variances.page('S1', query)).next;
      let walked = 0;
      while (after) {
        const sqlite = await store.variances.page('S1', { ...query, after });
        expect(mongoPage({ ...query, after })).toEqual(sqlite);
        after = sqlite.next;
        walked++;
      }
      if (Object.keys(filter).length === 0) expect(walked).toBeGreaterThan(3);
    }
  });
});
