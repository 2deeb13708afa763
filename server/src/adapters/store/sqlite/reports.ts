/**
 * ReportSource on SQLite. Pages for JSON run on the store's connection. A file export reads on a
 * read-only connection of its own, so its statement iterator may stay open across the awaits of
 * a back-pressured response without making the main connection "busy"; WAL lets it read a
 * consistent snapshot while counting goes on. An in-memory database (no second connection
 * possible) reads in pages instead.
 */
import Database from 'better-sqlite3';
import { roundMoney, roundQty, type ReportRowByType, type ReportTotals } from '@stockverify/shared';
import type {
  ReadOptions,
  ReportQuery,
  ReportScope,
  ReportSource,
  StoreReportType,
} from '../../../ports/reports';
import type { Db } from './database';
import { mapReportRow, type RawRow } from '../reports-rows';
import { itemsAnswer, modelAnswers } from '../reports-model';
import { SESSION_AT_COUNT_SQL, reportSql, totalsSql, type ReportSqlSource } from './reports-sql';

/** Minutes between a counter's first and last line, at least one (as the session metrics count). */
export function activeMinutes(first: string, last: string): number {
  return Math.max(1, (Date.parse(last) - Date.parse(first)) / 60_000);
}

/** The shared rounding rules as SQL functions, so SQL rounds exactly as the services do. */
export function registerReportFunctions(db: Db): void {
  db.function('sv_round_qty', { deterministic: true }, (v: unknown) =>
    v === null ? null : roundQty(Number(v)),
  );
  db.function('sv_round_money', { deterministic: true }, (v: unknown) =>
    v === null ? null : roundMoney(Number(v)),
  );
  db.function('sv_active_minutes', { deterministic: true }, (first: unknown, last: unknown) =>
    activeMinutes(String(first), String(last)),
  );
}

type Params = Record<string, string | number | null>;

function toParams(scope: ReportScope, after?: ReportQuery['after']): Params {
  return {
    after_session: after?.session_id ?? null,
    after_item: after?.item_code ?? null,
    warehouse: scope.warehouse ?? null,
    session: scope.session ?? null,
    session_ids: scope.session_ids ? JSON.stringify(scope.session_ids) : null,
    from: scope.from ?? null,
    to: scope.to ?? null,
    racks: scope.racks
      ? JSON.stringify(scope.racks.map((r) => `${r.warehouse}\u001f${r.rack}`))
      : null,
    category: scope.category ?? null,
    user: scope.user ?? null,
    include_balanced: scope.include_balanced ? 1 : 0,
    at_count_status: scope.at_count_status ?? null,
    hint: scope.hint ?? null,
  };
}

interface TotalsRow {
  rows: number;
  book_qty?: number | null;
  counted_qty?: number | null;
  variance?: number | null;
  value_at_cost?: number | null;
  value_at_price?: number | null;
  lines?: number | null;
  variance_at_count?: number | null;
  value_at_count_cost?: number | null;
  at_exact?: number | null;
  at_ambiguous?: number | null;
  at_unknown?: number | null;
  at_pending?: number | null;
}

function toTotals(row: TotalsRow): ReportTotals {
  const totals: ReportTotals = { rows: row.rows };
  if (row.book_qty !== undefined) totals.book_qty = roundQty(row.book_qty ?? 0);
  if (row.counted_qty !== undefined) totals.counted_qty = roundQty(row.counted_qty ?? 0);
  if (row.variance !== undefined) totals.variance = roundQty(row.variance ?? 0);
  if (row.value_at_cost !== undefined) totals.value_at_cost = roundMoney(row.value_at_cost ?? 0);
  if (row.value_at_price !== undefined) totals.value_at_price = roundMoney(row.value_at_price ?? 0);
  if (row.lines !== undefined) totals.lines = row.lines ?? 0;
  // The variance report's figures at count (issue #17): sums over its exact rows, and the rows
  // by status.
  if (row.variance_at_count !== undefined)
    totals.variance_at_count = roundQty(row.variance_at_count ?? 0);
  if (row.value_at_count_cost !== undefined)
    totals.value_at_count_cost = roundMoney(row.value_at_count_cost ?? 0);
  if (row.at_exact !== undefined) {
    totals.at_count_rows = {
      exact: row.at_exact ?? 0,
      ambiguous: row.at_ambiguous ?? 0,
      unknown: row.at_unknown ?? 0,
      pending: row.at_pending ?? 0,
    };
  }
  return totals;
}

/** Builds the report source over the store's open, migrated database. */
export function createSqliteReportSource(db: Db): ReportSource {
  registerReportFunctions(db);
  const sourceOf = (query: Pick<ReportQuery, 'type' | 'scope'>): ReportSqlSource => ({
    model: modelAnswers(query.type, query.scope),
    items: itemsAnswer(query.scope),
  });
  const cache = new Map<string, Database.Statement<[Params], RawRow>>();
  const prepared = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare<[Params], RawRow>(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const pageSql = (query: ReportQuery) =>
    `${reportSql(query.type, query.group_by, query.after !== undefined, sourceOf(query))}
LIMIT @limit OFFSET @offset`;

  const page = async <T extends StoreReportType>(
    query: ReportQuery<T>,
    offset: number,
    limit: number,
  ): Promise<Array<ReportRowByType[T]>> => {
    const stmt = prepared(pageSql(query));
    const rows = stmt.all({ ...toParams(query.scope, query.after), limit, offset } as Params);
    return rows.map((row) => mapReportRow(query.type, row));
  };

  /** Reads on a private read-only connection, one chunk per turn of the event loop. */
  async function* streamOnReader<T extends StoreReportType>(
    query: ReportQuery<T>,
    opts: ReadOptions,
  ): AsyncGenerator<Array<ReportRowByType[T]>> {
    const reader = new Database(db.name, { readonly: true, fileMustExist: true });
    reader.pragma('cache_size = -32768');
    registerReportFunctions(reader);
    const sql = reportSql(query.type, query.group_by, query.after !== undefined, sourceOf(query));
    const rows = reader.prepare<[Params], RawRow>(sql).iterate(toParams(query.scope, query.after));
    try {
      for (;;) {
        if (opts.signal?.aborted) return;
        const chunk: Array<ReportRowByType[T]> = [];
        let next = rows.next();
        while (!next.done) {
          chunk.push(mapReportRow(query.type, next.value));
          if (chunk.length >= opts.chunkSize) break;
          next = rows.next();
        }
        if (chunk.length > 0) yield chunk;
        if (next.done) return;
      }
    } finally {
      rows.return?.();
      reader.close();
    }
  }

  async function* streamInPages<T extends StoreReportType>(
    query: ReportQuery<T>,
    opts: ReadOptions,
  ): AsyncGenerator<Array<ReportRowByType[T]>> {
    for (let offset = 0; ; offset += opts.chunkSize) {
      if (opts.signal?.aborted) return;
      const chunk = await page(query, offset, opts.chunkSize);
      if (chunk.length > 0) yield chunk;
      if (chunk.length < opts.chunkSize) return;
    }
  }

  return {
    page,
    async totals(query) {
      const row = prepared(totalsSql(query.type, query.group_by, sourceOf(query))).get(
        toParams(query.scope),
      );
      return toTotals(row as unknown as TotalsRow);
    },
    stream(query, opts) {
      return db.memory ? streamInPages(query, opts) : streamOnReader(query, opts);
    },
    async sessionAtCount(sessionId) {
      // The session's one kept row (rm_at_count_totals); none before its first item: zeros.
      const row = prepared(SESSION_AT_COUNT_SQL).get({
        session: sessionId,
      }) as unknown as TotalsRow | undefined;
      const totals = toTotals({ ...row, rows: 0 });
      return {
        variance_at_count: totals.variance_at_count ?? 0,
        value_at_count_cost: totals.value_at_count_cost ?? 0,
        items: totals.at_count_rows ?? { exact: 0, ambiguous: 0, unknown: 0, pending: 0 },
      };
    },
  };
}
