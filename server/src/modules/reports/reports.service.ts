/**
 * Reporting use-cases (issue #6): resolve the shared filters into a store scope, answer JSON
 * pages with totals, and feed file writers chunk by chunk from the store. Never sees req/res.
 */
import {
  REPORT_COLUMNS,
  type ReportFilters,
  type ReportPage,
  type ReportRequest,
  type ReportType,
} from '@stockverify/shared';
import type { ReportQuery, ReportScope, ReportSource } from '../../ports/reports';
import type { Store } from '../../ports/store';

export type ReportsService = ReturnType<typeof createReportsService>;

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
    return {
      type: request.type,
      scope: await scopeOf(request.filters),
      group_by: request.group_by,
    };
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
      const offset = (request.page - 1) * request.page_size;
      const [items, totals] = await Promise.all([
        source.page(query, offset, request.page_size),
        source.totals(query),
      ]);
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
      };
    },

    /** Every row of a report, chunk by chunk, for a file writer; stops when `signal` aborts. */
    async rows<T extends ReportType>(request: ReportRequest & { type: T }, signal: AbortSignal) {
      const query = await queryOf(request);
      return counted(source.stream(query, { chunkSize: settings.chunkSize, signal }), signal);
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
