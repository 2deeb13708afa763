/**
 * The read model on MongoDB (issue #13): rm_items, rm_racks, rm_counters, rm_sessions and rm_days,
 * one document per row of the SQLite tables, `_id` the row's key. `apply` runs inside the line
 * repository's transactions (one per sync batch, one per review), so the model commits with the
 * lines. The planner is the SQLite adapter's (read-model-plan.ts); `planWrites` turns a plan into
 * bulk writes and is unit-tested without a server.
 */
import { randomInt } from 'node:crypto';
import type { AnyBulkWriteOperation, ClientSession, Collection, Db } from 'mongodb';
import type { CountLineRecord, SessionRecord, SnapshotRow } from '../../../ports/counting';
import type { AtCountMark, ReadModelRepo } from '../../../ports/read-model';
import {
  AT_COUNT_LAST_ASC,
  AT_COUNT_LAST_DESC,
  atCountFields,
  atCountOf,
  bySession,
  dayOf,
  lineCounts,
  plan,
  reviewEvents,
  reviewWriterDelta,
  toCounterStats,
  toItemAtCount,
  toItemFigures,
  toLineFigures,
  toRackFigures,
  toSessionFigures,
  touched,
  type CounterRow,
  type ItemRow,
  type LineEvent,
  type Plan,
  type PlanInputs,
  type WriterDelta,
} from '../read-model-plan';
import type { CountLineDocument } from './collections';
import type { RunInTransaction } from './transactions';

/**
 * Per-rack and per-counter counts as [key, n] pairs: a rack code may hold a '.'. Stored beside
 * them for the variances page (variances.ts): the racks' codes and the two sort keys, |variance|
 * and |value at cost|, so the page's filter and sort read indexed fields.
 */
export type RmItemDocument = Omit<ItemRow, 'racks' | 'users'> & {
  _id: string;
  racks: Array<[string, number]>;
  users: Array<[string, number]>;
  rack_codes: string[];
  abs_variance_m: number;
  abs_cost_c: number;
  /** The variance_at_count sort keys (read-model-plan AT_COUNT_LAST_*), kept with vac_m. */
  vac_desc: number;
  vac_asc: number;
};

/** The sort keys of an item's variance at count (null: last either way). */
export function vacKeys(vacM: number | null): { vac_desc: number; vac_asc: number } {
  return vacM === null
    ? { vac_desc: AT_COUNT_LAST_DESC, vac_asc: AT_COUNT_LAST_ASC }
    : { vac_desc: Math.abs(vacM), vac_asc: Math.abs(vacM) };
}

/** An item waiting for the at-count drain (design §13); `_id` is rmId(session, item). */
export interface RmAtCountDirtyDocument {
  _id: string;
  session_id: string;
  item_code: string;
  seq: number;
}

export function toItemDocument(row: ItemRow): Omit<RmItemDocument, '_id'> {
  return {
    ...row,
    racks: Object.entries(row.racks),
    users: Object.entries(row.users),
    rack_codes: Object.keys(row.racks),
    abs_variance_m: Math.abs(row.variance_m),
    abs_cost_c: Math.abs(row.cost_c),
    ...vacKeys(row.vac_m),
  };
}

export function fromItemDocument(doc: RmItemDocument): ItemRow {
  const {
    _id,
    rack_codes: _r,
    abs_variance_m: _v,
    abs_cost_c: _c,
    vac_desc: _d,
    vac_asc: _a,
    ...row
  } = doc;
  return {
    ...atCountFields(atCountOf('unknown')),
    ...row,
    racks: Object.fromEntries(doc.racks),
    users: Object.fromEntries(doc.users),
  };
}
export type RmCounterDocument = CounterRow & { _id: string };
export interface RmRackDocument {
  _id: string;
  session_id: string;
  rack: string;
  lines: number;
  items: number;
  variance_items: number;
  last_activity_at: string | null;
}
export interface RmSessionDocument {
  _id: string;
  lines: number;
  items: number;
  variance_m: number;
  abs_variance_m: number;
  abs_book_m: number;
  cost_c: number;
  price_c: number;
}
export interface RmDayDocument {
  _id: string;
  day: string;
  session_id: string;
  user_id: string;
  lines: number;
  abs_variance_m: number;
  abs_book_m: number;
  cost_c: number;
}

/** Lines written and overturned by one counter in one session (WriterFigures). */
export interface RmWriterDocument {
  _id: string;
  session_id: string;
  user_id: string;
  written: number;
  overturned: number;
}

export const READ_MODEL_COLLECTION = {
  items: 'rm_items',
  racks: 'rm_racks',
  counters: 'rm_counters',
  sessions: 'rm_sessions',
  days: 'rm_days',
  writers: 'rm_writers',
  atCountDirty: 'rm_at_count_dirty',
} as const;

export interface ReadModelCollections {
  items: Collection<RmItemDocument>;
  racks: Collection<RmRackDocument>;
  counters: Collection<RmCounterDocument>;
  sessions: Collection<RmSessionDocument>;
  days: Collection<RmDayDocument>;
  writers: Collection<RmWriterDocument>;
  atCountDirty: Collection<RmAtCountDirtyDocument>;
}

export function readModelCollections(db: Db): ReadModelCollections {
  return {
    items: db.collection<RmItemDocument>(READ_MODEL_COLLECTION.items),
    racks: db.collection<RmRackDocument>(READ_MODEL_COLLECTION.racks),
    counters: db.collection<RmCounterDocument>(READ_MODEL_COLLECTION.counters),
    sessions: db.collection<RmSessionDocument>(READ_MODEL_COLLECTION.sessions),
    days: db.collection<RmDayDocument>(READ_MODEL_COLLECTION.days),
    writers: db.collection<RmWriterDocument>(READ_MODEL_COLLECTION.writers),
    atCountDirty: db.collection<RmAtCountDirtyDocument>(READ_MODEL_COLLECTION.atCountDirty),
  };
}

/** `_id` of a row keyed by several fields. */
export function rmId(...parts: string[]): string {
  return JSON.stringify(parts);
}

/** The bulk writes of one plan, per collection (empty lists are left out by the caller). */
export function planWrites(p: Plan): {
  items: AnyBulkWriteOperation<RmItemDocument>[];
  racks: AnyBulkWriteOperation<RmRackDocument>[];
  sessions: AnyBulkWriteOperation<RmSessionDocument>[];
  counters: AnyBulkWriteOperation<RmCounterDocument>[];
  days: AnyBulkWriteOperation<RmDayDocument>[];
  writers: AnyBulkWriteOperation<RmWriterDocument>[];
  dirty: AnyBulkWriteOperation<RmAtCountDirtyDocument>[];
} {
  const sid = p.session_id;
  return {
    dirty: p.dirty.map((code) => ({
      updateOne: {
        filter: { _id: rmId(sid, code) },
        update: { $set: { session_id: sid, item_code: code, seq: randomInt(2 ** 47) } },
        upsert: true,
      },
    })),
    items: [
      ...p.itemPuts.map((row): AnyBulkWriteOperation<RmItemDocument> => ({
        replaceOne: {
          filter: { _id: rmId(sid, row.item_code) },
          replacement: toItemDocument(row),
          upsert: true,
        },
      })),
      ...p.itemDeletes.map((code): AnyBulkWriteOperation<RmItemDocument> => ({
        deleteOne: { filter: { _id: rmId(sid, code) } },
      })),
    ],
    racks: [...p.racks].map(([rack, d]): AnyBulkWriteOperation<RmRackDocument> => {
      // An update pipeline, so a first write and a later one are the same operation: missing
      // fields count as 0 / null, and last_activity_at only moves forward.
      const plus = (field: string, by: number) => ({
        $add: [{ $ifNull: [`$${field}`, 0] }, { $literal: by }],
      });
      const activity =
        d.activity === null
          ? { $ifNull: ['$last_activity_at', null] }
          : {
              $cond: [
                {
                  $or: [
                    { $eq: [{ $ifNull: ['$last_activity_at', null] }, null] },
                    { $gt: [{ $literal: d.activity }, '$last_activity_at'] },
                  ],
                },
                { $literal: d.activity },
                '$last_activity_at',
              ],
            };
      return {
        updateOne: {
          filter: { _id: rmId(sid, rack) },
          update: [
            {
              $set: {
                session_id: { $literal: sid },
                rack: { $literal: rack },
                lines: plus('lines', d.lines),
                items: plus('items', d.items),
                variance_items: plus('variance_items', d.variance_items),
                last_activity_at: activity,
              },
            },
          ],
          upsert: true,
        },
      };
    }),
    sessions: [
      {
        updateOne: {
          filter: { _id: sid },
          update: { $inc: { ...p.session } },
          upsert: true,
        },
      },
    ],
    counters: [
      ...p.counterPuts.map((row): AnyBulkWriteOperation<RmCounterDocument> => ({
        replaceOne: {
          filter: { _id: rmId(sid, row.user_id) },
          replacement: { ...row },
          upsert: true,
        },
      })),
      ...p.counterDeletes.map((userId): AnyBulkWriteOperation<RmCounterDocument> => ({
        deleteOne: { filter: { _id: rmId(sid, userId) } },
      })),
    ],
    days: p.days.map((d): AnyBulkWriteOperation<RmDayDocument> => ({
      updateOne: {
        filter: { _id: rmId(d.day, sid, d.user_id) },
        update: {
          $set: { day: d.day, session_id: sid, user_id: d.user_id },
          $inc: {
            lines: d.lines,
            abs_variance_m: d.abs_variance_m,
            abs_book_m: d.abs_book_m,
            cost_c: d.cost_c,
          },
        },
        upsert: true,
      },
    })),
    writers: p.writers.map((d): AnyBulkWriteOperation<RmWriterDocument> => ({
      updateOne: {
        filter: { _id: rmId(sid, d.user_id) },
        update: {
          $set: { session_id: sid, user_id: d.user_id },
          $inc: { written: d.written, overturned: d.overturned },
        },
        upsert: true,
      },
    })),
  };
}

const COUNTING = { superseded_by: null, status: { $nin: ['REJECTED', 'CANDIDATE'] } } as const;

/** The MongoDB read model over the model's collections and the lines and snapshot. */
export function createMongoReadModel(
  rm: ReadModelCollections,
  lines: Collection<CountLineDocument>,
  snapshot: Collection<SnapshotRow>,
  inTransaction: RunInTransaction,
  /** Whether a session has an ERP watermark (design §13); without it no item is marked. */
  sessions?: Collection<SessionRecord>,
) {
  // A session's watermark is set when it is created and never changed: cached per process.
  const watermarks = new Map<string, boolean>();
  const watched = async (txn: ClientSession, sessionId: string): Promise<boolean> => {
    const known = watermarks.get(sessionId);
    if (known !== undefined || !sessions) return known ?? false;
    const doc = await sessions.findOne(
      { id: sessionId },
      { session: txn, projection: { _id: 0, erp_watermark: 1 } },
    );
    if (!doc) return false;
    if (watermarks.size >= 10_000) watermarks.clear();
    const value = (doc.erp_watermark ?? null) !== null;
    watermarks.set(sessionId, value);
    return value;
  };

  /** The model rows a change moves, as they were before it (bounds: after the line writes). */
  const inputsFor = async (
    txn: ClientSession,
    sessionId: string,
    events: readonly LineEvent[],
  ): Promise<PlanInputs> => {
    const o = { session: txn };
    const t = touched(events);
    const codes = [...t.items];
    const users = [...t.counters.keys()];
    const [olds, counterDocs] = await Promise.all([
      rm.items.find({ _id: { $in: codes.map((c) => rmId(sessionId, c)) } }, o).toArray(),
      rm.counters.find({ _id: { $in: users.map((u) => rmId(sessionId, u)) } }, o).toArray(),
    ]);
    const oldOf = new Map(olds.map((d) => [d.item_code, d]));
    // An item's row keeps its snapshot figures: only items new to the model need the snapshot.
    const fresh = codes.filter((code) => !oldOf.has(code));
    const snaps =
      fresh.length === 0
        ? []
        : await snapshot.find({ session_id: sessionId, item_code: { $in: fresh } }, o).toArray();
    const snapOf = new Map(snaps.map((d) => [d.item_code, d]));
    const items: PlanInputs['items'] = new Map();
    for (const code of codes) {
      const old = oldOf.get(code);
      const snap = snapOf.get(code);
      items.set(code, {
        old: old ? fromItemDocument(old) : null,
        snapshot: snap ? { book_qty: snap.book_qty, cost: snap.cost, price: snap.price } : null,
      });
    }
    const counters: PlanInputs['counters'] = new Map();
    for (const [userId, c] of t.counters) {
      let bounds: { first: string; last: string; username: string } | null = null;
      if (c.removal) {
        const [b] = await lines
          .aggregate<{ first: string; last: string; username: string }>(
            [
              { $match: { session_id: sessionId, counted_by: userId, ...COUNTING } },
              {
                $group: {
                  _id: null,
                  first: { $min: '$counted_at' },
                  last: { $max: '$counted_at' },
                  username: { $max: '$counted_by_name' },
                },
              },
            ],
            o,
          )
          .toArray();
        if (b) bounds = { first: b.first, last: b.last, username: b.username };
      }
      const old = counterDocs.find((d) => d.user_id === userId);
      counters.set(userId, { old: old ? stripId(old) : null, bounds });
    }
    return {
      session_id: sessionId,
      items,
      counters,
      watermarked: await watched(txn, sessionId),
    };
  };

  const write = async (txn: ClientSession, p: Plan): Promise<void> => {
    const w = planWrites(p);
    const o = { session: txn, ordered: true };
    if (w.items.length > 0) await rm.items.bulkWrite(w.items, o);
    if (w.racks.length > 0) await rm.racks.bulkWrite(w.racks, o);
    await rm.sessions.bulkWrite(w.sessions, o);
    if (w.counters.length > 0) await rm.counters.bulkWrite(w.counters, o);
    if (w.days.length > 0) {
      await rm.days.bulkWrite(w.days, o);
      await rm.days.deleteMany({ session_id: p.session_id, lines: 0 }, { session: txn });
    }
    if (w.writers.length > 0) await rm.writers.bulkWrite(w.writers, o);
    if (w.dirty.length > 0) await rm.atCountDirty.bulkWrite(w.dirty, o);
  };

  const PENDING = { ...atCountFields(atCountOf('pending')), ...vacKeys(null) };
  /** Marks items pending and dirty (those with a model row), in one transaction. */
  const markItems = async (keys: ReadonlyArray<{ session_id: string; item_code: string }>) => {
    if (keys.length === 0) return 0;
    return inTransaction(async (txn) => {
      const ids = keys.map((k) => rmId(k.session_id, k.item_code));
      const found = await rm.items
        .find({ _id: { $in: ids } }, { session: txn, projection: { _id: 1 } })
        .toArray();
      const have = new Set(found.map((d) => d._id));
      const marked = keys.filter((k) => have.has(rmId(k.session_id, k.item_code)));
      if (marked.length === 0) return 0;
      await rm.items.updateMany({ _id: { $in: [...have] } }, { $set: PENDING }, { session: txn });
      await rm.atCountDirty.bulkWrite(
        marked.map((k) => ({
          updateOne: {
            filter: { _id: rmId(k.session_id, k.item_code) },
            update: {
              $set: { session_id: k.session_id, item_code: k.item_code, seq: randomInt(2 ** 47) },
            },
            upsert: true,
          },
        })),
        { session: txn, ordered: true },
      );
      return marked.length;
    });
  };

  /** Keeps the model in step with a change, inside the transaction of the line writes. */
  const apply = async (
    txn: ClientSession,
    events: readonly LineEvent[],
    written: readonly CountLineRecord[],
    reviews: readonly WriterDelta[] = [],
  ): Promise<void> => {
    const changes = bySession(events, written);
    for (const r of reviews) {
      if (!changes.has(r.session_id)) changes.set(r.session_id, { events: [], written: [] });
    }
    for (const [sessionId, change] of changes) {
      const mine = reviews.filter((r) => r.session_id === sessionId);
      await write(
        txn,
        plan(change.events, change.written, await inputsFor(txn, sessionId, change.events), mine),
      );
    }
  };

  /** Keeps the model in step with a line's review, inside the review's transaction. */
  const review = async (
    txn: ClientSession,
    before: CountLineRecord,
    after: CountLineRecord,
  ): Promise<void> => {
    const events = reviewEvents(before, after);
    const successor =
      after.superseded_by === null
        ? null
        : await lines.findOne(
            { op_id: after.superseded_by },
            {
              session: txn,
              projection: { _id: 0, counted_qty: 1, damaged_qty: 1, non_returnable_damaged_qty: 1 },
            },
          );
    const moved = reviewWriterDelta(before, after, successor);
    if (events.length > 0 || moved) await apply(txn, events, [], moved ? [moved] : []);
  };

  const rebuildIn = async (txn: ClientSession, sessionId: string): Promise<void> => {
    const o = { session: txn };
    await Promise.all([
      rm.items.deleteMany({ session_id: sessionId }, o),
      rm.racks.deleteMany({ session_id: sessionId }, o),
      rm.counters.deleteMany({ session_id: sessionId }, o),
      rm.sessions.deleteMany({ _id: sessionId }, o),
      rm.days.deleteMany({ session_id: sessionId }, o),
      rm.writers.deleteMany({ session_id: sessionId }, o),
      rm.atCountDirty.deleteMany({ session_id: sessionId }, o),
    ]);
    const all = (await lines.find({ session_id: sessionId }, o).toArray()).map(
      ({ _id, active_serials: _a, ...line }) => line as CountLineRecord,
    );
    if (all.length > 0) {
      await apply(
        txn,
        all.filter(lineCounts).map((line): LineEvent => ({ line, sign: 1 })),
        all,
      );
    }
  };

  const repo: ReadModelRepo = {
    async session(sessionId) {
      const doc = await rm.sessions.findOne({ _id: sessionId });
      return toSessionFigures(
        sessionId,
        doc ?? {
          lines: 0,
          items: 0,
          variance_m: 0,
          abs_variance_m: 0,
          abs_book_m: 0,
          cost_c: 0,
          price_c: 0,
        },
      );
    },
    async racks(sessionId) {
      const docs = await rm.racks.find({ session_id: sessionId }).sort({ rack: 1 }).toArray();
      return docs.map(toRackFigures);
    },
    async items(sessionId) {
      const docs = await rm.items.find({ session_id: sessionId }).sort({ item_code: 1 }).toArray();
      return docs.map((d) => toItemFigures(fromItemDocument(d)));
    },
    async counters(sessionIds) {
      const docs = await rm.counters
        .find({ session_id: { $in: [...sessionIds] } })
        .sort({ session_id: 1, user_id: 1 })
        .toArray();
      return docs.map((d) => toCounterStats(stripId(d)));
    },
    async writers(sessionIds) {
      const docs = await rm.writers
        .find({ session_id: { $in: [...sessionIds] } })
        .sort({ session_id: 1, user_id: 1 })
        .toArray();
      return docs.map(({ session_id, user_id, written, overturned }) => ({
        session_id,
        user_id,
        written,
        overturned,
      }));
    },
    async linesSinceDay(midnightIso, sessionIds) {
      const day = dayOf(midnightIso);
      const [sums] = await rm.days
        .aggregate<{
          lines: number;
          abs_variance_m: number;
          abs_book_m: number;
          cost_c: number;
          users: string[];
        }>([
          {
            $match: {
              day: { $gte: day },
              lines: { $gt: 0 },
              ...(sessionIds ? { session_id: { $in: [...sessionIds] } } : {}),
            },
          },
          {
            $group: {
              _id: null,
              lines: { $sum: '$lines' },
              abs_variance_m: { $sum: '$abs_variance_m' },
              abs_book_m: { $sum: '$abs_book_m' },
              cost_c: { $sum: '$cost_c' },
              users: { $addToSet: '$user_id' },
            },
          },
        ])
        .toArray();
      return toLineFigures(
        sums ?? { lines: 0, abs_variance_m: 0, abs_book_m: 0, cost_c: 0 },
        sums?.users.length ?? 0,
      );
    },
    async atCount(sessionId) {
      const docs = await rm.items.find({ session_id: sessionId }).sort({ item_code: 1 }).toArray();
      return docs.map((d) => toItemAtCount(fromItemDocument(d)));
    },
    async atCountOf(sessionId, itemCodes) {
      if (itemCodes.length === 0) return [];
      const docs = await rm.items
        .find({ _id: { $in: [...new Set(itemCodes)].map((code) => rmId(sessionId, code)) } })
        .toArray();
      return docs.map((d) => toItemAtCount(fromItemDocument(d)));
    },
    async dirtyAtCount(limit) {
      // Waiting marks only: a claimed one (seq < 0) is another drain's, maybe in another process.
      const docs = await rm.atCountDirty
        .find({ seq: { $gt: 0 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return docs.map(({ session_id, item_code, seq }) => ({ session_id, item_code, seq }));
    },
    async releaseAtCountClaims() {
      const released = await rm.atCountDirty.updateMany({ seq: { $lt: 0 } }, [
        { $set: { seq: { $multiply: ['$seq', -1] } } },
      ]);
      return released.modifiedCount;
    },
    async claimAtCount(mark: AtCountMark) {
      // Marks here always take a new seq (a waiting mark too): a claim is overtaken either way.
      const seq = -1 - randomInt(2 ** 47);
      const claimed = await rm.atCountDirty.updateOne(
        { _id: rmId(mark.session_id, mark.item_code), seq: mark.seq },
        { $set: { seq } },
      );
      return claimed.modifiedCount === 1 ? { ...mark, seq } : null;
    },
    async putAtCount(mark: AtCountMark, columns) {
      return inTransaction(async (txn) => {
        const id = rmId(mark.session_id, mark.item_code);
        const o = { session: txn };
        const current = await rm.atCountDirty.findOne({ _id: id }, o);
        if (current?.seq !== mark.seq) return false;
        await rm.items.updateOne(
          { _id: id },
          { $set: { ...atCountFields(columns), ...vacKeys(columns.vac_m) } },
          o,
        );
        await rm.atCountDirty.deleteOne({ _id: id, seq: mark.seq }, o);
        return true;
      });
    },
    async markAtCount(sessionId, itemCodes) {
      return markItems(itemCodes.map((item_code) => ({ session_id: sessionId, item_code })));
    },
    async markProvisional(completeUntil) {
      const filter =
        completeUntil === null
          ? { provisional: 1 as const, final_at: { $ne: null } }
          : {
              $or: [
                { provisional: 1 as const, final_at: { $ne: null, $lte: completeUntil } },
                { provisional: 0 as const, final_at: { $ne: null, $gt: completeUntil } },
              ],
            };
      const docs = await rm.items
        .find(filter, { projection: { _id: 0, session_id: 1, item_code: 1 } })
        .toArray();
      return markItems(docs.map((d) => ({ session_id: d.session_id, item_code: d.item_code })));
    },
    async rebuild(sessionId) {
      await inTransaction((txn) => rebuildIn(txn, sessionId));
    },
    async rebuildAll() {
      const ids = new Set<string>([
        ...(await lines.distinct('session_id')),
        ...(await snapshot.distinct('session_id')),
      ]);
      for (const id of ids) await inTransaction((txn) => rebuildIn(txn, id));
      return ids.size;
    },
  };

  return { apply, review, repo, rebuildIn };
}

export type MongoReadModel = ReturnType<typeof createMongoReadModel>;

function stripId<T extends { _id: string }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}
