/**
 * LineRepo on MongoDB: count lines (unique op_id), with the serials that still count in
 * `active_serials` (unique per session and item: indexes.ts), and one serial_sightings document
 * per (line, serial). A sync batch's lines are written in one transaction.
 */
import { roundMoney, roundQty, varianceValue } from '@stockverify/shared';
import type { ClientSession, Collection, Filter, WithId } from 'mongodb';
import type {
  CounterStats,
  ClaimRecord,
  CountLineRecord,
  InsertLineOutcome,
  ItemVariance,
  LineRepo,
  SerialSighting,
  SnapshotRow,
} from '../../../ports/counting';
import { StoreConflictError } from '../../../ports/store';
import {
  isDuplicateKey,
  pageWindow,
  rackFenceId,
  type CountLineDocument,
  type ItemDocument,
  type RackFenceDocument,
} from './collections';
import type { RunInTransaction } from './transactions';

function toLine(doc: WithId<CountLineDocument>): CountLineRecord {
  const { _id, active_serials: _activeSerials, ...line } = doc;
  return line;
}

function toSighting(doc: WithId<SerialSighting>): SerialSighting {
  const { _id, ...sighting } = doc;
  return sighting;
}

/** What the variances pipeline yields per item, before the shared rounding rules. */
interface ItemSums {
  _id: string;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  lines: number;
  racks: string[];
  snapshot: SnapshotRow[];
  item: Array<Pick<ItemDocument, 'name' | 'category'>>;
}

/** Builds the line repository over count_lines, serial_sightings, claims, the snapshot and items. */
export function createMongoLineRepo(
  c: {
    lines: Collection<CountLineDocument>;
    sightings: Collection<SerialSighting>;
    claims: Collection<ClaimRecord>;
    snapshot: Collection<SnapshotRow>;
    items: Collection<ItemDocument>;
    rackFences: Collection<RackFenceDocument>;
  },
  inTransaction: RunInTransaction,
): LineRepo {
  const getByOpId = async (opId: string): Promise<CountLineRecord | null> => {
    const doc = await c.lines.findOne({ op_id: opId });
    return doc ? toLine(doc) : null;
  };

  /**
   * Every check and write of one line, inside the caller's transaction (README.md "MongoDB:
   * transactions" says which race each step closes). A check that fails returns before writing
   * anything but the rack fence, so the batch's other lines still commit.
   */
  const insertIn = async (
    txn: ClientSession,
    line: CountLineRecord,
  ): Promise<InsertLineOutcome> => {
    const session = { session: txn };
    const existing = await c.lines.findOne({ op_id: line.op_id }, session);
    if (existing) return { ok: false, reason: 'DUPLICATE_OP', existing: toLine(existing) };

    if (line.claim_id !== null) {
      // Writing the rack's fence puts it in this transaction's write set; a claim inserted
      // concurrently writes it too (claims.ts), so the later of the two reruns and sees the other.
      await c.rackFences.updateOne(
        { _id: rackFenceId(line.session_id, line.rack) },
        { $inc: { line_writes: 1 } },
        { upsert: true, ...session },
      );
      const latest = await c.claims.findOne(
        { session_id: line.session_id, rack: line.rack },
        { sort: { token: -1 }, ...session },
      );
      if (latest?.id !== line.claim_id) {
        return { ok: false, reason: 'STALE_TOKEN', current_claim_id: latest?.id ?? null };
      }
    }

    const target = line.supersedes === null ? null : { op_id: line.supersedes };
    if (target) {
      const found = await c.lines.findOne(
        {
          ...target,
          session_id: line.session_id,
          rack: line.rack,
          item_code: line.item_code,
          superseded_by: null,
        },
        session,
      );
      if (!found) return { ok: false, reason: 'SUPERSEDES_UNKNOWN' };
    }

    if (line.serials.length > 0) {
      const filter: Filter<CountLineDocument> = {
        session_id: line.session_id,
        item_code: line.item_code,
        active_serials: { $in: line.serials },
        status: { $ne: 'REJECTED' },
      };
      if (line.supersedes !== null) filter.op_id = { $ne: line.supersedes };
      const other = await c.lines.findOne(filter, session);
      const serial = line.serials.find((s) => other?.active_serials.includes(s));
      if (other && serial !== undefined) {
        return { ok: false, reason: 'DUPLICATE_SERIAL', serial, other_op_id: other.op_id };
      }
    }

    if (target) {
      // Before the insert, so the correction may carry the serials of the line it replaces
      // without tripping the serial index. Two corrections of one line both write it: one reruns.
      await c.lines.updateOne(
        { ...target, session_id: line.session_id, superseded_by: null },
        { $set: { superseded_by: line.op_id, active_serials: [] } },
        session,
      );
    }
    // A line is born counting; only a later correction sets superseded_by. A concurrent line
    // with the same op_id or serial that committed first fails this insert on its unique index:
    // the whole transaction then reruns (retryOnDuplicateKey) and answers DUPLICATE_OP/SERIAL.
    await c.lines.insertOne(
      {
        ...line,
        superseded_by: null,
        serials: [...line.serials],
        active_serials: [...line.serials],
      },
      session,
    );
    if (line.serials.length > 0) {
      await c.sightings.insertMany(
        line.serials.map((serial) => ({
          serial,
          item_code: line.item_code,
          session_id: line.session_id,
          rack: line.rack,
          line_id: line.id,
          op_id: line.op_id,
          counted_by: line.counted_by,
          counted_by_name: line.counted_by_name,
          condition: line.condition,
          counted_at: line.counted_at,
        })),
        session,
      );
    }
    return { ok: true, line: { ...line, superseded_by: null } };
  };

  const insertMany = (lines: readonly CountLineRecord[]): Promise<InsertLineOutcome[]> =>
    // One transaction per sync batch: each line sees the ones before it, and all commit together.
    inTransaction(
      async (txn) => {
        const outcomes: InsertLineOutcome[] = [];
        for (const line of lines) outcomes.push(await insertIn(txn, line));
        return outcomes;
      },
      { retryOnDuplicateKey: true },
    );

  return {
    insertMany,
    async insert(line) {
      const [outcome] = await insertMany([line]);
      return outcome!;
    },
    async get(id) {
      const doc = await c.lines.findOne({ id });
      return doc ? toLine(doc) : null;
    },
    getByOpId,
    async list(sessionId, query) {
      const filter: Filter<CountLineDocument> = { session_id: sessionId };
      if (query.status !== undefined) filter.status = query.status;
      if (query.rack !== undefined) filter.rack = query.rack;
      if (query.has_variance !== undefined) {
        filter.variance = query.has_variance ? { $ne: 0 } : 0;
      }
      if (!query.include_superseded) filter.superseded_by = null;
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        c.lines.find(filter).sort({ received_at: -1, id: -1 }).skip(skip).limit(limit).toArray(),
        c.lines.countDocuments(filter),
      ]);
      return { items: docs.map(toLine), total };
    },
    async review(id, patch) {
      // A rejected line stops counting and lets go of its serials (DESIGN §4); approving it again
      // takes them back, which the serial index refuses while another line holds one of them.
      // An update pipeline, so every value from the request is wrapped in $literal.
      const values = Object.fromEntries(
        Object.entries(patch).map(([field, value]) => [field, { $literal: value }]),
      );
      const activeSerials =
        patch.status === 'REJECTED'
          ? { $literal: [] }
          : { $cond: [{ $eq: ['$superseded_by', null] }, '$serials', []] };
      try {
        const doc = await c.lines.findOneAndUpdate(
          { id },
          [{ $set: { ...values, active_serials: activeSerials } }],
          { returnDocument: 'after' },
        );
        return doc ? toLine(doc) : null;
      } catch (err) {
        throw isDuplicateKey(err) ? new StoreConflictError('serial') : err;
      }
    },
    async variances(sessionId) {
      // $lookup with both localField and pipeline needs MongoDB 5.0+.
      const sums = await c.lines
        .aggregate<ItemSums>([
          { $match: { session_id: sessionId, superseded_by: null, status: { $ne: 'REJECTED' } } },
          {
            $group: {
              _id: '$item_code',
              counted_qty: { $sum: '$counted_qty' },
              damaged_qty: { $sum: '$damaged_qty' },
              non_returnable_damaged_qty: { $sum: '$non_returnable_damaged_qty' },
              lines: { $sum: 1 },
              racks: { $addToSet: '$rack' },
            },
          },
          {
            $lookup: {
              from: c.snapshot.collectionName,
              localField: '_id',
              foreignField: 'item_code',
              pipeline: [{ $match: { session_id: sessionId } }],
              as: 'snapshot',
            },
          },
          // An item outside the snapshot takes its name from the item master (book 0).
          {
            $lookup: {
              from: c.items.collectionName,
              localField: '_id',
              foreignField: 'item_code',
              pipeline: [{ $project: { _id: 0, name: 1, category: 1 } }],
              as: 'item',
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      // Variance and values in JS with the shared rules, so both adapters agree to the cent.
      return sums.map((s): ItemVariance => {
        const snap = s.snapshot[0];
        const item = s.item[0];
        const book = snap?.book_qty ?? 0;
        const counted = roundQty(s.counted_qty);
        const writtenOff = roundQty(s.non_returnable_damaged_qty);
        const variance = roundQty(counted - writtenOff - book);
        const value = varianceValue(variance, { cost: snap?.cost ?? 0, price: snap?.price ?? 0 });
        return {
          item_code: s._id,
          name: snap?.name ?? item?.name ?? s._id,
          category: snap ? snap.category : (item?.category ?? null),
          book_qty: book,
          counted_qty: counted,
          damaged_qty: roundQty(s.damaged_qty),
          non_returnable_damaged_qty: writtenOff,
          variance,
          value_at_cost: value.at_cost,
          value_at_price: value.at_price,
          lines: s.lines,
          racks: [...s.racks].sort(),
        };
      });
    },
    async sightings(serial) {
      const docs = await c.sightings.find({ serial }).sort({ counted_at: 1, _id: 1 }).toArray();
      return docs.map(toSighting);
    },
    async stats(query) {
      const match: Filter<CountLineDocument> = { superseded_by: null, status: { $ne: 'REJECTED' } };
      if (query.session_ids) match.session_id = { $in: [...query.session_ids] };
      if (query.from || query.to) {
        match.counted_at = {
          ...(query.from ? { $gte: query.from } : {}),
          ...(query.to ? { $lt: query.to } : {}),
        };
      }
      const rows = await c.lines
        .aggregate<
          Omit<CounterStats, 'session_id' | 'user_id'> & {
            _id: { session_id: string; user_id: string };
            item_codes: string[];
          }
        >([
          { $match: match },
          {
            $group: {
              _id: { session_id: '$session_id', user_id: '$counted_by' },
              username: { $max: '$counted_by_name' },
              lines: { $sum: 1 },
              item_codes: { $addToSet: '$item_code' },
              abs_variance: { $sum: { $abs: '$variance' } },
              abs_book: { $sum: { $abs: '$book_qty' } },
              variance: { $sum: '$variance' },
              value_at_cost: { $sum: '$value_at_cost' },
              value_at_price: { $sum: '$value_at_price' },
              first_counted_at: { $min: '$counted_at' },
              last_counted_at: { $max: '$counted_at' },
            },
          },
          { $sort: { '_id.session_id': 1, '_id.user_id': 1 } },
        ])
        .toArray();
      return rows.map(({ _id, item_codes, ...r }) => ({
        session_id: _id.session_id,
        user_id: _id.user_id,
        username: r.username,
        lines: r.lines,
        items: item_codes.length,
        abs_variance: roundQty(r.abs_variance),
        abs_book: roundQty(r.abs_book),
        variance: roundQty(r.variance),
        value_at_cost: roundMoney(r.value_at_cost),
        value_at_price: roundMoney(r.value_at_price),
        first_counted_at: r.first_counted_at,
        last_counted_at: r.last_counted_at,
      }));
    },
    async countByUserAndItem(sessionId, userId, itemCode) {
      return c.lines.countDocuments({
        session_id: sessionId,
        counted_by: userId,
        item_code: itemCode,
        superseded_by: null,
        status: { $ne: 'REJECTED' },
      });
    },
  };
}
