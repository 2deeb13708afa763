/**
 * The item reports on MongoDB (issue #6): variance and stock summary. Count lines are grouped per
 * (session, item) (`pairsPipeline`), sorted, read through a cursor in batches; variance and values
 * follow the shared rounding rules here. Where no floor or counter filter takes a share of an
 * item's lines (`itemsAnswer`), the stock summary and the variance totals read the read model's
 * rm_items documents instead (issue #13), as SQLite does. Memory: the variance report streams one
 * pair at a time; the stock summary keeps the counted pairs of one warehouse at a time (MongoDB
 * cannot merge-join the snapshot and line cursors for us).
 */
import { roundQty, varianceValue, type StockSummaryRow } from '@stockverify/shared';
import type { Document } from 'mongodb';
import type { SessionRecord } from '../../../ports/counting';
import type { ReportQuery, ReportScope } from '../../../ports/reports';
import { fromCents, fromMilli } from '../read-model-plan';
import { itemsAnswer } from '../reports-model';
import type { RawRow } from '../reports-rows';
import type { RmItemDocument } from './read-model';
import { batches, type ReportContext } from './report-context';
import { pairsPipeline } from './report-pipelines';

/** Per (session, item) sums of the lines that count, with snapshot and item-master facts. */
export interface PairDoc {
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
export interface Pair extends ItemPair {
  doc: PairDoc;
}

/** A pair's figures, whether summed from the lines or read from the model. */
export interface ItemPair {
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
  lines: number;
  /** The item's read-model at-count fields (issue #17), where read. */
  at?: AtCountFields;
}

/** An item's at-count fields in the read model (rm_items; hint_kinds is ',kind,kind,'). */
export interface AtCountFields {
  at_status: string;
  vac_m: number | null;
  vac_low_m: number | null;
  vac_high_m: number | null;
  hint_kinds: string;
}

/**
 * Whether an item is off at count (issue #17), as SQLite's `offAtCount`: an exact variance at
 * count that is not zero, or an ambiguous range not only zero. Such an item is a row of the
 * variance report even when its snapshot variance is zero.
 */
export function offAtCount(at: AtCountFields | undefined): boolean {
  if (at?.at_status === 'exact') return (at.vac_m ?? 0) !== 0;
  if (at?.at_status === 'ambiguous') return (at.vac_low_m ?? 0) !== 0 || (at.vac_high_m ?? 0) !== 0;
  return false;
}

/** The at-count fields of a read-model item document. */
function atFieldsOf(d: {
  at_status: string;
  vac_m?: number | null;
  vac_low_m?: number | null;
  vac_high_m?: number | null;
  hint_kinds?: string;
}): AtCountFields {
  return {
    at_status: d.at_status,
    vac_m: d.vac_m ?? null,
    vac_low_m: d.vac_low_m ?? null,
    vac_high_m: d.vac_high_m ?? null,
    hint_kinds: d.hint_kinds ?? '',
  };
}

/** Whether a pair's at-count fields pass the variance report's at-count filters (issue #17). */
export function atCountMatches(scope: ReportScope, at: AtCountFields | undefined): boolean {
  if (scope.at_count_status !== undefined && at?.at_status !== scope.at_count_status) return false;
  if (scope.hint !== undefined && !(at?.hint_kinds ?? '').includes(`,${scope.hint},`)) return false;
  return true;
}

/** Pairs with their items' at-count fields, read from rm_items `size` pairs at a time. */
async function* withAtCount<P extends ItemPair>(
  ctx: ReportContext,
  source: AsyncIterable<P>,
  size: number,
): AsyncGenerator<P> {
  let batch: P[] = [];
  const flush = async () => {
    const docs = await ctx.rm.items
      .find(
        {
          session_id: { $in: [...new Set(batch.map((p) => p.session_id))] },
          item_code: { $in: [...new Set(batch.map((p) => p.item_code))] },
        },
        {
          projection: {
            _id: 0,
            session_id: 1,
            item_code: 1,
            at_status: 1,
            vac_m: 1,
            vac_low_m: 1,
            vac_high_m: 1,
            hint_kinds: 1,
          },
        },
      )
      .toArray();
    const of = new Map(docs.map((d) => [`${d.session_id}\u001f${d.item_code}`, d]));
    const out = batch.map((p) => {
      const d = of.get(`${p.session_id}\u001f${p.item_code}`);
      return d ? { ...p, at: atFieldsOf(d) } : p;
    });
    batch = [];
    return out;
  };
  for await (const p of source) {
    batch.push(p);
    if (batch.length >= size) yield* await flush();
  }
  if (batch.length > 0) yield* await flush();
}

/** (session, item) pairs in session then item order, variance by the shared rule. */
export async function* pairs(
  ctx: ReportContext,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
  size: number,
  after?: ReportQuery['after'],
): AsyncGenerator<Pair> {
  const warehouseOf = new Map(sessions.map((s) => [s.id, s.warehouse]));
  const cursor = ctx.c.lines.aggregate<PairDoc>(pairsPipeline(ctx.names, scope, sessions, after), {
    allowDiskUse: true,
  });
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
      lines: doc.lines,
      doc,
    };
  }
}

/** The model's item documents of a batch as pairs, with names and categories looked up. */
async function modelBatch(
  ctx: ReportContext,
  docs: readonly RmItemDocument[],
  warehouseOf: ReadonlyMap<string, string>,
  category: string | undefined,
): Promise<ItemPair[]> {
  const codes = [...new Set(docs.map((d) => d.item_code))];
  const sessionIds = [...new Set(docs.map((d) => d.session_id))];
  const [snaps, items] = await Promise.all([
    ctx.c.snapshot
      .find(
        { session_id: { $in: sessionIds }, item_code: { $in: codes } },
        { projection: { _id: 0, session_id: 1, item_code: 1, name: 1, category: 1 } },
      )
      .toArray(),
    ctx.c.items
      .find(
        { item_code: { $in: codes } },
        { projection: { _id: 0, item_code: 1, name: 1, category: 1 } },
      )
      .toArray(),
  ]);
  const snapOf = new Map(snaps.map((s) => [`${s.session_id}\u001f${s.item_code}`, s]));
  const itemOf = new Map(items.map((i) => [i.item_code, i]));
  const out: ItemPair[] = [];
  for (const d of docs) {
    const snap = snapOf.get(`${d.session_id}\u001f${d.item_code}`);
    const item = itemOf.get(d.item_code);
    const pairCategory = snap ? snap.category : (item?.category ?? null);
    if (category !== undefined && pairCategory !== category) continue;
    out.push({
      session_id: d.session_id,
      warehouse: warehouseOf.get(d.session_id) ?? '',
      item_code: d.item_code,
      name: snap?.name ?? item?.name ?? d.item_code,
      category: pairCategory,
      in_snapshot: snap !== undefined,
      book_qty: d.book_qty,
      counted_qty: fromMilli(d.counted_m),
      damaged_qty: fromMilli(d.damaged_m),
      written_off_qty: fromMilli(d.nonret_m),
      variance: fromMilli(d.variance_m),
      value_at_cost: fromCents(d.cost_c),
      value_at_price: fromCents(d.price_c),
      cost: d.cost,
      price: d.price,
      lines: d.lines,
      at: atFieldsOf(d),
    });
  }
  return out;
}

/**
 * (session, item) pairs from the read model's rm_items (issue #13), in session then item order:
 * the very figures `pairs` sums from the lines (the model keeps the rounded sums), for a scope
 * without a floor or counter filter; a category keeps or drops whole items.
 */
export async function* modelPairs(
  ctx: ReportContext,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
  size: number,
): AsyncGenerator<ItemPair> {
  const warehouseOf = new Map(sessions.map((s) => [s.id, s.warehouse]));
  const cursor = ctx.rm.items
    .find({ session_id: { $in: sessions.map((s) => s.id) } })
    .sort({ session_id: 1, item_code: 1 });
  let batch: RmItemDocument[] = [];
  for await (const doc of batches(cursor, size)) {
    batch.push(doc);
    if (batch.length >= size) {
      yield* await modelBatch(ctx, batch, warehouseOf, scope.category);
      batch = [];
    }
  }
  if (batch.length > 0) yield* await modelBatch(ctx, batch, warehouseOf, scope.category);
}

/**
 * The variance report's rows for its totals only, from the model: the figures and the item's
 * status and variance at count, without the racks, counters, reasons and statuses the rows list
 * (not kept by the model).
 */
export async function* varianceTotalRows(
  ctx: ReportContext,
  query: ReportQuery,
  size: number,
): AsyncGenerator<RawRow> {
  const sessions = await ctx.sessionsOf(query.scope);
  for await (const p of modelPairs(ctx, query.scope, sessions, size)) {
    if (p.variance === 0 && !query.scope.include_balanced && !offAtCount(p.at)) continue;
    if (!atCountMatches(query.scope, p.at)) continue;
    yield {
      session_id: p.session_id,
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
      lines: p.lines,
      at_status: p.at?.at_status ?? null,
      vac_m: p.at?.vac_m ?? null,
    };
  }
}

/** The variance report: one row per (session, item) pair, balanced ones only when asked. */
export async function* varianceRows(
  ctx: ReportContext,
  query: ReportQuery,
  size: number,
): AsyncGenerator<RawRow> {
  const sessions = await ctx.sessionsOf(query.scope);
  const names = new Map(sessions.map((s) => [s.id, s.name]));
  const all = pairs(ctx, query.scope, sessions, size, query.after);
  for await (const p of withAtCount(ctx, all, size)) {
    if (p.variance === 0 && !query.scope.include_balanced && !offAtCount(p.at)) continue;
    if (!atCountMatches(query.scope, p.at)) continue;
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
      at_status: p.at?.at_status ?? null,
      vac_m: p.at?.vac_m ?? null,
      hint_kinds: p.at?.hint_kinds ?? '',
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
export async function* stockRows(
  ctx: ReportContext,
  query: ReportQuery,
  size: number,
): AsyncGenerator<RawRow> {
  const sessions = await ctx.sessionsOf(query.scope);
  const warehouses = [...new Set(sessions.map((s) => s.warehouse))].sort();
  for (const warehouse of warehouses) {
    const inWarehouse = sessions.filter((s) => s.warehouse === warehouse);
    const counted = new Map<string, ItemPair>();
    // Pairs of one warehouse, keyed by session+item; memory is one entry per counted pair of
    // this warehouse's chosen sessions (MongoDB cannot merge-join two sorted cursors for us).
    const source = itemsAnswer(query.scope)
      ? modelPairs(ctx, query.scope, inWarehouse, size)
      : pairs(ctx, query.scope, inWarehouse, size);
    for await (const p of source) counted.set(`${p.session_id}\u001f${p.item_code}`, p);
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
    const addCounted = (g: Sums, p: ItemPair) => {
      g.counted_qty += p.counted_qty;
      g.damaged_qty += p.damaged_qty;
      g.written_off_qty += p.written_off_qty;
      g.variance += p.variance;
      g.value_at_cost += p.value_at_cost;
      g.value_at_price += p.value_at_price;
    };
    const snapFilter: Document = { session_id: { $in: inWarehouse.map((s) => s.id) } };
    if (query.scope.category !== undefined) snapFilter.category = query.scope.category;
    const snapCursor = ctx.c.snapshot.find(snapFilter).sort({ item_code: 1, session_id: 1 });
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
