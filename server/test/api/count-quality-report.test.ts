/**
 * The count_quality report (issue #16 item 5, docs/design.md §12 "Count quality") over bin rows
 * given to the store's BinRepo: the design's worked example in JSON, CSV (parsed back) and XLSX
 * (read back with exceljs), the filters, bad filters refused on their field, access, and that it
 * reads the bin rows only — never a count line, the line read model nor a store report query.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPORT_COLUMNS,
  type BinRecord,
  type CountQualityRow,
  type ReportPage,
} from '@stockverify/shared';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import type { BinRepo } from '../../src/ports/bins';
import type { Store } from '../../src/ports/store';
import { makeSession, makeSnapshotRow } from '../support/counting-records';
import { startTestApp, type TestApp } from '../support/test-app';

type Row = Omit<BinRecord, 'item_name'>;

let t: TestApp;
let real: Store;
let dir: string;
let supervisor: string;
let bound: string;
let staff: string;
let admin: string;
const ids: Record<'ana' | 'ben' | 'cara', string> = { ana: '', ben: '', cara: '' };
const binsOf = new Map<string, Row[]>();
/** Store calls made outside the bin rows while `watching`. */
let watching = false;
const lineCalls: string[] = [];

const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;

function binRow(session: string, item: string, over: Partial<Row> & Pick<Row, 'rack'>): Row {
  return {
    session_id: session,
    item_code: item,
    state: 'settled',
    reason: 'consensus',
    quantity: 1,
    proposed_quantity: null,
    phase: 0,
    split: false,
    book_qty: 1,
    rule_id: 'default',
    rule_version: 1,
    counters: [],
    first_count_qty: 1,
    first_received_at: at('09:00'),
    first_counted_by: null,
    first_count_confirmed: false,
    settled_at: null,
    recounts: 0,
    overturned: false,
    open_task_id: null,
    late_count_ids: [],
    late_acknowledged_ids: [],
    late_unacknowledged: 0,
    updated_at: at('12:00'),
    ...over,
  };
}

/** The worked example of design §12 (server/src/modules/reports/count-quality.test.ts). */
function example(): Row[] {
  const { ana, ben, cara } = ids;
  return [
    binRow('S1', 'I1', {
      rack: 'A1',
      reason: 'within_tolerance',
      counters: [ana],
      first_counted_by: ana,
      first_count_confirmed: true,
      settled_at: at('09:00'),
    }),
    binRow('S1', 'I2', {
      rack: 'A1',
      phase: 1,
      recounts: 1,
      counters: [ana, ben],
      first_counted_by: ana,
      first_count_confirmed: true,
      settled_at: at('09:30'),
    }),
    binRow('S1', 'I3', {
      rack: 'A2',
      phase: 2,
      recounts: 2,
      overturned: true,
      counters: [ana, ben, cara],
      first_counted_by: ana,
      settled_at: at('10:00'),
    }),
    binRow('S1', 'I4', {
      rack: 'B1',
      phase: 1,
      recounts: 1,
      counters: [ana, ben],
      first_counted_by: ben,
      first_count_confirmed: true,
      first_received_at: at('10:00'),
      settled_at: at('10:15'),
    }),
    binRow('S1', 'I5', {
      rack: 'B1',
      state: 'open',
      reason: 'exceeds_tolerance',
      quantity: null,
      phase: 1,
      counters: [ben],
      first_counted_by: ben,
      first_received_at: at('10:00'),
    }),
    binRow('S1', 'I6', {
      rack: 'B1',
      state: 'decided',
      reason: 'supervisor_decided',
      overturned: true,
      counters: [ben],
      first_counted_by: ben,
      first_received_at: at('10:00'),
      settled_at: at('11:00'),
    }),
    binRow('S1', 'I7', {
      rack: 'A2',
      reason: 'split_additive',
      split: true,
      counters: [ana, ben],
      first_counted_by: ana,
      first_count_confirmed: true,
      settled_at: at('09:00'),
    }),
  ];
}

/** A BinRepo answering `all` from the rows above; the report needs nothing else of it. */
function fakeBins(): BinRepo {
  const all: BinRepo['all'] = async (sessionId) => binsOf.get(sessionId) ?? [];
  const unused = () => Promise.reject(new Error('not used by the report'));
  return new Proxy({ all } as BinRepo, {
    get: (target, key) => (key === 'all' ? target.all : unused),
  });
}

/** Records any call of a repo's method while watching. */
function spied<R extends object>(name: string, repo: R): R {
  return new Proxy(repo, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (watching) lineCalls.push(`${name}.${String(key)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-quality-'));
  real = createSqliteStore({ file: path.join(dir, 'q.db') });
  const store: Store = {
    ...real,
    lines: spied('lines', real.lines),
    readModel: spied('readModel', real.readModel),
    variances: spied('variances', real.variances),
    reports: spied('reports', real.reports),
    bins: fakeBins(),
  };
  t = await startTestApp({ store, startAt: new Date('2026-03-03T08:00:00Z') });
  for (const name of ['ana', 'ben', 'cara'] as const) {
    ids[name] = (await t.userWithRole('staff', name)).user.id;
  }
  staff = (await t.userWithRole('staff', 'dora')).token;
  supervisor = (await t.userWithRole('supervisor', 'sup')).token;
  admin = (await t.userWithRole('admin', 'boss')).token;
  const b = await t.userWithRole('supervisor', 'sup-wh2');
  await real.users.update(b.user.id, { warehouse: 'WH2' });
  bound = b.token;

  await real.locations.upsertWarehouses([
    {
      id: 'WH1',
      name: 'Main',
      floors: [
        { code: 'G', name: 'Ground' },
        { code: 'M', name: 'Mezzanine' },
      ],
      racks: [
        { code: 'A1', floor: 'G', location_barcode: null },
        { code: 'A2', floor: 'G', location_barcode: null },
        { code: 'B1', floor: 'M', location_barcode: null },
      ],
    },
    {
      id: 'WH2',
      name: 'North',
      floors: [{ code: 'G', name: 'Ground' }],
      racks: [{ code: 'C1', floor: 'G', location_barcode: null }],
    },
  ]);
  const snapshot = (s: string) =>
    ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7'].map((item) =>
      makeSnapshotRow(s, item, { category: item === 'I3' ? 'Cables' : 'Hardware' }),
    );
  await real.sessions.create(
    makeSession('S1', { name: 'March count', created_at: '2026-03-02T08:00:00.000Z' }),
    snapshot('S1'),
  );
  await real.sessions.create(
    makeSession('S2', {
      name: 'North count',
      warehouse: 'WH2',
      racks: ['C1'],
      created_at: '2026-03-02T09:00:00.000Z',
    }),
    snapshot('S2'),
  );
  binsOf.set('S1', example());
  binsOf.set('S2', [
    binRow('S2', 'I1', {
      rack: 'C1',
      counters: [ids.cara],
      first_counted_by: ids.cara,
      first_count_confirmed: true,
      first_received_at: at('09:00'),
      settled_at: at('09:06'),
    }),
  ]);
});

afterAll(async () => {
  await t.close();
  await real.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function generate(body: Record<string, unknown>, token = supervisor) {
  watching = true;
  try {
    const res = await t.request<ReportPage<'count_quality'>>('POST', '/api/reports/generate', {
      token,
      body: { type: 'count_quality', ...body },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  } finally {
    watching = false;
  }
}

async function download(format: 'csv' | 'xlsx', body: Record<string, unknown>) {
  watching = true;
  try {
    const res = await fetch(`${t.baseUrl}/api/reports/export/${format}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'count_quality', ...body }),
    });
    expect(res.status).toBe(200);
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  } finally {
    watching = false;
  }
}

/** level, key, bins, open, closed, accuracy, recount rate, overturn rate, minutes, recounts, split. */
const pick = (r: CountQualityRow) => [
  r.level,
  r.session_id ?? r.zone ?? r.username,
  r.bins,
  r.open_bins,
  r.closed_bins,
  r.first_count_accuracy,
  r.recount_rate,
  r.overturn_rate,
  r.mean_minutes_to_settle,
  r.recount_counts,
  r.split_bins,
];

const S1_ROWS = [
  ['session', 'S1', 6, 1, 5, 60, 66.67, 33.33, 33, 4, 1],
  ['zone', 'G', 3, 0, 3, 66.67, 66.67, 50, 30, 3, 1],
  ['zone', 'M', 3, 1, 2, 50, 66.67, 0, 37.5, 1, 0],
  ['counter', 'ana', 3, 0, 3, 66.67, 66.67, 50, 30, 1, 1],
  ['counter', 'ben', 3, 1, 2, 50, 66.67, 0, 37.5, 2, 0],
  ['counter', 'cara', 0, 0, 0, null, null, null, null, 1, 0],
];

describe('count_quality report', () => {
  it('measures the bins per session, zone and counter (the design example) in JSON', async () => {
    const page = await generate({ filters: { session: 'S1' } });
    expect(page.items.map(pick)).toEqual([
      ['all', null, 6, 1, 5, 60, 66.67, 33.33, 33, 4, 1],
      ...S1_ROWS,
    ]);
    expect(page.columns).toEqual(REPORT_COLUMNS.count_quality);
    expect(page).toMatchObject({ type: 'count_quality', total: 7, totals: { rows: 7 } });
    expect(page.items[1]).toMatchObject({ session_name: 'March count', warehouse: 'WH1' });
    expect(page.items[2]).toMatchObject({ warehouse: 'WH1', zone_name: 'Ground' });
    expect(page.items[4]).toMatchObject({ user_id: ids.ana, username: 'ana' });
    expect(lineCalls).toEqual([]);
    // The spies do see a report the store aggregates from the lines' model.
    await generate({ type: 'session_history' });
    expect(lineCalls).toContain('reports.page');
    lineCalls.length = 0;
  });

  it('covers every session of the scope and pages the rows', async () => {
    const page = await generate({});
    expect(page.items.map((r) => [r.level, r.session_id ?? r.zone ?? r.username])).toEqual([
      ['all', null],
      ['session', 'S1'],
      ['session', 'S2'],
      ['zone', 'G'],
      ['zone', 'M'],
      ['zone', 'G'],
      ['counter', 'ana'],
      ['counter', 'ben'],
      ['counter', 'cara'],
    ]);
    // 7 bins, 6 closed: 4 confirmed; minutes (165 + 6) / 6.
    expect(pick(page.items[0]!)).toEqual(['all', null, 7, 1, 6, 66.67, 57.14, 33.33, 28.5, 4, 1]);
    expect(page.items[5]).toMatchObject({ warehouse: 'WH2', bins: 1 });
    const second = await generate({ page: 2, page_size: 4 });
    expect(second.items.map(pick)).toEqual(page.items.slice(4, 8).map(pick));
    expect(second).toMatchObject({ total: 9, page: 2 });
  });

  it('writes the same rows to CSV', async () => {
    const { res, bytes } = await download('csv', { filters: { session: 'S1' } });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/filename="count-quality-.+\.csv"/);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(0, -1).map((l) => l.split(','));
    const cols = REPORT_COLUMNS.count_quality;
    expect(rows[0]).toEqual(cols.map((c) => c.header));
    const keys = ['level', 'session_id', 'zone', 'username', 'bins', 'first_count_accuracy'];
    const idx = keys.map((k) => cols.findIndex((c) => c.key === k));
    expect(rows.slice(1).map((r) => idx.map((i) => r[i]))).toEqual([
      ['all', '', '', '', '6', '60'],
      ['session', 'S1', '', '', '6', '60'],
      ['zone', '', 'G', '', '3', '66.67'],
      ['zone', '', 'M', '', '3', '50'],
      ['counter', '', '', 'ana', '3', '66.67'],
      ['counter', '', '', 'ben', '3', '50'],
      ['counter', '', '', 'cara', '0', ''],
    ]);
  });

  it('writes the same rows to XLSX, figures as numbers', async () => {
    const { bytes } = await download('xlsx', { filters: { session: 'S1' } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Count quality', 'Summary']);
    const sheet = workbook.worksheets[0]!;
    const cols = REPORT_COLUMNS.count_quality;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(cols.map((c) => c.header));
    const out: unknown[][] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      const get = (key: keyof CountQualityRow) => values[cols.findIndex((c) => c.key === key)];
      out.push([
        get('level'),
        get('session_id') ?? get('zone') ?? get('username') ?? null,
        get('bins'),
        get('open_bins'),
        get('closed_bins'),
        get('first_count_accuracy') ?? null,
        get('recount_rate') ?? null,
        get('overturn_rate') ?? null,
        get('mean_minutes_to_settle') ?? null,
        get('recount_counts'),
        get('split_bins'),
      ]);
    });
    expect(out).toEqual([['all', null, 6, 1, 5, 60, 66.67, 33.33, 33, 4, 1], ...S1_ROWS]);
  });

  it('takes the same filters as the other reports', async () => {
    const wh2 = await generate({ filters: { warehouse: 'WH2' } });
    expect(wh2.items.map((r) => [r.level, r.session_id ?? r.zone ?? r.username])).toEqual([
      ['all', null],
      ['session', 'S2'],
      ['zone', 'G'],
      ['counter', 'cara'],
    ]);
    const floor = await generate({ filters: { warehouse: 'WH1', floor: 'M' } });
    expect(pick(floor.items[0]!)).toEqual(['all', null, 3, 1, 2, 50, 66.67, 0, 37.5, 1, 0]);
    const cables = await generate({ filters: { category: 'Cables' } });
    expect(cables.items[0]).toMatchObject({ bins: 1, overturned_bins: 1, first_count_accuracy: 0 });
    const ben = await generate({ filters: { user: ids.ben } });
    expect(ben.items.map((r) => [r.level, r.bins, r.recount_counts])).toEqual([
      ['all', 3, 1],
      ['session', 3, 1],
      ['session', 0, 0],
      ['zone', 3, 1],
      ['counter', 3, 2],
    ]);
    const late = await generate({ filters: { from: '2026-03-02T08:30:00.000Z' } });
    expect(late.items.filter((r) => r.level === 'session').map((r) => r.session_id)).toEqual([
      'S2',
    ]);
    const early = await generate({ filters: { to: '2026-03-02T08:30:00.000Z' } });
    expect(early.items.filter((r) => r.level === 'session').map((r) => r.session_id)).toEqual([
      'S1',
    ]);
    const none = await generate({ filters: { session: 'S1', warehouse: 'WH2' } });
    expect(none.items.map(pick)).toEqual([['all', null, 0, 0, 0, null, null, null, null, 0, 0]]);
  });

  it('refuses bad filters on their field, and changes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ filters: { from: 'yesterday' } }, 'filters.from'],
      [{ filters: { from: at('10:00'), to: at('10:00') } }, 'filters.to'],
      [{ filters: { floor: '' } }, 'filters.floor'],
      [{ filters: { user: 'x'.repeat(65) } }, 'filters.user'],
      [{ after: 'WyJTMSIsIkkxIl0' }, 'after'],
      [{ page_size: 5000 }, 'page_size'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', '/api/reports/generate', {
        token: supervisor,
        body: { type: 'count_quality', ...body },
      });
      expect(res.status, field).toBe(400);
      expect(res.body.error?.code).toBe('VALIDATION_FAILED');
      expect(res.body.error?.details?.map((d) => d.path)).toContain(field);
    }
    const unknown = await t.request('POST', '/api/reports/generate', {
      token: supervisor,
      body: { type: 'count_quality', filters: { zone: 'G' } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.details?.[0]?.path).toMatch(/^filters/);
    const file = await fetch(`${t.baseUrl}/api/reports/export/csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'count_quality', filters: { to: 'soon' } }),
    });
    expect(file.status).toBe(400);
    const audit = await real.audit.list({ page: 1, page_size: 500 });
    expect(audit.items.filter((e) => e.action === 'report.exported')).toHaveLength(2);
  });

  it('is for supervisors; a bound supervisor sees their warehouse only', async () => {
    const denied = await t.request('POST', '/api/reports/generate', {
      token: staff,
      body: { type: 'count_quality' },
    });
    expect(denied.status).toBe(403);
    const other = await t.request('POST', '/api/reports/generate', {
      token: bound,
      body: { type: 'count_quality', filters: { warehouse: 'WH1' } },
    });
    expect(other.status).toBe(403);
    expect(other.body.error?.details?.[0]?.path).toBe('filters.warehouse');
    const theirs = await generate({}, bound);
    expect(theirs.filters.warehouse).toBe('WH2');
    expect(theirs.items.filter((r) => r.level === 'session').map((r) => r.session_id)).toEqual([
      'S2',
    ]);
    const all = await generate({}, admin);
    expect(all.items.filter((r) => r.level === 'session')).toHaveLength(2);
  });
});
