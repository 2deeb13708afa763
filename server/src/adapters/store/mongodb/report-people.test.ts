/**
 * The MongoDB session history and user activity read the read model (issue #13), checked without
 * a server: the read model that the SQLite store kept for the reports dataset is copied into
 * in-memory stand-ins of rm_sessions, rm_counters and rm_writers, and the MongoDB rows must equal
 * the SQLite report's. (The contract suites run the real thing where MONGODB_URI is set.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../ports/counting';
import type { ReportQuery, ReportScope, StoreReportType } from '../../../ports/reports';
import type { Store } from '../../../ports/store';
import { seedReports } from '../../../../test/support/reports-fixture';
import { sqliteWithWriters } from '../../../../test/support/sqlite-with-writers';
import type { StoreFixture } from '../../../../test/support/store-adapters';
import { cents, milli } from '../read-model-plan';
import { mapReportRow } from '../reports-rows';
import type { Collections } from './collections';
import type { ReadModelCollections } from './read-model';
import type { ReportContext } from './report-context';
import { sessionRows, userRows } from './report-people';

type Doc = Record<string, unknown>;

/** A find() over documents in memory: equality and $in filters, the order given. */
function collection(docs: Doc[]) {
  const matches = (doc: Doc, filter: Doc) =>
    Object.entries(filter).every(([k, v]) =>
      v !== null && typeof v === 'object' && '$in' in v
        ? (v.$in as unknown[]).includes(doc[k])
        : doc[k] === v,
    );
  return {
    find(filter: Doc) {
      const found = docs.filter((d) => matches(d, filter));
      const cursor = { sort: () => cursor, toArray: async () => found };
      return cursor;
    },
  };
}

let fx: StoreFixture;
let store: Store;
let ctx: ReportContext;

beforeAll(async () => {
  fx = await sqliteWithWriters.open();
  store = fx.store;
  await seedReports(store);
  const { items } = await store.sessions.list({ page: 1, page_size: 100, sort: 'created_at' });
  const sessions = [...items].sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
  const ids = sessions.map((s) => s.id);
  const sessionDocs = await Promise.all(
    ids.map(async (id) => {
      const f = await store.readModel.session(id);
      return {
        _id: id,
        lines: f.lines,
        items: f.items_counted,
        variance_m: milli(f.total_variance),
        abs_variance_m: milli(f.abs_variance),
        abs_book_m: milli(f.abs_book),
        cost_c: cents(f.variance_value_at_cost),
        price_c: cents(f.variance_value_at_price),
      };
    }),
  );
  const counterDocs = (await store.readModel.counters(ids)).map((c) => ({
    _id: `${c.session_id}/${c.user_id}`,
    session_id: c.session_id,
    user_id: c.user_id,
    username: c.username,
    lines: c.lines,
    items: c.items,
    abs_variance_m: milli(c.abs_variance),
    abs_book_m: milli(c.abs_book),
    variance_m: milli(c.variance),
    cost_c: cents(c.value_at_cost),
    price_c: cents(c.value_at_price),
    first_counted_at: c.first_counted_at,
    last_counted_at: c.last_counted_at,
  }));
  const writerDocs = (await store.readModel.writers(ids)).map((w) => ({
    _id: `${w.session_id}/${w.user_id}`,
    ...w,
  }));
  const pick = (scope: ReportScope): SessionRecord[] =>
    sessions.filter(
      (s) =>
        (scope.session === undefined || s.id === scope.session) &&
        (scope.warehouse === undefined || s.warehouse === scope.warehouse),
    );
  ctx = {
    c: {} as Collections,
    rm: {
      sessions: collection(sessionDocs),
      counters: collection(counterDocs),
      writers: collection(writerDocs),
    } as unknown as ReadModelCollections,
    names: { snapshot: 'session_snapshot', items: 'items', lines: 'count_lines' },
    sessionsOf: async (scope) => pick(scope),
  };
});

afterAll(async () => {
  await fx.dispose();
});

const query = <T extends StoreReportType>(type: T, scope: ReportScope): ReportQuery<T> => ({
  type,
  scope,
  group_by: 'item',
});

async function rowsOf<T extends 'user_activity' | 'session_history'>(type: T, scope: ReportScope) {
  const out = [];
  const rows =
    type === 'user_activity'
      ? userRows(ctx, query(type, scope))
      : sessionRows(ctx, query(type, scope), 100);
  for await (const row of rows) out.push(mapReportRow(type, row));
  return out;
}

describe('MongoDB session history and user activity from the read model', () => {
  it.each<[string, ReportScope]>([
    ['every session', {}],
    ['one session', { session: 'S1' }],
    ['a warehouse', { warehouse: 'WH1' }],
    ['a counter', { user: 'u-alice' }],
  ])('user_activity over %s equals the SQLite report', async (_, scope) => {
    const rows = await rowsOf('user_activity', scope);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(await store.reports.page(query('user_activity', scope), 0, 100));
  });

  it.each<[string, ReportScope]>([
    ['every session', {}],
    ['one session', { session: 'S2' }],
    ['a warehouse', { warehouse: 'WH1' }],
  ])('session_history over %s equals the SQLite report', async (_, scope) => {
    const rows = await rowsOf('session_history', scope);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(await store.reports.page(query('session_history', scope), 0, 100));
  });

  it('keeps the hand-computed figures of the reports dataset', async () => {
    const users = await rowsOf('user_activity', {});
    expect(
      users.map((r) => [r.username, r.lines, r.lines_written, r.lines_overturned, r.value_at_cost]),
    ).toEqual([
      ['Alice', 3, 4, 1, -8],
      ['Bob', 3, 3, 0, -15.15],
      ['Dave', 2, 2, 0, -30],
    ]);
    const sessions = await rowsOf('session_history', {});
    expect(sessions.map((r) => [r.session_id, r.variance, r.value_at_cost, r.accuracy])).toEqual([
      ['S3', 0, 0, 100],
      ['S1', -4, 1.85, 91.3],
      ['S2', -2, -30, 81.82],
    ]);
  });
});
