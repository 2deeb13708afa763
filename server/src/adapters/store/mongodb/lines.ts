/**
 * LineRepo on MongoDB: count lines (unique op_id), with the serials that still count in
 * `active_serials`, and one serial_sightings document per (line, serial).
 */
import { roundMoney, roundQty, varianceValue } from '@stockverify/shared';
import type { AnyBulkWriteOperation, Collection, Filter, WithId } from 'mongodb';
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
import {
  isDuplicateKey,
  pageWindow,
  type CountLineDocument,
  type ItemDocument,
} from './collections';

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
export function createMongoLineRepo(c: {
  lines: Collection<CountLineDocument>;
  sightings: Collection<SerialSighting>;
  claims: Collection<ClaimRecord>;
  snapshot: Collection<SnapshotRow>;
  items: Collection<ItemDocument>;
}): LineRepo {
  const getByOpId = async (opId: string): Promise<CountLineRecord | null> => {
    const doc = await c.lines.findOne({ op_id: opId });
    return doc ? toLine(doc) : null;
  };

  /**
   * The writes that follow a line's insert, each idempotent so that replaying them (after a crash,
   * on the op's retry) converges: mark the superseded line, record the sightings.
   */
  const completeInsert = async (line: CountLineRecord): Promise<void> => {
    if (line.supersedes !== null) {
      await c.lines.updateOne(
        {
          op_id: line.supersedes,
          session_id: line.session_id,
          $or: [{ superseded_by: null }, { superseded_by: line.op_id }],
        },
        { $set: { superseded_by: line.op_id, active_serials: [] } },
      );
    }
    if (line.serials.length === 0) return;
    const ops: AnyBulkWriteOperation<SerialSighting>[] = line.serials.map((serial) => ({
      updateOne: {
        filter: { line_id: line.id, serial },
        update: {
          $setOnInsert: {
            item_code: line.item_code,
            session_id: line.session_id,
            rack: line.rack,
            op_id: line.op_id,
            counted_by: line.counted_by,
            counted_by_name: line.counted_by_name,
            condition: line.condition,
            counted_at: line.counted_at,
          },
        },
        upsert: true,
      },
    }));
    try {
      await c.sightings.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Two replays upserting the same (line_id, serial) at once: the other one stored it.
      if (!isDuplicateKey(err)) throw err;
    }
  };

  /** The op was stored already: finish its trailing writes, then answer with it. */
  const duplicate = async (existing: CountLineRecord): Promise<InsertLineOutcome> => {
    await completeInsert(existing);
    return { ok: false, reason: 'DUPLICATE_OP', existing };
  };

  return {
    // Without a replica-set transaction (issue 7) the checks and writes below are separate
    // operations. A crash between them is repaired by the op's retry (DUPLICATE_OP replays
    // completeInsert). Races that remain between concurrent requests:
    // - a claim taken between the fencing check and insertOne lets one stale line in;
    // - two lines with the same serial (different op_ids) can both pass the serial check;
    // - two corrections of one line can both pass the supersedes check: the first marks it, the
    //   second is stored and counts as well;
    // - until completeInsert runs, the superseded line still counts and its serials still clash.
    async insertMany(lines) {
      // No multi-document transaction without a replica set: one after another, each idempotent.
      const outcomes: InsertLineOutcome[] = [];
      for (const line of lines) outcomes.push(await this.insert(line));
      return outcomes;
    },
    async insert(line) {
      const existing = await getByOpId(line.op_id);
      if (existing) return duplicate(existing);

      if (line.claim_id !== null) {
        const latest = await c.claims.findOne(
          { session_id: line.session_id, rack: line.rack },
          { sort: { token: -1 } },
        );
        if (latest?.id !== line.claim_id) {
          return { ok: false, reason: 'STALE_TOKEN', current_claim_id: latest?.id ?? null };
        }
      }

      if (line.supersedes !== null) {
        const target = await c.lines.findOne({
          op_id: line.supersedes,
          session_id: line.session_id,
          rack: line.rack,
          item_code: line.item_code,
          superseded_by: null,
        });
        if (!target) return { ok: false, reason: 'SUPERSEDES_UNKNOWN' };
      }

      if (line.serials.length > 0) {
        const filter: Filter<CountLineDocument> = {
          session_id: line.session_id,
          item_code: line.item_code,
          active_serials: { $in: line.serials },
          status: { $ne: 'REJECTED' },
        };
        if (line.supersedes !== null) filter.op_id = { $ne: line.supersedes };
        const other = await c.lines.findOne(filter);
        const serial = line.serials.find((s) => other?.active_serials.includes(s));
        if (other && serial !== undefined) {
          return { ok: false, reason: 'DUPLICATE_SERIAL', serial, other_op_id: other.op_id };
        }
      }

      try {
        // A line is born counting; only a later correction sets superseded_by.
        await c.lines.insertOne({
          ...line,
          superseded_by: null,
          serials: [...line.serials],
          active_serials: [...line.serials],
        });
      } catch (err) {
        // A concurrent insert of the same op won the unique op_id index.
        const winner = isDuplicateKey(err) ? await getByOpId(line.op_id) : null;
        if (!winner) throw err;
        return duplicate(winner);
      }
      await completeInsert(line);
      return { ok: true, line: { ...line, superseded_by: null } };
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
      const doc = await c.lines.findOneAndUpdate(
        { id },
        { $set: { ...patch } },
        { returnDocument: 'after' },
      );
      return doc ? toLine(doc) : null;
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
