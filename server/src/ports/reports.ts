/**
 * The reporting port (issue #6): each report type as rows aggregated by the store itself (SQL
 * GROUP BY on SQLite, aggregation pipelines on MongoDB), read in bounded chunks so a file export
 * never holds more than one chunk in memory.
 */
import type {
  AtCountStatus,
  HintKind,
  ReportRowByType,
  ReportType,
  ReportTotals,
  SessionAtCount,
  StockSummaryGroup,
} from '@stockverify/shared';

/**
 * Filters resolved by the service (ReportFilters, with `floor` turned into the racks on it).
 * Session choice: warehouse, session / session_ids, created_at in [from, to).
 * Line choice: racks (warehouse + rack code pairs), category, user.
 */
export interface ReportScope {
  warehouse?: string;
  session?: string;
  /** Only these sessions (bulk export). */
  session_ids?: readonly string[];
  from?: string;
  to?: string;
  /** Lines on these racks only; an empty list matches nothing. */
  racks?: ReadonlyArray<{ warehouse: string; rack: string }>;
  category?: string;
  user?: string;
  /** variance only: keep items whose variance is zero too (a session's full count sheet). */
  include_balanced?: boolean;
  /** variance only: items whose read-model at-count status is this (issue #17). */
  at_count_status?: AtCountStatus;
  /** variance only: items with this root-cause hint kind in the read model (issue #17). */
  hint?: HintKind;
}

/**
 * The report types the store aggregates. `count_quality` is measured by the reports module from
 * the bin rows (`BinRepo.all`, modules/reports/count-quality*.ts), not by a store query.
 */
export type StoreReportType = Exclude<ReportType, 'count_quality'>;

export interface ReportQuery<T extends ReportType = StoreReportType> {
  type: T;
  scope: ReportScope;
  /** stock_summary only. */
  group_by: StockSummaryGroup;
  /** variance only: rows strictly after this (session, item) key, in report order. */
  after?: { session_id: string; item_code: string };
}

export interface ReadOptions {
  /** Rows per chunk read from the store. */
  chunkSize: number;
  /** Checked between chunks: once aborted, the read stops and the store cursor is released. */
  signal?: AbortSignal;
}

export interface ReportSource {
  /** One page of rows, in report order. */
  page<T extends StoreReportType>(
    query: ReportQuery<T>,
    offset: number,
    limit: number,
  ): Promise<Array<ReportRowByType[T]>>;
  /** Row count and totals over every row of the report. */
  totals(query: ReportQuery): Promise<ReportTotals>;
  /** Every row in report order, `chunkSize` at a time; memory stays at one chunk. */
  stream<T extends StoreReportType>(
    query: ReportQuery<T>,
    options: ReadOptions,
  ): AsyncIterable<Array<ReportRowByType[T]>>;
  /**
   * One session's figures at count over every counted item of its read model (the session
   * detail, issue #17): the exact items' variance at count and its value at the snapshot's cost,
   * each item rounded as the variance report's rows are, and the items by status. One aggregate.
   */
  sessionAtCount(sessionId: string): Promise<SessionAtCount>;
}
