/**
 * ReportSource on MongoDB (issue #6): the runner. Each report type's rows come from its family —
 * report-items.ts (variance, stock summary: count lines grouped per (session, item)),
 * report-people.ts (session history, user activity: the session read model, or the lines under a
 * filter the model does not keep) and the audit trail below — as raw rows in report order, read
 * through cursors in batches; pages, totals and streamed chunks are cut from them here. The
 * pipelines are pure builders in report-pipelines.ts. JSON pages skip through the rows before the
 * page. This adapter cannot run on build machines (design §3): it is type-checked, its pipelines
 * are unit-tested, and the report contract suites run against it where MONGODB_URI is set.
 */
import {
  roundMoney,
  roundQty,
  type AtCountRows,
  type ReportRowByType,
  type ReportTotals,
} from '@stockverify/shared';
import type { Filter } from 'mongodb';
import { TOTAL_KEYS } from '@stockverify/shared/spreadsheet';
import type {
  ReadOptions,
  ReportQuery,
  ReportSource,
  StoreReportType,
} from '../../../ports/reports';
import type { AuditEntry } from '../../../ports/store';
import { mapReportRow, valueAtCountCost, type RawRow } from '../reports-rows';
import type { Collections } from './collections';
import type { ReadModelCollections } from './read-model';
import { batches, reportContext, type ReportContext } from './report-context';
import { itemsAnswer } from '../reports-model';
import { stockRows, varianceRows, varianceTotalRows } from './report-items';
import { sessionRows, userRows } from './report-people';

/** Audit entries: `user` is the actor, `session` the target (or the session named in the summary). */
async function* auditRows(
  ctx: ReportContext,
  query: ReportQuery,
  size: number,
): AsyncGenerator<RawRow> {
  const { scope } = query;
  const filter: Filter<AuditEntry> = {};
  if (scope.user !== undefined) filter.actor_id = scope.user;
  if (scope.session !== undefined)
    filter.$or = [{ target_id: scope.session }, { 'summary.session_id': scope.session }];
  if (scope.from !== undefined || scope.to !== undefined) {
    filter.at = {
      ...(scope.from !== undefined && { $gte: scope.from }),
      ...(scope.to !== undefined && { $lt: scope.to }),
    };
  }
  for await (const doc of batches(ctx.c.audit.find(filter).sort({ at: -1, id: -1 }), size)) {
    const { _id, ...entry } = doc;
    yield entry as unknown as RawRow;
  }
}

/** Builds the report source over the store's collections and its read model's. */
export function createMongoReportSource(c: Collections, rm: ReadModelCollections): ReportSource {
  const ctx = reportContext(c, rm);

  function raw(query: ReportQuery, size: number): AsyncGenerator<RawRow> {
    switch (query.type) {
      case 'variance':
        return varianceRows(ctx, query, size);
      case 'stock_summary':
        return stockRows(ctx, query, size);
      case 'session_history':
        return sessionRows(ctx, query, size);
      case 'user_activity':
        return userRows(ctx, query);
      case 'audit_trail':
        return auditRows(ctx, query, size);
    }
  }

  return {
    async page<T extends StoreReportType>(query: ReportQuery<T>, offset: number, limit: number) {
      const out: Array<ReportRowByType[T]> = [];
      let i = 0;
      for await (const row of raw(query, 1000)) {
        if (i++ < offset) continue;
        out.push(mapReportRow(query.type, row));
        if (out.length >= limit) break;
      }
      return out;
    },
    async totals(query) {
      const totals: Required<ReportTotals> = {
        rows: 0,
        book_qty: 0,
        counted_qty: 0,
        variance: 0,
        value_at_cost: 0,
        value_at_price: 0,
        lines: 0,
        variance_at_count: 0,
        value_at_count_cost: 0,
        at_count_rows: { exact: 0, ambiguous: 0, unknown: 0, pending: 0 },
      };
      const atCountRows: AtCountRows = { exact: 0, ambiguous: 0, unknown: 0, pending: 0 };
      // The variance totals over every row (the cursor aside, as on SQLite) read the model.
      const rows =
        query.type === 'variance' && itemsAnswer(query.scope)
          ? varianceTotalRows(ctx, query, 1000)
          : raw(query, 1000);
      // Summed as the rows stream by: one row in memory at a time.
      for await (const r of rows) {
        const row = mapReportRow(query.type, r) as unknown as Record<string, unknown>;
        totals.rows++;
        for (const key of TOTAL_KEYS) totals[key] += typeof row[key] === 'number' ? row[key] : 0;
        const status = row.at_count_status;
        if (typeof status === 'string' && status in atCountRows)
          atCountRows[status as keyof AtCountRows]++;
      }
      const out: ReportTotals = { rows: totals.rows };
      const has = (k: string) =>
        ['stock_summary', 'variance'].includes(query.type) ||
        (k !== 'book_qty' && k !== 'counted_qty');
      if (query.type === 'audit_trail') return out;
      if (has('book_qty')) out.book_qty = roundQty(totals.book_qty);
      if (has('counted_qty')) out.counted_qty = roundQty(totals.counted_qty);
      out.variance = roundQty(totals.variance);
      out.value_at_cost = roundMoney(totals.value_at_cost);
      out.value_at_price = roundMoney(totals.value_at_price);
      if (query.type !== 'stock_summary') out.lines = totals.lines;
      if (query.type === 'variance') {
        // Over the exact rows (the others' figures are null), as on SQLite (issue #17).
        out.variance_at_count = roundQty(totals.variance_at_count);
        out.value_at_count_cost = roundMoney(totals.value_at_count_cost);
        out.at_count_rows = atCountRows;
      }
      return out;
    },
    async sessionAtCount(sessionId) {
      // The session's items, three fields each, summed as they stream by (a row at a time), each
      // value rounded as the variance report's rows are (MongoDB's $round rounds half to even).
      const items: AtCountRows = { exact: 0, ambiguous: 0, unknown: 0, pending: 0 };
      let vacM = 0;
      let value = 0;
      const cursor = ctx.rm.items.find(
        { session_id: sessionId },
        { projection: { _id: 0, at_status: 1, vac_m: 1, cost: 1 } },
      );
      for await (const doc of batches(cursor, 1000)) {
        const status = (doc.at_status ?? 'unknown') as keyof AtCountRows;
        if (status in items) items[status]++;
        if (status !== 'exact' || doc.vac_m === null || doc.vac_m === undefined) continue;
        vacM += doc.vac_m;
        value += valueAtCountCost(roundQty(doc.vac_m / 1000), doc.cost) ?? 0;
      }
      return {
        variance_at_count: roundQty(vacM / 1000),
        value_at_count_cost: roundMoney(value),
        items,
      };
    },
    async *stream<T extends StoreReportType>(query: ReportQuery<T>, options: ReadOptions) {
      let chunk: Array<ReportRowByType[T]> = [];
      for await (const row of raw(query, options.chunkSize)) {
        if (options.signal?.aborted) return;
        chunk.push(mapReportRow(query.type, row));
        if (chunk.length >= options.chunkSize) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length > 0 && !options.signal?.aborted) yield chunk;
    },
  };
}
