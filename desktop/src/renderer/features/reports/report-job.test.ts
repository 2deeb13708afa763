import ExcelJS from 'exceljs';
import { REPORT_COLUMNS } from '@stockverify/shared';
import type { ReportPage, VarianceRow } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { csvField, createCsvWriter, type ReportRow } from '@stockverify/shared/spreadsheet';
import { ReportCancelled, runReportJob } from './report-job';
import { reportPages } from './report-pages';

const columns = REPORT_COLUMNS.variance;

function rows(n: number): ReportRow[] {
  return Array.from({ length: n }, (_, i) => ({
    item_code: `I${i}`,
    variance: i % 2 ? -1 : 2,
    book_qty: 1,
  }));
}

/** Variance rows as the server sends them (every field of the shared row schema). */
function varianceRows(n: number): VarianceRow[] {
  return Array.from({ length: n }, (_, i) => ({
    session_id: 'S1',
    session_name: 'Count',
    warehouse: 'WH-1',
    item_code: `I${i}`,
    name: `Item ${i}`,
    category: null,
    book_qty: 1,
    counted_qty: i % 2 ? 0 : 3,
    damaged_qty: 0,
    written_off_qty: 0,
    variance: i % 2 ? -1 : 2,
    value_at_cost: 0,
    value_at_price: 0,
    lines: 1,
    racks: 'A-01',
    counters: 'alice',
    reasons: '',
    review_status: 'APPROVED',
    photos: 0,
    last_counted_at: '2026-11-29T10:00:00.000Z',
    variance_at_count: null,
    at_count_status: 'unknown',
    hints: '',
  }));
}

/** A `POST /reports/generate` answer of the variance report with `items`. */
function variancePage(
  items: VarianceRow[],
  total: number,
  extra: Partial<ReportPage<'variance'>> = {},
): ReportPage<'variance'> {
  return {
    type: 'variance',
    filters: {},
    columns: [...columns],
    items,
    page: 1,
    page_size: items.length,
    total,
    totals: { rows: total },
    generated_at: '2026-11-29T10:00:00.000Z',
    ...extra,
  };
}

async function* pagesOf(all: ReportRow[], size: number) {
  for (let i = 0; i < all.length; i += size)
    yield { rows: all.slice(i, i + size), total: all.length };
}

describe('runReportJob', () => {
  it('reports progress on a clock, not only per page, and totals at the end', async () => {
    let clock = 0;
    const progress: number[] = [];
    const result = await runReportJob({
      format: 'csv',
      title: 'Variance',
      sheetName: 'Variance',
      columns,
      pages: pagesOf(rows(3000), 3000),
      onChunk: () => undefined,
      onProgress: ({ rows: n }) => progress.push(n),
      progressEveryMs: 100,
      // Every clock read moves time 1 ms: one report per 100 reads (25 600 rows) is too rare, so
      // the clock is read every 256 rows and advances 50 ms each time.
      now: () => (clock += 50),
    });
    expect(result.rows).toBe(3000);
    expect(result.totals.variance).toBe(1500 * 2 - 1500);
    // Start, in-page reports every other clock read, end of page, end of job.
    expect(progress[0]).toBe(0);
    expect(progress.filter((n) => n > 0 && n < 3000).length).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toBe(3000);
  });

  it("writes the totals at count on the console's own XLSX Summary sheet (issue #17)", async () => {
    // The worked example of design §13 as rows: ITM-A −2 (cost 2) and ITM-B −7 at the snapshot,
    // −2 at count (cost 0.5), both exact; ITM-C −1, ambiguous; ITM-D pending.
    const at = (
      code: string,
      variance: number,
      vac: number | null,
      value: number | null,
      status: string,
    ) => ({
      ...varianceRows(1)[0]!,
      item_code: code,
      variance,
      variance_at_count: vac,
      value_at_count_cost: value,
      at_count_status: status,
    });
    const chunks: Uint8Array[] = [];
    const result = await runReportJob({
      format: 'xlsx',
      title: 'Variance',
      sheetName: 'Variance',
      columns,
      pages: pagesOf(
        [
          at('ITM-A', -2, -2, -4, 'exact'),
          at('ITM-B', -7, -2, -1, 'exact'),
          at('ITM-C', -1, null, null, 'ambiguous'),
          at('ITM-D', 3, null, null, 'pending'),
        ],
        2,
      ),
      onChunk: (chunk) => chunks.push(chunk),
      onProgress: () => undefined,
    });
    expect(result.totals).toMatchObject({
      variance: -7,
      variance_at_count: -4,
      value_at_count_cost: -5,
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const summary = new Map<string, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((r) => {
      summary.set(String(r.getCell(1).value), r.getCell(2).value);
    });
    expect(summary.get('Total Variance')).toBe(-7);
    expect(summary.get('Total Variance at count (exact items)')).toBe(-4);
    expect(summary.get('Total Variance at count value at cost (exact items)')).toBe(-5);
    expect(summary.get('Items exact at count')).toBe(2);
    expect(summary.get('Items not resolved at count')).toBe(2);
    expect(summary.get('Items ambiguous at count')).toBe(1);
    expect(summary.get('Items pending at count')).toBe(1);
  });

  it('stops with ReportCancelled when the signal aborts', async () => {
    const controller = new AbortController();
    const job = runReportJob({
      format: 'xlsx',
      title: 'Variance',
      sheetName: 'Variance',
      columns,
      pages: (async function* () {
        yield { rows: rows(10), total: 1000 };
        controller.abort();
        yield { rows: rows(10), total: 1000 };
      })(),
      onChunk: () => undefined,
      onProgress: () => undefined,
      signal: controller.signal,
    });
    await expect(job).rejects.toBeInstanceOf(ReportCancelled);
  });
});

describe('CSV', () => {
  it('quotes, neutralises formulas, keeps numbers numeric and starts with a BOM', () => {
    const text = columns.find((c) => c.kind === 'text')!;
    const qty = columns.find((c) => c.kind === 'qty')!;
    expect(csvField('a,b', text)).toBe('"a,b"');
    expect(csvField('say "hi"', text)).toBe('"say ""hi"""');
    expect(csvField('=1+2', text)).toBe("'=1+2");
    expect(csvField(-3, qty)).toBe('-3');
    expect(csvField(null, qty)).toBe('');
    const chunks: Uint8Array[] = [];
    const writer = createCsvWriter({ columns: [text, qty], onData: (c) => chunks.push(c) });
    writer.addRow({ [text.key]: 'x', [qty.key]: 2 });
    writer.finish();
    const out = new TextDecoder('utf-8', { ignoreBOM: true }).decode(Buffer.concat(chunks));
    expect(out).toBe(`\uFEFF${text.header},${qty.header}\r\nx,2\r\n`);
  });
});

describe('reportPages', () => {
  it('pages through POST /reports/generate until the total, sending the token', async () => {
    const bodies: unknown[] = [];
    const fetchImpl = async (_url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { page: number; page_size: number };
      bodies.push(body);
      expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
      const start = (body.page - 1) * body.page_size;
      const items = varianceRows(5).slice(start, start + body.page_size);
      const data = variancePage(items, 5);
      return new Response(JSON.stringify({ success: true, data }), { status: 200 });
    };
    const seen: ReportRow[] = [];
    let first: ReportPage | null = null;
    for await (const page of reportPages({
      baseUrl: 'http://sv',
      token: 'tok',
      request: { type: 'variance', filters: { session: 'S1' } },
      fetchImpl,
      pageSize: 2,
      onFirstPage: (p) => {
        first = p;
      },
    })) {
      seen.push(...page.rows);
    }
    expect(seen.map((r) => r.item_code)).toEqual(['I0', 'I1', 'I2', 'I3', 'I4']);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toEqual({
      type: 'variance',
      filters: { session: 'S1' },
      page: 1,
      page_size: 2,
    });
    expect(first).not.toBeNull();
  });

  it('follows next_after for the variance report instead of page numbers', async () => {
    const bodies: Array<{ page: number; after?: string }> = [];
    const all = varianceRows(5);
    const fetchImpl = async (_url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { page: number; after?: string };
      bodies.push(body);
      const start =
        body.after === undefined ? 0 : all.findIndex((r) => r.item_code === body.after) + 1;
      const items = all.slice(start, start + 2);
      const last = start + 2 >= all.length;
      const data = variancePage(items, 5, {
        next_after: last ? null : String(items.at(-1)!.item_code),
      });
      return new Response(JSON.stringify({ success: true, data }), { status: 200 });
    };
    const seen: ReportRow[] = [];
    for await (const page of reportPages({
      baseUrl: 'http://sv',
      token: 'tok',
      request: { type: 'variance' },
      fetchImpl,
      pageSize: 2,
    })) {
      seen.push(...page.rows);
    }
    expect(seen.map((r) => r.item_code)).toEqual(['I0', 'I1', 'I2', 'I3', 'I4']);
    expect(bodies.map((b) => b.after)).toEqual([undefined, 'I1', 'I3']);
  });

  it('asks for a new token once when the server answers 401, then goes on', async () => {
    const seenTokens: string[] = [];
    const fetchImpl = async (_url: string | URL | Request, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).Authorization!;
      seenTokens.push(auth);
      if (auth === 'Bearer old') {
        return new Response(
          JSON.stringify({ success: false, data: null, error: { message: 'expired' } }),
          {
            status: 401,
          },
        );
      }
      const data = variancePage(varianceRows(1), 1);
      return new Response(JSON.stringify({ success: true, data }), { status: 200 });
    };
    let renewals = 0;
    const seen: ReportRow[] = [];
    for await (const page of reportPages({
      baseUrl: 'http://sv',
      token: 'old',
      renewToken: async () => {
        renewals++;
        return 'new';
      },
      request: { type: 'variance' },
      fetchImpl,
    })) {
      seen.push(...page.rows);
    }
    expect(renewals).toBe(1);
    expect(seenTokens).toEqual(['Bearer old', 'Bearer new']);
    expect(seen).toHaveLength(1);
  });

  it('fails with the server message on an error envelope', async () => {
    const fetchImpl = async () =>
      new Response(
        JSON.stringify({
          success: false,
          data: null,
          error: { message: 'filters.to: must be after from' },
        }),
        {
          status: 400,
        },
      );
    const pages = reportPages({
      baseUrl: 'http://sv',
      token: 't',
      request: { type: 'variance' },
      fetchImpl,
    });
    await expect(pages.next()).rejects.toThrow('filters.to: must be after from');
  });

  it('refuses a page that does not match the report type, naming the field, before any row', async () => {
    // One row with its variance as text and one without a counter: a file written from them
    // would show blank or wrong cells without a word.
    const [good, retyped, partial] = varianceRows(3) as [VarianceRow, VarianceRow, VarianceRow];
    const { counters: _dropped, ...withoutCounters } = partial;
    const bad = [good, { ...retyped, variance: '-1' }, withoutCounters];
    const fetchImpl = async () =>
      new Response(JSON.stringify({ success: true, data: variancePage(bad as never, 3) }), {
        status: 200,
      });
    const seen: ReportRow[] = [];
    const read = async () => {
      for await (const page of reportPages({
        baseUrl: 'http://sv',
        token: 't',
        request: { type: 'variance' },
        fetchImpl,
      })) {
        seen.push(...page.rows);
      }
    };
    await expect(read()).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [
        { path: 'items.1.variance', message: expect.any(String) },
        { path: 'items.2.counters', message: expect.any(String) },
      ],
    });
    expect(seen).toEqual([]);
  });

  it('refuses a page of another report type than the one asked for', async () => {
    const fetchImpl = async () =>
      new Response(
        JSON.stringify({
          success: true,
          data: { ...variancePage(varianceRows(1), 1), type: 'audit_trail' },
        }),
        { status: 200 },
      );
    const pages = reportPages({
      baseUrl: 'http://sv',
      token: 't',
      request: { type: 'variance' },
      fetchImpl,
    });
    await expect(pages.next()).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'type', message: expect.any(String) }],
    });
  });
});
