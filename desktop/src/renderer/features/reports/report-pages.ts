import { reportPageSchemaOf } from '@stockverify/shared';
import type { ReportPage, ReportRequestInput } from '@stockverify/shared';
import type { ReportRow } from '@stockverify/shared/spreadsheet';
import { parseAnswer } from '../../api/client';

export const REPORT_PAGE_SIZE = 1000;

export interface ReportPagesOptions {
  baseUrl: string;
  token: string;
  /** Asked for a new access token when the server answers 401 (a long export outlives one). */
  renewToken?: () => Promise<string>;
  request: ReportRequestInput;
  fetchImpl?: typeof fetch;
  signal?: AbortSignal;
  pageSize?: number;
  /** Called with the first page (columns and the API's totals). */
  onFirstPage?: (page: ReportPage) => void;
}

/**
 * Every row of a report, page by page, from `POST /reports/generate`; each page is checked
 * against the report type's shared schema (a row with a missing or retyped field is an ApiError
 * `BAD_ANSWER` naming it, not a blank cell in the file).
 */
export async function* reportPages(
  options: ReportPagesOptions,
): AsyncGenerator<{ rows: ReportRow[]; total: number }> {
  const fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  const pageSize = options.pageSize ?? REPORT_PAGE_SIZE;
  const schema = reportPageSchemaOf(options.request.type);
  let token = options.token;
  // The variance report answers `next_after`: following it reads each page through the index,
  // where page numbers would make the server count past every earlier row (a million-row report).
  let after: string | undefined;
  const fetchPage = (page: number) =>
    fetchImpl(`${options.baseUrl}/api/reports/generate`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        ...options.request,
        page,
        page_size: pageSize,
        ...(after === undefined ? {} : { after }),
      }),
      signal: options.signal,
    });
  for (let page = 1; ; page++) {
    let response = await fetchPage(page);
    if (response.status === 401 && options.renewToken) {
      token = await options.renewToken();
      response = await fetchPage(page);
    }
    let body: { success?: boolean; data?: unknown; error?: { message?: string } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new Error(`The server answered HTTP ${response.status} without a report.`);
    }
    if (!response.ok || body.success !== true || body.data === undefined) {
      throw new Error(body.error?.message ?? `The server answered HTTP ${response.status}.`);
    }
    const data = parseAnswer(schema, body.data, '/reports/generate');
    if (page === 1) options.onFirstPage?.(data);
    yield { rows: data.items, total: data.total };
    if (data.next_after !== undefined) {
      if (data.next_after === null || data.items.length === 0) return;
      after = data.next_after;
      continue;
    }
    if (page * pageSize >= data.total || data.items.length === 0) return;
  }
}
