/**
 * The user_activity and session_history reports read the session read model (issue #13), not the
 * lines: on a generated history of several sessions, counters, decimal quantities, corrections
 * (some repeating the line's quantities), rejections, re-approvals and reviews of corrected lines,
 * their rows and totals must equal the reports recomputed here from every line — the definition
 * the line queries implement — for each scope the report form offers. Runs on every Store adapter
 * (SQLite always, MongoDB when MONGODB_URI is set) and on SQLite with rm_writers; on that one, a
 * second test empties count_lines behind the store's back: a report that still answers in full
 * read no line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeVariance,
  roundMoney,
  roundQty,
  varianceValue,
  type LineStatus,
  type ReportType,
} from '@stockverify/shared';
import type { CountLineRecord, SessionRecord, SnapshotRow } from '../../src/ports/counting';
import type { ReportQuery, ReportScope } from '../../src/ports/reports';
import type { Store } from '../../src/ports/store';
import { mapReportRow, type RawRow } from '../../src/adapters/store/reports-rows';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import { READ_MODEL_WRITERS_MIGRATION } from '../../src/adapters/store/sqlite/read-model';
import { makeLine, makeSession, makeSnapshotRow } from '../support/counting-records';
import { sqliteWithWriters } from '../support/sqlite-with-writers';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';

const ITEMS = Array.from({ length: 30 }, (_, i) => `IT-${String(i).padStart(2, '0')}`);
const RACKS = ['A-01', 'A-02', 'B-01', 'B-02'];
const USERS = Array.from({ length: 6 }, (_, i) => ({ id: `u-${i}`, name: `Counter ${i}` }));
const SESSIONS = [
  { id: 'S-a', warehouse: 'WH1', created_at: '2026-10-01T08:00:00.000Z' },
  { id: 'S-b', warehouse: 'WH1', created_at: '2026-11-01T08:00:00.000Z' },
  { id: 'S-c', warehouse: 'WH2', created_at: '2026-11-05T08:00:00.000Z' },
  // Created, never counted: in the history with zeros.
  { id: 'S-d', warehouse: 'WH2', created_at: '2026-11-09T08:00:00.000Z' },
];

/** A small deterministic generator (the history is the same on every adapter and every run). */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function snapshotOf(sessionId: string): SnapshotRow[] {
  // The last five items are outside every snapshot (found off-scope: book 0, no cost).
  return ITEMS.slice(0, 25).map((code, i) =>
    makeSnapshotRow(sessionId, code, {
      book_qty: i % 4 === 0 ? 2.5 : (i % 7) + 1,
      cost: 1.005 + (i % 5) * 0.35,
      price: 2.015 + (i % 3) * 0.55,
      category: `Cat-${i % 3}`,
    }),
  );
}

/** A line as the counting service stores it: book, variance and values from the snapshot. */
function lineOf(
  session: (typeof SESSIONS)[number],
  opId: string,
  o: {
    rack: string;
    item: string;
    user: number;
    counted: number;
    nonret: number;
    damaged: number;
    minute: number;
    supersedes?: string;
  },
): CountLineRecord {
  const snap = snapshotOf(session.id).find((s) => s.item_code === o.item);
  const q = {
    counted_qty: o.counted,
    damaged_qty: o.damaged,
    non_returnable_damaged_qty: o.nonret,
  };
  const variance = computeVariance(q, snap?.book_qty ?? 0);
  const value = varianceValue(variance, { cost: snap?.cost ?? 0, price: snap?.price ?? 0 });
  const user = USERS[o.user]!;
  const at = new Date(Date.parse(session.created_at) + o.minute * 60_000).toISOString();
  return makeLine(opId, {
    id: `line-${opId}`,
    session_id: session.id,
    rack: o.rack,
    item_code: o.item,
    ...q,
    supersedes: o.supersedes ?? null,
    book_qty: snap?.book_qty ?? 0,
    variance,
    value_at_cost: value.at_cost,
    value_at_price: value.at_price,
    counted_by: user.id,
    counted_by_name: user.name,
    counted_at: at,
    received_at: at,
    photo_ids: [],
  });
}

/** Writes the generated history through the Store (so the read model moves as in production). */
async function seedHistory(store: Store): Promise<void> {
  const rand = random(13);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  for (const s of SESSIONS) {
    await store.sessions.create(
      makeSession(s.id, {
        name: `Count ${s.id}`,
        warehouse: s.warehouse,
        created_at: s.created_at,
        racks: RACKS,
        snapshot_items: 25,
      }),
      snapshotOf(s.id),
    );
  }
  let n = 0;
  for (const session of SESSIONS.slice(0, 3)) {
    const ops: CountLineRecord[] = [];
    for (let batch = 0; batch < 12; batch++) {
      const lines: CountLineRecord[] = [];
      for (let i = 0; i < 10; i++) {
        const counted = rand() < 0.3 ? Math.round(rand() * 9000) / 1000 : Math.floor(rand() * 8);
        lines.push(
          lineOf(session, `op-${++n}`, {
            rack: pick(RACKS),
            item: pick(ITEMS),
            // Counter 5 counts in the first session only.
            user: Math.floor(rand() * (session === SESSIONS[0] ? 6 : 5)),
            counted,
            nonret: rand() < 0.2 ? roundQty(counted / 4) : 0,
            damaged: rand() < 0.2 ? roundQty(counted / 8) : 0,
            minute: batch * 20 + i + Math.floor(rand() * 5),
          }),
        );
      }
      const outcomes = await store.lines.insertMany(lines);
      lines.forEach((l, i) => outcomes[i]?.ok && ops.push(l));
      // Corrections of earlier lines: half repeat the quantities (not overturned), by any counter.
      for (let k = 0; k < 3; k++) {
        const target = await store.lines.getByOpId(pick(ops).op_id);
        if (!target || target.superseded_by !== null) continue;
        const same = rand() < 0.5;
        const correction = lineOf(session, `op-${++n}`, {
          rack: target.rack,
          item: target.item_code,
          user: Math.floor(rand() * 5),
          counted: same ? target.counted_qty : target.counted_qty + 1,
          nonret: target.non_returnable_damaged_qty,
          damaged: target.damaged_qty,
          minute: batch * 20 + 15,
          supersedes: target.op_id,
        });
        const [out] = await store.lines.insertMany([correction]);
        if (out?.ok) ops.push(correction);
      }
      // Reviews: rejections, approvals of rejected lines, and reviews of corrected lines.
      for (let k = 0; k < 3; k++) {
        const target = await store.lines.getByOpId(pick(ops).op_id);
        if (!target) continue;
        const status: LineStatus =
          target.status === 'REJECTED' ? 'APPROVED' : rand() < 0.6 ? 'REJECTED' : 'RECOUNT';
        await store.lines.review(target.id, {
          status,
          reviewed_by: 'u-sup',
          reviewed_at: session.created_at,
          review_note: null,
        });
      }
    }
  }
}

/** Every line of a session, superseded ones included. */
async function allLines(store: Store, sessionId: string): Promise<CountLineRecord[]> {
  const out: CountLineRecord[] = [];
  for (let page = 1; ; page++) {
    const { items } = await store.lines.list(sessionId, {
      page,
      page_size: 500,
      include_superseded: true,
    });
    out.push(...items);
    if (items.length < 500) return out;
  }
}

/** The sessions a scope chooses, in report order (created_at, id). */
async function chosen(store: Store, scope: ReportScope): Promise<SessionRecord[]> {
  const { items } = await store.sessions.list({ page: 1, page_size: 100, sort: 'created_at' });
  return items
    .filter(
      (s) =>
        (scope.warehouse === undefined || s.warehouse === scope.warehouse) &&
        (scope.session === undefined || s.id === scope.session) &&
        (scope.session_ids === undefined || scope.session_ids.includes(s.id)) &&
        (scope.from === undefined || s.created_at >= scope.from) &&
        (scope.to === undefined || s.created_at < scope.to),
    )
    .sort((a, b) =>
      a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
    );
}

/** session_history recomputed from the lines: the store's own per-item variances of each session. */
async function expectedHistory(store: Store, scope: ReportScope): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for (const s of await chosen(store, scope)) {
    const items = await store.lines.variances(s.id);
    const counting = (await allLines(store, s.id)).filter(
      (l) => l.superseded_by === null && l.status !== 'REJECTED',
    );
    const sum = (f: (v: (typeof items)[number]) => number) => items.reduce((n, v) => n + f(v), 0);
    rows.push({
      session_id: s.id,
      name: s.name,
      warehouse: s.warehouse,
      mode: s.mode,
      status: s.status,
      created_at: s.created_at,
      closed_at: s.closed_at,
      reconciled_at: s.reconciled_at,
      counters: new Set(counting.map((l) => l.counted_by)).size,
      items_in_snapshot: s.snapshot_items,
      items_counted: items.length,
      lines: counting.length,
      variance: sum((v) => v.variance),
      value_at_cost: sum((v) => v.value_at_cost),
      value_at_price: sum((v) => v.value_at_price),
      abs_book: sum((v) => Math.abs(v.book_qty)),
      abs_variance: sum((v) => Math.abs(v.variance)),
    });
  }
  return rows;
}

/**
 * user_activity recomputed from the lines: each counter's figures per session (the store's line
 * stats), summed per counter; lines written and overturned from every line they wrote.
 */
async function expectedActivity(store: Store, scope: ReportScope): Promise<RawRow[]> {
  const sessions = await chosen(store, scope);
  const stats = (await store.lines.stats({ session_ids: sessions.map((s) => s.id) })).filter(
    (r) => scope.user === undefined || r.user_id === scope.user,
  );
  const lines = (await Promise.all(sessions.map((s) => allLines(store, s.id)))).flat();
  const byOp = new Map(lines.map((l) => [l.op_id, l]));
  const users = new Map<string, Record<string, number | string>>();
  for (const r of stats) {
    let u = users.get(r.user_id);
    if (!u) {
      const mine = lines.filter((l) => l.counted_by === r.user_id);
      const overturned = mine.filter((l) => {
        const next = l.superseded_by === null ? undefined : byOp.get(l.superseded_by);
        const changed =
          next !== undefined &&
          (next.counted_qty !== l.counted_qty ||
            next.damaged_qty !== l.damaged_qty ||
            next.non_returnable_damaged_qty !== l.non_returnable_damaged_qty);
        return l.status === 'REJECTED' || changed;
      });
      u = {
        user_id: r.user_id,
        username: r.username,
        sessions: 0,
        lines: 0,
        items: 0,
        active_minutes: 0,
        abs_variance: 0,
        abs_book: 0,
        variance: 0,
        value_at_cost: 0,
        value_at_price: 0,
        first_counted_at: r.first_counted_at,
        last_counted_at: r.last_counted_at,
        lines_written: mine.length,
        lines_overturned: overturned.length,
      };
      users.set(r.user_id, u);
    }
    const add = (k: string, v: number) => (u[k] = Number(u[k]) + v);
    add('sessions', 1);
    add('lines', r.lines);
    add('items', r.items);
    add(
      'active_minutes',
      Math.max(1, (Date.parse(r.last_counted_at) - Date.parse(r.first_counted_at)) / 60_000),
    );
    add('abs_variance', r.abs_variance);
    add('abs_book', r.abs_book);
    add('variance', r.variance);
    add('value_at_cost', r.value_at_cost);
    add('value_at_price', r.value_at_price);
    if (r.username > String(u.username)) u.username = r.username;
    if (r.first_counted_at < String(u.first_counted_at)) u.first_counted_at = r.first_counted_at;
    if (r.last_counted_at > String(u.last_counted_at)) u.last_counted_at = r.last_counted_at;
  }
  return [...users.values()].sort((a, b) =>
    a.username === b.username
      ? String(a.user_id) < String(b.user_id)
        ? -1
        : 1
      : String(a.username) < String(b.username)
        ? -1
        : 1,
  );
}

const SCOPES: Array<[string, ReportScope]> = [
  ['every session', {}],
  ['one session', { session: 'S-b' }],
  ['a session list', { session_ids: ['S-a', 'S-c', 'S-d'] }],
  ['a warehouse', { warehouse: 'WH2' }],
  ['a period', { from: '2026-10-15T00:00:00.000Z', to: '2026-11-06T00:00:00.000Z' }],
];
/** user_activity reads the model for one counter too; session_history per counter reads lines. */
const COUNTER_SCOPES: Array<[string, ReportScope]> = [
  ['a counter', { user: 'u-5' }],
  ['a counter in one session', { user: 'u-2', session: 'S-c' }],
];

const adapters = storeAdapters('reports_model').map((a) => ({ ...a, label: a.name as string }));

describe.each(adapters)('Reports from the read model on $label', (adapter) => {
  let fx: StoreFixture;
  let store: Store;

  beforeAll(async () => {
    fx = await adapter.open();
    store = fx.store;
    await seedHistory(store);
  }, 120_000);
  afterAll(async () => {
    await fx.dispose();
  });

  const query = <T extends ReportType>(type: T, scope: ReportScope): ReportQuery<T> => ({
    type,
    scope,
    group_by: 'item',
  });

  /** Rows, totals and the streamed rows of a report, against the expected raw rows. */
  async function expectReport(type: 'user_activity' | 'session_history', scope: ReportScope) {
    const raw =
      type === 'user_activity'
        ? await expectedActivity(store, scope)
        : await expectedHistory(store, scope);
    const expected = raw.map((r) => mapReportRow(type, r));
    const rows = await store.reports.page(query(type, scope), 0, 1000);
    expect(rows).toEqual(expected);
    const streamed = [];
    for await (const chunk of store.reports.stream(query(type, scope), { chunkSize: 2 }))
      streamed.push(...chunk);
    expect(streamed).toEqual(expected);
    const sum = (k: 'lines' | 'variance' | 'value_at_cost' | 'value_at_price') =>
      expected.reduce((n, r) => n + r[k], 0);
    expect(await store.reports.totals(query(type, scope))).toEqual({
      rows: expected.length,
      lines: sum('lines'),
      variance: roundQty(sum('variance')),
      value_at_cost: roundMoney(sum('value_at_cost')),
      value_at_price: roundMoney(sum('value_at_price')),
    });
    return rows;
  }

  it('reaches corrections, unchanged corrections, rejections and every counter', async () => {
    const lines = (await Promise.all(SESSIONS.map((s) => allLines(store, s.id)))).flat();
    const byOp = new Map(lines.map((l) => [l.op_id, l]));
    const corrected = lines.filter((l) => l.superseded_by !== null);
    const unchanged = corrected.filter(
      (l) => byOp.get(l.superseded_by!)?.counted_qty === l.counted_qty,
    );
    expect(corrected.length).toBeGreaterThan(10);
    expect(unchanged.length).toBeGreaterThan(3);
    expect(lines.filter((l) => l.status === 'REJECTED').length).toBeGreaterThan(5);
    const activity = await store.reports.page(query('user_activity', {}), 0, 100);
    expect(activity.map((r) => r.user_id).sort()).toEqual(USERS.map((u) => u.id));
    expect(activity.some((r) => r.lines_overturned > 0)).toBe(true);
  });

  it.each([...SCOPES, ...COUNTER_SCOPES])(
    'user_activity over %s equals the recomputation from the lines',
    async (_, s) => {
      await expectReport('user_activity', s);
    },
  );

  it.each(SCOPES)(
    'session_history over %s equals the recomputation from the lines',
    async (_, s) => {
      await expectReport('session_history', s);
    },
  );

  it('still reads the lines for the filters the model does not keep (racks, category)', async () => {
    const floor = [{ warehouse: 'WH1', rack: 'A-01' }];
    const rows = await store.reports.page(query('user_activity', { racks: floor }), 0, 100);
    const all = await store.reports.page(query('user_activity', {}), 0, 100);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.reduce((n, r) => n + r.lines, 0)).toBeLessThan(
      all.reduce((n, r) => n + r.lines, 0),
    );
    const history = await store.reports.page(
      query('session_history', { category: 'Cat-1' }),
      0,
      100,
    );
    expect(history.map((r) => r.session_id)).toEqual(['S-a', 'S-b', 'S-c']);
  });
});

describe('READ_MODEL_WRITERS_MIGRATION on SQLite', () => {
  it('fills rm_writers from the lines as the read model keeps them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-store-'));
    const file = path.join(dir, 'store.db');
    const open = async () => {
      const s = createSqliteStore({ file });
      await s.init();
      return s;
    };
    try {
      // The figures the read model kept with the writes…
      let store = await open();
      await seedHistory(store);
      const ids = SESSIONS.map((s) => s.id);
      const kept = await store.readModel.writers(ids);
      const report = await store.reports.page(
        { type: 'user_activity', scope: {}, group_by: 'item' },
        0,
        100,
      );
      await store.close();
      expect(kept.length).toBeGreaterThan(0);
      // …equal the migration's fill from the lines, as on a database from before it.
      const raw = new Database(file);
      raw.transaction(() => {
        raw.exec('DROP TABLE rm_writers');
        raw.exec(READ_MODEL_WRITERS_MIGRATION.up);
      })();
      const rows = raw.prepare('SELECT COUNT(*) AS n FROM rm_writers').get() as { n: number };
      raw.close();
      expect(rows.n).toBe(kept.length);
      store = await open();
      try {
        expect(await store.readModel.writers(ids)).toEqual(kept);
        expect(
          await store.reports.page({ type: 'user_activity', scope: {}, group_by: 'item' }, 0, 100),
        ).toEqual(report);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Reports from the read model on SQLite: no line read', () => {
  it('answers user_activity, session_history, the stock summary and the variance totals in full with count_lines emptied behind the store', async () => {
    const fx = await sqliteWithWriters.open();
    try {
      await seedHistory(fx.store);
      const q = <T extends ReportType>(type: T): ReportQuery<T> => ({
        type,
        scope: {},
        group_by: 'item',
      });
      const before = {
        activity: await fx.store.reports.page(q('user_activity'), 0, 100),
        history: await fx.store.reports.page(q('session_history'), 0, 100),
        totals: await fx.store.reports.totals(q('user_activity')),
        stock: await fx.store.reports.page(q('stock_summary'), 0, 100),
        stockTotals: await fx.store.reports.totals(q('stock_summary')),
        varianceTotals: await fx.store.reports.totals(q('variance')),
      };
      expect(before.stock.some((r) => r.items_counted > 0)).toBe(true);
      expect(before.activity.length).toBe(USERS.length);
      const raw = new Database(fx.file);
      raw.exec('DELETE FROM count_lines');
      raw.close();
      expect(await fx.store.reports.page(q('user_activity'), 0, 100)).toEqual(before.activity);
      expect(await fx.store.reports.page(q('session_history'), 0, 100)).toEqual(before.history);
      expect(await fx.store.reports.totals(q('user_activity'))).toEqual(before.totals);
      // The stock summary and the variance report's totals read the per-item rows.
      expect(await fx.store.reports.page(q('stock_summary'), 0, 100)).toEqual(before.stock);
      expect(await fx.store.reports.totals(q('stock_summary'))).toEqual(before.stockTotals);
      expect(await fx.store.reports.totals(q('variance'))).toEqual(before.varianceTotals);
    } finally {
      await fx.dispose();
    }
  });
});
