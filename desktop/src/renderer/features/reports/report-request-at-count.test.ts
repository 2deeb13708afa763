/**
 * The Reports screen's at-count filters (issue #17, docs/design.md §13 "Reports"): the variance
 * report sends `filters.at_count_status` and `filters.hint` when chosen; other report types,
 * which the server would refuse them for, never do.
 */
import { describe, expect, it } from 'vitest';
import { buildReportRequest } from './ReportsScreen';

const emptyForm = {
  warehouse: '',
  floor: '',
  category: '',
  user: '',
  session: '',
  from: '',
  to: '',
};

describe('the Reports screen at-count filters', () => {
  it('the variance report sends the chosen status and hint kind', () => {
    expect(
      buildReportRequest(
        'variance',
        'item',
        { ...emptyForm, session: 'S1' },
        {
          at_count_status: 'ambiguous',
          hint: 'movement_near_count',
        },
      ),
    ).toEqual({
      ok: true,
      request: {
        type: 'variance',
        filters: { session: 'S1', at_count_status: 'ambiguous', hint: 'movement_near_count' },
      },
    });
    expect(
      buildReportRequest('variance', 'item', emptyForm, { at_count_status: '', hint: '' }),
    ).toEqual({ ok: true, request: { type: 'variance', filters: {} } });
  });

  it('other report types leave them out', () => {
    for (const type of ['stock_summary', 'session_history', 'audit_trail'] as const) {
      const built = buildReportRequest(type, 'item', emptyForm, {
        at_count_status: 'exact',
        hint: 'uom_factor',
      });
      expect(built.ok).toBe(true);
      if (built.ok) expect(built.request.filters).toEqual({});
    }
  });
});
