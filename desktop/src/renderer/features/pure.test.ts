import type { SessionHistoryRow } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { visibleRange } from '../ui/VirtualList';
import { pwaUrlFor } from './admin/PhoneQr';
import {
  barChartHeight,
  FROM_ZERO,
  progressByDay,
  roundUp,
  shortLabel,
} from './dashboards/Dashboards';
import { tileState } from './racks/RackMap';
import { buildReportRequest } from './reports/ReportsScreen';
import { fileNameFrom } from './reports/save-response';

const emptyForm = {
  warehouse: '',
  floor: '',
  category: '',
  user: '',
  session: '',
  from: '',
  to: '',
};

describe('visibleRange', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 360, 36, 10_000)).toEqual({ start: 0, end: 18 });
    expect(visibleRange(36_000, 360, 36, 10_000)).toEqual({ start: 992, end: 1018 });
    expect(visibleRange(359_640, 360, 36, 10_000)).toEqual({ start: 9982, end: 10_000 });
  });
});

describe('buildReportRequest', () => {
  it('keeps filled filters, turns dates into instants and validates with the shared schema', () => {
    expect(
      buildReportRequest('variance', 'item', { ...emptyForm, session: ' S1 ', from: '2026-11-01' }),
    ).toEqual({
      ok: true,
      request: { type: 'variance', filters: { session: 'S1', from: '2026-11-01T00:00:00.000Z' } },
    });
    expect(buildReportRequest('stock_summary', 'category', emptyForm)).toEqual({
      ok: true,
      request: { type: 'stock_summary', filters: {}, group_by: 'category' },
    });
  });

  it('explains a bad window with the field path', () => {
    const result = buildReportRequest('variance', 'item', {
      ...emptyForm,
      from: '2026-11-02',
      to: '2026-11-01',
    });
    expect(result).toEqual({ ok: false, error: 'filters.to: must be after from' });
  });

  it('drops filters the audit trail does not take', () => {
    expect(
      buildReportRequest('audit_trail', 'item', { ...emptyForm, warehouse: 'WH', user: 'u1' }),
    ).toEqual({
      ok: true,
      request: { type: 'audit_trail', filters: { user: 'u1' } },
    });
  });
});

describe('fileNameFrom', () => {
  it('reads plain and RFC 5987 names and strips path characters', () => {
    expect(fileNameFrom('attachment; filename="sessions.xlsx"', 'x.xlsx')).toBe('sessions.xlsx');
    expect(fileNameFrom("attachment; filename*=UTF-8''caf%C3%A9.csv", 'x.csv')).toBe('café.csv');
    expect(fileNameFrom('attachment; filename="../../etc/passwd"', 'x')).toBe('.._.._etc_passwd');
    expect(fileNameFrom(null, 'fallback.csv')).toBe('fallback.csv');
  });
});

describe('tileState', () => {
  const rack = {
    code: 'A-01',
    floor: 'GF',
    location_barcode: null,
    claimant: null,
    lines: 3,
    has_variances: false,
  } as const;
  it('shows variances on a completed rack, and the plain state otherwise', () => {
    expect(tileState({ ...rack, state: 'completed', has_variances: true })).toBe('has variances');
    expect(tileState({ ...rack, state: 'completed' })).toBe('completed');
    expect(tileState({ ...rack, state: 'available' })).toBe('released');
    expect(tileState({ ...rack, state: 'recount', has_variances: true })).toBe('recount');
  });
});

describe('progressByDay', () => {
  it('sums items counted per creation day and averages accuracy', () => {
    const row = (created_at: string, items_counted: number, accuracy: number | null) =>
      ({ created_at, items_counted, accuracy }) as SessionHistoryRow;
    expect(
      progressByDay([
        row('2026-11-29T10:00:00Z', 5, 90),
        row('2026-11-28T10:00:00Z', 2, null),
        row('2026-11-29T15:00:00Z', 3, 100),
      ]),
    ).toEqual([
      { day: '2026-11-28', items: 2, accuracy: null },
      { day: '2026-11-29', items: 8, accuracy: 95 },
    ]);
  });
});

describe('pwaUrlFor', () => {
  it('points phones at the server origin, where the PWA is served', () => {
    expect(pwaUrlFor('https://sv.local:8443/api-ignored')).toBe('https://sv.local:8443/');
  });
});

describe('bar chart axes (issue #14)', () => {
  it('always include zero and end on round numbers', () => {
    const [low, high] = FROM_ZERO;
    expect([low(-230.23), high(-5)]).toEqual([-300, 0]);
    expect([low(3), high(47)]).toEqual([0, 50]);
    expect([low(-0.4), high(1234)]).toEqual([-0.4, 2000]);
    expect(roundUp(0)).toBe(0);
    expect(shortLabel('A very long category name indeed')).toBe('A very long categor…');
    expect(barChartHeight(30)).toBeGreaterThan(barChartHeight(3));
  });
});
