import type { ReportPage, StockSummaryRow } from '@stockverify/shared';
import { REPORT_COLUMNS } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { generateReport } from './reports';

const row: StockSummaryRow = {
  warehouse: 'WH-1',
  item_code: null,
  name: null,
  category: 'Tools',
  items_in_scope: 4,
  items_counted: 3,
  book_qty: 10,
  counted_qty: 9,
  damaged_qty: 0,
  written_off_qty: 0,
  variance: -1,
  value_at_cost: -2.5,
  value_at_price: -4,
  coverage: 75,
};

const page: ReportPage<'stock_summary'> = {
  type: 'stock_summary',
  filters: { warehouse: 'WH-1' },
  columns: [...REPORT_COLUMNS.stock_summary],
  items: [row],
  page: 1,
  page_size: 100,
  total: 1,
  totals: { rows: 1, variance: -1 },
  generated_at: '2026-12-06T07:00:00.000Z',
};

function answering(data: unknown) {
  const bodies: unknown[] = [];
  const client = new ApiClient({
    baseUrl: 'http://sv',
    fetchImpl: async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify({ success: true, data, error: null, message: '' }), {
        status: 200,
      });
    },
  });
  return { client, bodies };
}

describe('generateReport', () => {
  it('posts the request and reads the page of the type asked for', async () => {
    const { client, bodies } = answering(page);
    const request = { type: 'stock_summary', group_by: 'category' } as const;
    await expect(generateReport(client, request)).resolves.toEqual(page);
    expect(bodies).toEqual([request]);
  });

  it('refuses rows with a retyped field and a page of another type, naming the fields', async () => {
    const retyped = { ...page, items: [{ ...row, coverage: '75 %' }] };
    await expect(
      generateReport(answering(retyped).client, { type: 'stock_summary' }),
    ).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'items.0.coverage', message: expect.any(String) }],
    });
    await expect(
      generateReport(answering(page).client, { type: 'session_history' }),
    ).rejects.toMatchObject({ code: 'BAD_ANSWER' });
  });
});
