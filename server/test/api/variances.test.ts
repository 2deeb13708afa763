/**
 * GET /sessions/:id/variances, paged (issue #13 item 2): `{items, page, page_size, total,
 * next_after}`, sorted by |variance|, |value| or item code, filtered by variance, category, rack
 * and review; a cursor that stays put while counts arrive; bad input refused with the field.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item, SessionItemVariance, VariancesPage } from '@stockverify/shared';
import { WAREHOUSE, claim, countRecord, createSession, sync } from '../support/counting-fixture';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';
import { atCountAnswer } from '../../src/adapters/store/read-model-plan';

const CATEGORIES = ['Tools', 'Paint', 'Garden'];
const RACKS = ['A-01', 'A-02', 'B-01'];
const ITEM_COUNT = 30;

/** 30 items over three racks and categories; book 10 + i, cost 1 + i % 7. */
const ITEMS: Item[] = Array.from({ length: ITEM_COUNT }, (_, i) =>
  makeItem(`ITM-${String(i).padStart(2, '0')}`, `Item ${i}`, {
    category: CATEGORIES[i % 3]!,
    cost: 1 + (i % 7),
    price: 2 + (i % 7),
    stock: [{ warehouse: 'WH-T', rack: RACKS[i % 3]!, qty: 10 + i }],
  }),
);

let t: TestApp;
let sup: string;
let sessionId: string;
let staffToken: string;
const tokens = new Map<string, number>();

/** Counted qty: book plus a spread of −5…+5 (several zero, many ties on |variance|). */
const countedOf = (i: number) => 10 + i + (((i * 7) % 11) - 5);

beforeEach(async () => {
  t = await startTestApp();
  await t.store.locations.upsertWarehouses([WAREHOUSE]);
  await t.seedItems(ITEMS);
  sup = (await t.userWithRole('supervisor')).token;
  staffToken = (await t.userWithRole('staff')).token;
  sessionId = (await createSession(t, sup)).id;
  for (const rack of RACKS) {
    const res = await claim(t, staffToken, sessionId, rack);
    tokens.set(rack, res.body.data.fencing_token);
  }
  // Items 0…26 counted (the last three never), each in its own rack; every fourth item also has a
  // second line of 1 in rack B-01.
  const records = [];
  for (let i = 0; i < ITEM_COUNT - 3; i++) {
    const rack = RACKS[i % 3]!;
    const extra = i % 4 === 0;
    records.push(
      countRecord(sessionId, rack, ITEMS[i]!.item_code, tokens.get(rack)!, {
        counted_qty: countedOf(i) - (extra ? 1 : 0),
      }),
    );
    if (extra) {
      records.push(
        countRecord(sessionId, 'B-01', ITEMS[i]!.item_code, tokens.get('B-01')!, {
          counted_qty: 1,
        }),
      );
    }
  }
  const res = await sync(t, staffToken, records);
  expect(res.body.data.results.every((r) => r.status === 'OK')).toBe(true);
  // Two lines of ITM-03 and ITM-10 wait for review, whatever the thresholds decided.
  const lines = (await t.store.lines.list(sessionId, { page: 1, page_size: 500 })).items;
  for (const code of ['ITM-03', 'ITM-10']) {
    const line = lines.find((l) => l.item_code === code)!;
    await t.store.lines.review(line.id, {
      status: 'NEEDS_REVIEW',
      reviewed_by: null,
      reviewed_at: null,
      review_note: null,
    });
  }
});
afterEach(async () => {
  await t.close();
});

/** Every item as the unpaged store method has it, with its review count, in no order. */
async function reference(): Promise<SessionItemVariance[]> {
  const all = await t.store.lines.variances(sessionId);
  const lines = (await t.store.lines.list(sessionId, { page: 1, page_size: 500 })).items;
  const atCount = new Map(
    (await t.store.readModel.atCount(sessionId)).map((c) => [c.item_code, atCountAnswer(c)]),
  );
  return all.map((v) => ({
    ...v,
    needs_review: lines.filter((l) => l.item_code === v.item_code && l.status === 'NEEDS_REVIEW')
      .length,
    ...atCount.get(v.item_code)!,
  }));
}

const byCode = (a: SessionItemVariance, b: SessionItemVariance) =>
  a.item_code < b.item_code ? -1 : a.item_code > b.item_code ? 1 : 0;
const ORDERS: Record<string, (a: SessionItemVariance, b: SessionItemVariance) => number> = {
  '-abs_variance': (a, b) => Math.abs(b.variance) - Math.abs(a.variance) || byCode(a, b),
  abs_variance: (a, b) => Math.abs(a.variance) - Math.abs(b.variance) || byCode(a, b),
  '-abs_value': (a, b) => Math.abs(b.value_at_cost) - Math.abs(a.value_at_cost) || byCode(a, b),
  abs_value: (a, b) => Math.abs(a.value_at_cost) - Math.abs(b.value_at_cost) || byCode(a, b),
  item_code: byCode,
  '-item_code': (a, b) => byCode(b, a),
};

const get = (query: string, token = sup) =>
  t.request<VariancesPage>('GET', `/api/sessions/${sessionId}/variances?${query}`, { token });

/** Follows next_after from the first page to the last. */
async function walk(query: string, pageSize: number) {
  const pages: VariancesPage[] = [];
  let after: string | null = null;
  do {
    const res = await get(
      `${query}&page_size=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    expect(res.status).toBe(200);
    pages.push(res.body.data);
    after = res.body.data.next_after;
  } while (after !== null && pages.length < 50);
  return pages;
}

describe('GET /sessions/:id/variances, paged', () => {
  it('answers a page with page, page_size, total and next_after, sorted by |variance| by default', async () => {
    const expected = (await reference()).sort(ORDERS['-abs_variance']);
    expect(expected).toHaveLength(ITEM_COUNT - 3);
    const first = await get('page_size=10');
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ page: 1, page_size: 10, total: ITEM_COUNT - 3 });
    expect(first.body.data.items).toEqual(expected.slice(0, 10));
    expect(typeof first.body.data.next_after).toBe('string');
    const third = await get('page_size=10&page=3');
    expect(third.body.data.items).toEqual(expected.slice(20));
    expect(third.body.data.next_after).toBeNull();
    const past = await get('page_size=10&page=9');
    expect(past.body.data).toMatchObject({ items: [], total: ITEM_COUNT - 3, next_after: null });
  });

  it('sorts by |variance|, |value| and item code both ways, ties by item code', async () => {
    const all = await reference();
    for (const [sort, order] of Object.entries(ORDERS)) {
      const res = await get(`sort=${sort}&page_size=500`);
      expect(res.status, sort).toBe(200);
      expect(
        res.body.data.items.map((v) => v.item_code),
        sort,
      ).toEqual([...all].sort(order).map((v) => v.item_code));
    }
  });

  it('walks every sort by cursor: each item exactly once, in order', async () => {
    const all = await reference();
    for (const [sort, order] of Object.entries(ORDERS)) {
      const pages = await walk(`sort=${sort}`, 4);
      expect(pages).toHaveLength(Math.ceil(all.length / 4));
      expect(pages.flatMap((p) => p.items.map((v) => v.item_code))).toEqual(
        [...all].sort(order).map((v) => v.item_code),
      );
      expect(pages.every((p) => p.total === all.length)).toBe(true);
    }
  });

  it('answers a page by number as the cursor walk has it, every sort and filter (seeks by index)', async () => {
    for (const sort of Object.keys(ORDERS)) {
      for (const filter of ['', '&needs_review=false', '&rack=B-01', '&category=Tools']) {
        const query = `sort=${sort}${filter}`;
        const pages = await walk(query, 4);
        for (const [k, page] of pages.entries()) {
          const res = await get(`${query}&page_size=4&page=${k + 1}`);
          expect(res.body.data.items, `${query} page ${k + 1}`).toEqual(page.items);
          expect(res.body.data.next_after, `${query} page ${k + 1}`).toBe(page.next_after);
        }
        const past = await get(`${query}&page_size=4&page=${pages.length + 1}`);
        expect(past.body.data, query).toMatchObject({ items: [], next_after: null });
      }
    }
  });

  it('keeps its place while counts arrive: a cursor page neither repeats nor skips', async () => {
    const first = await get('sort=-abs_variance&page_size=8');
    const seen = first.body.data.items.map((v) => v.item_code);
    const last = first.body.data.items.at(-1)!;
    // A new item with a variance bigger than any sorts ahead of the whole first page.
    const res = await sync(t, staffToken, [
      countRecord(sessionId, 'A-01', ITEMS[27]!.item_code, tokens.get('A-01')!, {
        counted_qty: 500,
      }),
    ]);
    expect(res.body.data.results[0]!.status).toBe('OK');
    const expected = (await reference()).sort(ORDERS['-abs_variance']);
    const lastAt = expected.findIndex((v) => v.item_code === last.item_code);

    const byCursor = await get(
      `sort=-abs_variance&page_size=8&after=${encodeURIComponent(first.body.data.next_after!)}`,
    );
    expect(byCursor.body.data.items).toEqual(expected.slice(lastAt + 1, lastAt + 9));
    expect(byCursor.body.data.items.some((v) => seen.includes(v.item_code))).toBe(false);
    expect(byCursor.body.data.total).toBe(ITEM_COUNT - 2);
    // Paging by number shifts instead: page 2 now repeats the first page's last item.
    const byNumber = await get('sort=-abs_variance&page_size=8&page=2');
    expect(byNumber.body.data.items[0]!.item_code).toBe(last.item_code);
  });

  it('filters by variance, category, rack and review, with the total of the filter', async () => {
    const all = (await reference()).sort(ORDERS['-abs_variance']);
    const cases: Array<[string, (v: SessionItemVariance) => boolean]> = [
      ['has_variance=true', (v) => v.variance !== 0],
      ['has_variance=false', (v) => v.variance === 0],
      ['category=Paint', (v) => v.category === 'Paint'],
      ['rack=B-01', (v) => v.racks.includes('B-01')],
      ['needs_review=true', (v) => v.needs_review > 0],
      ['needs_review=false', (v) => v.needs_review === 0],
      [
        'has_variance=true&category=Tools&rack=A-01',
        (v) => v.variance !== 0 && v.category === 'Tools' && v.racks.includes('A-01'),
      ],
    ];
    for (const [query, keep] of cases) {
      const expected = all.filter(keep);
      const res = await get(`${query}&page_size=5`);
      expect(res.status, query).toBe(200);
      expect(res.body.data.total, query).toBe(expected.length);
      expect(res.body.data.items, query).toEqual(expected.slice(0, 5));
      const pages = await walk(query, 5);
      expect(
        pages.flatMap((p) => p.items),
        query,
      ).toEqual(expected);
    }
    // Sanity: the fixture has items on both sides of every filter.
    expect(all.filter((v) => v.variance === 0).length).toBeGreaterThan(0);
    expect(all.filter((v) => v.needs_review > 0).map((v) => v.item_code)).toEqual(
      expect.arrayContaining(['ITM-03', 'ITM-10']),
    );
    const none = await get('category=Nothing');
    expect(none.body.data).toMatchObject({ items: [], total: 0, next_after: null });
  });

  it('refuses bad input with the field at fault', async () => {
    const cursor = (await get('page_size=3&sort=item_code')).body.data.next_after!;
    const cases: Array<[string, string]> = [
      ['page_size=0', 'query.page_size'],
      ['page_size=501', 'query.page_size'],
      ['page=0', 'query.page'],
      ['sort=variance', 'query.sort'],
      ['has_variance=yes', 'query.has_variance'],
      ['needs_review=1', 'query.needs_review'],
      ['rack=', 'query.rack'],
      [`after=${'x'.repeat(401)}`, 'query.after'],
      ['after=not-a-cursor', 'query.after'],
      [`after=${cursor}&sort=-abs_variance`, 'query.after'],
      [`after=${cursor}&sort=item_code&page=2`, 'query.after'],
    ];
    for (const [query, field] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error?.code, query).toBe('VALIDATION_FAILED');
      expect(
        res.body.error?.details?.map((d) => d.path),
        query,
      ).toContain(field);
    }
    const unknown = await get('has_variances=true');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error?.details)).toContain('has_variances');
    // Staff never read variances; an unknown session is a 404.
    expect((await get('page_size=5', staffToken)).status).toBe(403);
    const missing = await t.request('GET', '/api/sessions/nope/variances', { token: sup });
    expect(missing.status).toBe(404);
  });
});
