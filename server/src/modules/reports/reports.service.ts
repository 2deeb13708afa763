/**
 * Reporting use-cases (issue #6): resolve the shared filters into a store scope, answer JSON
 * pages with totals, and feed file writers chunk by chunk from the store. Never sees req/res.
 */
import {
  REPORT_COLUMNS,
  type ReportFilters,
  type ReportPage,
  type ReportRequest,
  type ReportTotals,
  type ReportType,
} from '@stockverify/shared';
import { validationError } from '../../lib/errors';
import type { ReportQuery, ReportScope, ReportSource, StoreReportType } from '../../ports/reports';
import type { Store } from '../../ports/store';
import { createCountQualitySource } from './count-quality.source';

export type ReportsService = ReturnType<typeof createReportsService>;

const TOTALS_REUSE_MS = 60_000;

type Cursor = NonNullable<ReportQuery['after']>;

/** Report types the store aggregates (count_quality is measured here from the bin rows). */
function isStoreQuery<T extends ReportType>(
  query: ReportQuery<T>,
): query is ReportQuery<T & StoreReportType> {
  return query.type !== 'count_quality';
}

/** The `next_after` of a variance page: the last row's key, opaque to clients. */
export function encodeCursor(key: Cursor): string {
  return Buffer.from(JSON.stringify([key.session_id, key.item_code])).toString('base64url');
}

/** Reads an `after` cursor; a malformed one is a 400 on `after`. */
export function decodeCursor(cursor: string): Cursor {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === 'string')) {
      return { session_id: key[0] as string, item_code: key[1] as string };
    }
  } catch {
    // fall through
  }
  throw validationError([{ path: 'after', message: 'not a cursor this report gave' }]);
}

export interface ReportsSettings {
  /** Rows read from the store per chunk of a file export. */
  chunkSize: number;
}

/** What file exports have done since start (for tests, metrics and the bench). */
export interface ReportStreamStats {
  started: number;
  finished: number;
  aborted: number;
  chunks_read: number;
  rows_read: number;
}

/** Builds the reports service over the store and its report source. */
export function createReportsService(
  store: Store,
  source: ReportSource,
  clock: () => Date,
  settings: ReportsSettings,
) {
  const quality = createCountQualitySource(store);
  const stats: ReportStreamStats = {
    started: 0,
    finished: 0,
    aborted: 0,
    chunks_read: 0,
    rows_read: 0,
  };

  /** The filters as the store takes them: `floor` becomes the racks on that floor. */
  async function scopeOf(filters: ReportFilters): Promise<ReportScope> {
    const { floor, ...rest } = filters;
    if (floor === undefined) return rest;
    const warehouses = filters.warehouse
      ? [await store.locations.getWarehouse(filters.warehouse)]
      : await store.locations.listWarehouses();
    const racks = warehouses.flatMap((w) =>
      w
        ? w.racks.filter((r) => r.floor === floor).map((r) => ({ warehouse: w.id, rack: r.code }))
        : [],
    );
    return { ...rest, racks };
  }

  async function queryOf<T extends ReportType>(
    request: ReportRequest & { type: T },
  ): Promise<ReportQuery<T>> {
    const query: ReportQuery<T> = {
      type: request.type,
      scope: await scopeOf(request.filters),
      group_by: request.group_by,
    };
    if (request.after !== undefined) query.after = decodeCursor(request.after);
    return query;
  }

  /**
   * Totals of the report a later page belongs to, as computed for its first page (within a
   * minute), so paging through a large report does not aggregate every row again per page.
   * A first page always computes them afresh.
   */
  const recentTotals = new Map<string, { at: number; totals: ReportTotals }>();
  async function totalsOf(
    query: ReportQuery<ReportType>,
    firstPage: boolean,
  ): Promise<ReportTotals> {
    if (!isStoreQuery(query)) return quality.totals(query.scope);
    const key = JSON.stringify([query.type, query.group_by, query.scope]);
    const now = clock().getTime();
    const cached = recentTotals.get(key);
    if (!firstPage && cached && now - cached.at < TOTALS_REUSE_MS) return cached.totals;
    const totals = await source.totals({
      type: query.type,
      scope: query.scope,
      group_by: query.group_by,
    });
    recentTotals.delete(key);
    recentTotals.set(key, { at: now, totals });
    // Keep the few most recent reports only.
    for (const old of recentTotals.keys()) {
      if (recentTotals.size <= 32) break;
      recentTotals.delete(old);
    }
    return totals;
  }

  /** Counts every chunk pulled from the store; stops pulling once the signal aborts. */
  async function* counted<R>(rows: AsyncIterable<R[]>, signal: AbortSignal): AsyncGenerator<R[]> {
    stats.started++;
    let done = false;
    try {
      for await (const chunk of rows) {
        // One chunk per turn of the event loop: other requests (and the 'close' of a client
        // that left) are served between chunks even while the socket takes every write at once.
        await new Promise((resolve) => setImmediate(resolve));
        stats.chunks_read++;
        stats.rows_read += chunk.length;
        if (signal.aborted) break;
        yield chunk;
        if (signal.aborted) break;
      }
      done = !signal.aborted;
    } finally {
      if (done) stats.finished++;
      else stats.aborted++;
    }
  }

  return {
    stats: (): ReportStreamStats => ({ ...stats }),

    /** One JSON page of a report with its totals over every row. */
    async generate<T extends ReportType>(
      request: ReportRequest & { type: T },
    ): Promise<ReportPage<T>> {
      const query = await queryOf(request);
      // A cursor replaces the offset (variance only).
      const offset = query.after ? 0 : (request.page - 1) * request.page_size;
      const firstPage = !query.after && request.page === 1;
      const [items, totals] = await Promise.all([
        isStoreQuery(query)
          ? source.page(query, offset, request.page_size)
          : (quality.page(query.scope, offset, request.page_size) as Promise<
              ReportPage<T>['items']
            >),
        totalsOf(query, firstPage),
      ]);
      const last = items.at(-1) as { session_id?: string; item_code?: string } | undefined;
      const nextAfter =
        request.type === 'variance' && items.length === request.page_size && last
          ? encodeCursor({ session_id: String(last.session_id), item_code: String(last.item_code) })
          : null;
      return {
        type: request.type,
        filters: request.filters,
        columns: [...REPORT_COLUMNS[request.type]],
        items,
        page: request.page,
        page_size: request.page_size,
        total: totals.rows,
        totals,
        generated_at: clock().toISOString(),
        ...(request.type === 'variance' ? { next_after: nextAfter } : {}),
      };
    },

    /** Every row of a report, chunk by chunk, for a file writer; stops when `signal` aborts. */
    async rows<T extends ReportType>(request: ReportRequest & { type: T }, signal: AbortSignal) {
      // A file holds the whole report: paging fields (page, page_size, after) do not apply.
      const query = await queryOf({ ...request, after: undefined });
      const chunks = isStoreQuery(query)
        ? source.stream(query, { chunkSize: settings.chunkSize, signal })
        : quality.stream(query.scope, settings.chunkSize, signal);
      return counted<object>(chunks, signal);
    },

    /** Per-item variance lines (zero variances included) of the given sessions, for bulk export. */
    async sessionLines(ids: readonly string[], signal: AbortSignal) {
      const query: ReportQuery<'variance'> = {
        type: 'variance',
        scope: { session_ids: ids, include_balanced: true },
        group_by: 'item',
      };
      return counted(source.stream(query, { chunkSize: settings.chunkSize, signal }), signal);
    },
  };
}
