/**
 * ReportSource on MongoDB (issue #6). Aggregation pipelines group count lines per (session, item)
 * and per (session, counter), sorted, read through cursors in batches; the last step (variance
 * and values with the shared rounding rules, then per-category / per-session / per-counter sums)
 * runs in JS. Memory: the variance report streams one pair at a time; session history and user
 * activity keep one entry per session or counter; the stock summary keeps the counted pairs of
 * one warehouse at a time (MongoDB cannot merge-join the snapshot and line cursors for us), and
 * JSON pages skip through the rows before the page. Known limits of this adapter, which cannot
 * run on build machines (design §3): it is type-checked, and the report contract suite runs
 * against it where MONGODB_URI is set.
 */
import {
  roundMoney,
  roundQty,
  varianceValue,
  type ReportRowByType,
  type ReportTotals,
  type ReportType,
  type StockSummaryRow,
} from '@stockverify/shared';
import type { AbstractCursor, Document, Filter } from 'mongodb';
import { TOTAL_KEYS } from '@stockverify/shared/spreadsheet';
import type { SessionRecord } from '../../../ports/counting';
import type { ReadOptions, ReportQuery, ReportScope, ReportSource } from '../../../ports/reports';
import type { AuditEntry } from '../../../ports/store';
import { mapReportRow, type RawRow } from '../reports-rows';
import type { Collections, CountLineDocument } from './collections';

/** Per (session, item) sums of the lines that count, with snapshot and item-master facts. */
interface PairDoc {
  _id: { session_id: string; item_code: string };
  counted_qty: number;
  damaged_qty: number;
  written_off_qty: number;
  lines: number;
  racks: string[];
  counters: string[];
  reasons: Array<string | null>;
  statuses: string[];
  photos: number;
  last_counted_at: string;
  snapshot: Array<{
    name: string;
    category: string | null;
    book_qty: number;
    cost: number;
    price: number;
  }>;
  item: Array<{ name: string; category: string | null }>;
}

/** A (session, item) pair after the shared variance rule. */
interface Pair {
  session_id: string;
  warehouse: string;
  item_code: string;
  name: string;
  category: string | null;
  in_snapshot: boolean;
  book_qty: number;
  counted_qty: number;
  damaged_qty: number;
  written_off_qty: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  cost: number;
  price: number;
  doc: PairDoc;
}

async function* batches<T>(cursor: AbstractCursor<T>, size: number): AsyncGenerator<T> {
  try {
    for await (const doc of cursor.batchSize(size)) yield doc;
  } finally {
    await cursor.close();
  }
}

/** Builds the report source over the store's collections. */
export function createMongoReportSource(c: Collections): ReportSource {
  async function sessionsOf(scope: ReportScope): Promise<SessionRecord[]> {
    const filter: Filter<SessionRecord> = {};
    if (scope.warehouse !== undefined) filter.warehouse = scope.warehouse;
    const ids = scope.session_ids ? [...scope.session_ids] : null;
    if (scope.session !== undefined)
      filter.id = { $in: ids ? ids.filter((id) => id === scope.session) : [scope.session] };
    else if (ids) filter.id = { $in: ids };
    if (scope.from !== undefined || scope.to !== undefined) {
      filter.created_at = {
        ...(scope.from !== undefined && { $gte: scope.from }),
        ...(scope.to !== undefined && { $lt: scope.to }),
      };
    }
    const docs = await c.sessions.find(filter).sort({ created_at: 1, id: 1 }).toArray();
    return docs.map(({ _id, ...s }) => s);
  }

  /** The line filter of a scope over the chosen sessions (category is applied after lookup). */
  function lineMatch(
    scope: ReportScope,
    sessions: readonly SessionRecord[],
    countingOnly: boolean,
  ): Filter<CountLineDocument> {
    const match: Filter<CountLineDocument> = { session_id: { $in: sessions.map((s) => s.id) } };
    if (countingOnly) {
      match.superseded_by = null;
      match.status = { $ne: 'REJECTED' };
    }
    if (scope.user !== undefined) match.counted_by = scope.user;
    if (scope.racks) {
      const racks = scope.racks;
      const perSession = sessions.map((s) => ({
        session_id: s.id,
        rack: { $in: racks.filter((r) => r.warehouse === s.warehouse).map((r) => r.rack) },
      }));
      // MongoDB refuses an empty $or: no session means no line.
      if (perSession.length > 0) match.$or = perSession;
    }
    return match;
  }

  /** Looks up the line's or group's snapshot row and item, and its category. */
  function lookups(sessionField: string, itemField: string): Document[] {
    return [
      {
        $lookup: {
          from: c.snapshot.collectionName,
          let: { s: sessionField, i: itemField },
          pipeline: [
            {
              $match: {
                $expr: { $and: [{ $eq: ['$session_id', '$$s'] }, { $eq: ['$item_code', '$$i'] }] },
              },
            },
            { $project: { _id: 0, name: 1, category: 1, book_qty: 1, cost: 1, price: 1 } },
          ],
          as: 'snapshot',
        },
      },
      {
        $lookup: {
          from: c.items.collectionName,
          localField: itemField.slice(1),
          foreignField: 'item_code',
          pipeline: [{ $project: { _id: 0, name: 1, category: 1 } }],
          as: 'item',
        },
      },
      {
        $addFields: {
          category: {
            $cond: [
              { $gt: [{ $size: '$snapshot' }, 0] },
              { $arrayElemAt: ['$snapshot.category', 0] },
              { $ifNull: [{ $arrayElemAt: ['$item.category', 0] }, null] },
            ],
          },
        },
      },
    ];
  }

  /** Lines that count, with the category filter applied per line. */
  function linesPipeline(scope: ReportScope, sessions: readonly SessionRecord[]): Document[] {
    const stages: Document[] = [{ $match: lineMatch(scope, sessions, true) }];
    if (scope.category !== undefined) {
      stages.push(...lookups('$session_id', '$item_code'), {
        $match: { category: scope.category },
      });
    }
    return stages;
  }

  /** (session, item) pairs in session then item order, variance by the shared rule. */
  async function* pairs(
    scope: ReportScope,
    sessions: readonly SessionRecord[],
    size: number,
    after?: ReportQuery['after'],
  ): AsyncGenerator<Pair> {
    const warehouseOf = new Map(sessions.map((s) => [s.id, s.warehouse]));
    const keyset: Document[] = after
      ? [
          {
            $match: {
              $or: [
                { session_id: { $gt: after.session_id } },
                { session_id: after.session_id, item_code: { $gt: after.item_code } },
              ],
            },
          },
        ]
      : [];
    const cursor = c.lines.aggregate<PairDoc>(
      [
        ...keyset,
        ...linesPipeline(scope, sessions),
        {
          $group: {
            _id: { session_id: '$session_id', item_code: '$item_code' },
            counted_qty: { $sum: '$counted_qty' },
            damaged_qty: { $sum: '$damaged_qty' },
            written_off_qty: { $sum: '$non_returnable_damaged_qty' },
            lines: { $sum: 1 },
            racks: { $addToSet: '$rack' },
            counters: { $addToSet: '$counted_by_name' },
            reasons: { $addToSet: '$variance_reason' },
            statuses: { $addToSet: '$status' },
            photos: { $sum: { $size: '$photo_ids' } },
            last_counted_at: { $max: '$counted_at' },
          },
        },
        { $sort: { '_id.session_id': 1, '_id.item_code': 1 } },
        ...lookups('$_id.session_id', '$_id.item_code'),
      ],
      { allowDiskUse: true },
    );
    for await (const doc of batches(cursor, size)) {
      const snap = doc.snapshot[0];
      const item = doc.item[0];
      const book = snap?.book_qty ?? 0;
      const counted = roundQty(doc.counted_qty);
      const writtenOff = roundQty(doc.written_off_qty);
      const variance = roundQty(counted - writtenOff - book);
      const value = varianceValue(variance, { cost: snap?.cost ?? 0, price: snap?.price ?? 0 });
      yield {
        session_id: doc._id.session_id,
        warehouse: warehouseOf.get(doc._id.session_id) ?? '',
        item_code: doc._id.item_code,
        name: snap?.name ?? item?.name ?? doc._id.item_code,
        category: snap ? snap.category : (item?.category ?? null),
        in_snapshot: snap !== undefined,
        book_qty: book,
        counted_qty: counted,
        damaged_qty: roundQty(doc.damaged_qty),
        written_off_qty: writtenOff,
        variance,
        value_at_cost: value.at_cost,
        value_at_price: value.at_price,
        cost: snap?.cost ?? 0,
        price: snap?.price ?? 0,
        doc,
      };
    }
  }

  async function* varianceRows(query: ReportQuery, size: number): AsyncGenerator<RawRow> {
    const sessions = await sessionsOf(query.scope);
    const names = new Map(sessions.map((s) => [s.id, s.name]));
    for await (const p of pairs(query.scope, sessions, size, query.after)) {
      if (p.variance === 0 && !query.scope.include_balanced) continue;
      yield {
        session_id: p.session_id,
        session_name: names.get(p.session_id),
        warehouse: p.warehouse,
        item_code: p.item_code,
        name: p.name,
        category: p.category,
        book_qty: p.book_qty,
        counted_qty: p.counted_qty,
        damaged_qty: p.damaged_qty,
        written_off_qty: p.written_off_qty,
        cost: p.cost,
        price: p.price,
        lines: p.doc.lines,
        racks: p.doc.racks,
        counters: p.doc.counters,
        reasons: p.doc.reasons,
        review_status: p.doc.statuses,
        photos: p.doc.photos,
        last_counted_at: p.doc.last_counted_at,
      };
    }
  }

  /** A stock-summary row before its coverage is worked out. */
  type Sums = Omit<StockSummaryRow, 'coverage'>;

  const emptySums = (warehouse: string, key: Partial<Sums>): Sums => ({
    warehouse,
    item_code: null,
    name: null,
    category: null,
    items_in_scope: 0,
    items_counted: 0,
    book_qty: 0,
    counted_qty: 0,
    damaged_qty: 0,
    written_off_qty: 0,
    variance: 0,
    value_at_cost: 0,
    value_at_price: 0,
    ...key,
  });

  /** Stock summary per warehouse: snapshot rows merged with counted pairs, then grouped. */
  async function* stockRows(query: ReportQuery, size: number): AsyncGenerator<RawRow> {
    const sessions = await sessionsOf(query.scope);
    const warehouses = [...new Set(sessions.map((s) => s.warehouse))].sort();
    for (const warehouse of warehouses) {
      const inWarehouse = sessions.filter((s) => s.warehouse === warehouse);
      const counted = new Map<string, Pair>();
      // Pairs of one warehouse, keyed by session+item; memory is one entry per counted pair of
      // this warehouse's chosen sessions (MongoDB cannot merge-join two sorted cursors for us).
      for await (const p of pairs(query.scope, inWarehouse, size))
        counted.set(`${p.session_id}\u001f${p.item_code}`, p);
      const groups = new Map<string, Sums>();
      const add = (key: string, init: Partial<Sums>, f: (s: Sums) => void) => {
        let g = groups.get(key);
        if (!g) {
          g = emptySums(warehouse, init);
          groups.set(key, g);
        }
        f(g);
      };
      const keyOf = (itemCode: string, name: string, category: string | null) =>
        query.group_by === 'item'
          ? { key: itemCode, init: { item_code: itemCode, name, category } }
          : query.group_by === 'category'
            ? { key: category ?? '', init: { category } }
            : { key: '', init: {} };
      const addCounted = (g: Sums, p: Pair) => {
        g.counted_qty += p.counted_qty;
        g.damaged_qty += p.damaged_qty;
        g.written_off_qty += p.written_off_qty;
        g.variance += p.variance;
        g.value_at_cost += p.value_at_cost;
        g.value_at_price += p.value_at_price;
      };
      const snapFilter: Document = { session_id: { $in: inWarehouse.map((s) => s.id) } };
      if (query.scope.category !== undefined) snapFilter.category = query.scope.category;
      const snapCursor = c.snapshot.find(snapFilter).sort({ item_code: 1, session_id: 1 });
      for await (const row of batches(snapCursor, size)) {
        const k = keyOf(row.item_code, row.name, row.category);
        const p = counted.get(`${row.session_id}\u001f${row.item_code}`);
        counted.delete(`${row.session_id}\u001f${row.item_code}`);
        add(k.key, k.init, (g) => {
          g.items_in_scope++;
          g.book_qty += row.book_qty;
          if (p) {
            g.items_counted++;
            addCounted(g, p);
          }
        });
      }
      for (const p of counted.values()) {
        const k = keyOf(p.item_code, p.name, p.category);
        add(k.key, k.init, (g) => addCounted(g, p));
      }
      const keys = [...groups.keys()].sort();
      for (const key of keys) yield groups.get(key)! as unknown as RawRow;
    }
  }

  async function* sessionRows(query: ReportQuery, size: number): AsyncGenerator<RawRow> {
    const sessions = await sessionsOf(query.scope);
    const lineFilter =
      query.scope.racks !== undefined ||
      query.scope.user !== undefined ||
      query.scope.category !== undefined;
    const per = new Map<string, RawRow>();
    for await (const p of pairs(query.scope, sessions, size)) {
      let s = per.get(p.session_id);
      if (!s) {
        s = {
          items_counted: 0,
          lines: 0,
          variance: 0,
          value_at_cost: 0,
          value_at_price: 0,
          abs_book: 0,
          abs_variance: 0,
        };
        per.set(p.session_id, s);
      }
      s.items_counted = Number(s.items_counted) + 1;
      s.lines = Number(s.lines) + p.doc.lines;
      s.variance = Number(s.variance) + p.variance;
      s.value_at_cost = Number(s.value_at_cost) + p.value_at_cost;
      s.value_at_price = Number(s.value_at_price) + p.value_at_price;
      s.abs_book = Number(s.abs_book) + Math.abs(p.book_qty);
      s.abs_variance = Number(s.abs_variance) + Math.abs(p.variance);
    }
    const counters = await c.lines
      .aggregate<{ _id: string; users: string[] }>([
        ...linesPipeline(query.scope, sessions),
        { $group: { _id: '$session_id', users: { $addToSet: '$counted_by' } } },
      ])
      .toArray();
    const counterCount = new Map(counters.map((r) => [r._id, r.users.length]));
    for (const s of sessions) {
      const agg = per.get(s.id);
      if (lineFilter && !agg) continue;
      yield {
        session_id: s.id,
        name: s.name,
        warehouse: s.warehouse,
        mode: s.mode,
        status: s.status,
        created_at: s.created_at,
        closed_at: s.closed_at,
        reconciled_at: s.reconciled_at,
        counters: counterCount.get(s.id) ?? 0,
        items_in_snapshot: s.snapshot_items,
        ...agg,
      };
    }
  }

  async function* userRows(query: ReportQuery): AsyncGenerator<RawRow> {
    const sessions = await sessionsOf(query.scope);
    const perSession = await c.lines
      .aggregate<{
        _id: { user_id: string; session_id: string };
        username: string;
        lines: number;
        items: string[];
        abs_variance: number;
        abs_book: number;
        variance: number;
        value_at_cost: number;
        value_at_price: number;
        first_counted_at: string;
        last_counted_at: string;
      }>([
        ...linesPipeline(query.scope, sessions),
        {
          $group: {
            _id: { user_id: '$counted_by', session_id: '$session_id' },
            username: { $max: '$counted_by_name' },
            lines: { $sum: 1 },
            items: { $addToSet: '$item_code' },
            abs_variance: { $sum: { $abs: '$variance' } },
            abs_book: { $sum: { $abs: '$book_qty' } },
            variance: { $sum: '$variance' },
            value_at_cost: { $sum: '$value_at_cost' },
            value_at_price: { $sum: '$value_at_price' },
            first_counted_at: { $min: '$counted_at' },
            last_counted_at: { $max: '$counted_at' },
          },
        },
      ])
      .toArray();
    const written = await c.lines
      .aggregate<{ _id: string; lines_written: number; lines_overturned: number }>([
        { $match: lineMatch(query.scope, sessions, false) },
        ...(query.scope.category !== undefined
          ? [
              ...lookups('$session_id', '$item_code'),
              { $match: { category: query.scope.category } },
            ]
          : []),
        {
          $lookup: {
            from: c.lines.collectionName,
            localField: 'superseded_by',
            foreignField: 'op_id',
            pipeline: [
              {
                $project: { _id: 0, counted_qty: 1, damaged_qty: 1, non_returnable_damaged_qty: 1 },
              },
            ],
            as: 'next',
          },
        },
        {
          $group: {
            _id: '$counted_by',
            lines_written: { $sum: 1 },
            lines_overturned: {
              $sum: {
                $cond: [
                  {
                    $or: [
                      { $eq: ['$status', 'REJECTED'] },
                      {
                        $anyElementTrue: {
                          $map: {
                            input: '$next',
                            as: 'n',
                            in: {
                              $or: [
                                { $ne: ['$$n.counted_qty', '$counted_qty'] },
                                { $ne: ['$$n.damaged_qty', '$damaged_qty'] },
                                {
                                  $ne: [
                                    '$$n.non_returnable_damaged_qty',
                                    '$non_returnable_damaged_qty',
                                  ],
                                },
                              ],
                            },
                          },
                        },
                      },
                    ],
                  },
                  1,
                  0,
                ],
              },
            },
          },
        },
      ])
      .toArray();
    const writtenBy = new Map(written.map((w) => [w._id, w]));
    const users = new Map<string, RawRow & { username: string; user_id: string }>();
    for (const r of perSession) {
      let u = users.get(r._id.user_id);
      if (!u) {
        u = {
          user_id: r._id.user_id,
          username: r.username,
          sessions: 0,
          lines: 0,
          items: 0,
          active_minutes: 0,
          abs_variance: 0,
          abs_book: 0,
          variance: 0,
          value_at_cost: 0,
          value_at_price: 0,
          first_counted_at: r.first_counted_at,
          last_counted_at: r.last_counted_at,
          lines_written: writtenBy.get(r._id.user_id)?.lines_written ?? 0,
          lines_overturned: writtenBy.get(r._id.user_id)?.lines_overturned ?? 0,
        };
        users.set(r._id.user_id, u);
      }
      u.username = r.username > u.username ? r.username : u.username;
      u.sessions = Number(u.sessions) + 1;
      u.lines = Number(u.lines) + r.lines;
      u.items = Number(u.items) + r.items.length;
      u.active_minutes =
        Number(u.active_minutes) +
        Math.max(1, (Date.parse(r.last_counted_at) - Date.parse(r.first_counted_at)) / 60_000);
      u.abs_variance = Number(u.abs_variance) + roundQty(r.abs_variance);
      u.abs_book = Number(u.abs_book) + roundQty(r.abs_book);
      u.variance = Number(u.variance) + roundQty(r.variance);
      u.value_at_cost = Number(u.value_at_cost) + roundMoney(r.value_at_cost);
      u.value_at_price = Number(u.value_at_price) + roundMoney(r.value_at_price);
      if (r.first_counted_at < String(u.first_counted_at)) u.first_counted_at = r.first_counted_at;
      if (r.last_counted_at > String(u.last_counted_at)) u.last_counted_at = r.last_counted_at;
    }
    const sorted = [...users.values()].sort(
      (a, b) => a.username.localeCompare(b.username) || a.user_id.localeCompare(b.user_id),
    );
    yield* sorted;
  }

  async function* auditRows(query: ReportQuery, size: number): AsyncGenerator<RawRow> {
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
    for await (const doc of batches(c.audit.find(filter).sort({ at: -1, id: -1 }), size)) {
      const { _id, ...entry } = doc;
      yield entry as unknown as RawRow;
    }
  }

  function raw(query: ReportQuery, size: number): AsyncGenerator<RawRow> {
    switch (query.type) {
      case 'variance':
        return varianceRows(query, size);
      case 'stock_summary':
        return stockRows(query, size);
      case 'session_history':
        return sessionRows(query, size);
      case 'user_activity':
        return userRows(query);
      case 'audit_trail':
        return auditRows(query, size);
    }
  }

  return {
    async page<T extends ReportType>(query: ReportQuery<T>, offset: number, limit: number) {
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
      };
      for await (const r of raw(query, 1000)) {
        const row = mapReportRow(query.type, r) as unknown as Record<string, unknown>;
        totals.rows++;
        for (const key of TOTAL_KEYS) totals[key] += typeof row[key] === 'number' ? row[key] : 0;
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
      return out;
    },
    async *stream<T extends ReportType>(query: ReportQuery<T>, options: ReadOptions) {
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
