/**
 * LineRepo on MongoDB: count lines (unique op_id), with the serials that still count in
 * `active_serials` (unique per session and item: indexes.ts), and one serial_sightings document
 * per (line, serial). A sync batch's lines are written in one transaction.
 */
import type { ClientSession, Collection, Filter, WithId } from 'mongodb';
import { roundQty } from '@stockverify/shared';
import type {
  BinSum,
  ClaimRecord,
  CountLineRecord,
  InsertLineOutcome,
  LineRepo,
  SerialSighting,
  SnapshotRow,
} from '../../../ports/counting';
import {
  isDuplicateKey,
  pageWindow,
  rackFenceId,
  type CountLineDocument,
  type ItemDocument,
  type RackFenceDocument,
} from './collections';
import type { RunInTransaction } from './transactions';
import {
  correctedCandidateDelta,
  lineCounts,
  type LineEvent,
  type WriterDelta,
} from '../read-model-plan';
import type { MongoReadModel, RmItemDocument } from './read-model';
import { atCountLineFilter } from './lines-at-count';

/** What one transaction changed, for the read model (issue #13). */
interface Change {
  events: LineEvent[];
  written: CountLineRecord[];
  /** Writers' moves no event carries (a corrected CANDIDATE). */
  moved: WriterDelta[];
}
import {
  binsPipeline,
  statsPipeline,
  toCounterStats,
  toItemVariance,
  variancesPipeline,
  type CounterSums,
  type ItemSums,
} from './line-pipelines';

export function toLine(doc: WithId<CountLineDocument>): CountLineRecord {
  const { _id, active_serials: _activeSerials, tolerance, ...rest } = doc;
  // Lines from before recounts (migration 6 fills them) read as first counts answering no task.
  const line = { ...rest, phase: rest.phase ?? 0, recount_task_id: rest.recount_task_id ?? null };
  // The tolerance decision (design §12) is absent, not null, on a line without one, as SQLite
  // reads it: lines from before rule sets lack the field, and the driver may write undefined as null.
  return tolerance ? { ...line, tolerance } : line;
}

function toSighting(doc: WithId<SerialSighting>): SerialSighting {
  const { _id, ...sighting } = doc;
  return sighting;
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
    /** The read model's items, for the lines page's `at_count` filter (lines-at-count.ts). */
    rmItems: Collection<RmItemDocument>;
  },
  inTransaction: RunInTransaction,
  /** Kept in the same transactions as the line writes. */
  model: MongoReadModel,
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
    change: Change,
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
        { sort: { token: -1, claimed_at: -1, id: -1 }, ...session },
      );
      // Split claims held together share the newest token: each of them fences (§12 "Split bins").
      const sharesToken =
        latest !== null &&
        latest.id !== line.claim_id &&
        (await c.claims.findOne(
          { id: line.claim_id, split: true, token: latest.token },
          { projection: { _id: 1 }, ...session },
        )) !== null;
      if (latest?.id !== line.claim_id && !sharesToken) {
        return { ok: false, reason: 'STALE_TOKEN', current_claim_id: latest?.id ?? null };
      }
    }

    const target = line.supersedes === null ? null : { op_id: line.supersedes };
    let corrected: CountLineRecord | null = null;
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
      corrected = toLine(found);
    }

    if (line.serials.length > 0) {
      const filter: Filter<CountLineDocument> = {
        session_id: line.session_id,
        item_code: line.item_code,
        active_serials: { $in: line.serials },
        status: { $ne: 'REJECTED' },
      };
      if (line.supersedes !== null) filter.op_id = { $ne: line.supersedes };
      // Within one bin a recount's serials and its first count's do not collide (design §12).
      if (line.phase > 0) filter.rack = { $ne: line.rack };
      else filter.$or = [{ rack: { $ne: line.rack } }, { phase: { $not: { $gt: 0 } } }];
      const other = await c.lines.findOne(filter, session);
      const serial = line.serials.find((s) => other?.active_serials.includes(s));
      if (other && serial !== undefined) {
        return { ok: false, reason: 'DUPLICATE_SERIAL', serial, other_op_id: other.op_id };
      }
    }

    if (corrected && lineCounts(corrected)) change.events.push({ line: corrected, sign: -1 });
    const moved = corrected && correctedCandidateDelta(corrected, line);
    if (moved) change.moved.push(moved);
    if (target) {
      // Before the insert, so the correction may carry the serials of the line it replaces
      // without tripping the serial index. Two corrections of one line both write it: one reruns.
      await c.lines.updateOne(
        { ...target, session_id: line.session_id, superseded_by: null },
        { $set: { superseded_by: line.op_id, active_serials: [] } },
        session,
      );
    }
    // One holder per serial (the unique index): a serial a line of the same bin holds already
    // (the first count a recount repeats) stays that line's.
    const heldInBin =
      line.serials.length === 0
        ? []
        : await c.lines
            .find(
              {
                session_id: line.session_id,
                item_code: line.item_code,
                rack: line.rack,
                active_serials: { $in: line.serials },
              },
              { ...session, projection: { active_serials: 1 } },
            )
            .toArray();
    const held = new Set(heldInBin.flatMap((d) => d.active_serials));
    // A line is born counting; only a later correction sets superseded_by. A concurrent line
    // with the same op_id or serial that committed first fails this insert on its unique index:
    // the whole transaction then reruns (retryOnDuplicateKey) and answers DUPLICATE_OP/SERIAL.
    await c.lines.insertOne(
      {
        ...line,
        superseded_by: null,
        serials: [...line.serials],
        active_serials: line.serials.filter((serial) => !held.has(serial)),
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
    const born = { ...line, superseded_by: null };
    change.written.push(born);
    if (lineCounts(born)) change.events.push({ line: born, sign: 1 });
    return { ok: true, line: born };
  };

  const insertMany = (lines: readonly CountLineRecord[]): Promise<InsertLineOutcome[]> =>
    // One transaction per sync batch: each line sees the ones before it, and all commit together.
    inTransaction(
      async (txn) => {
        const outcomes: InsertLineOutcome[] = [];
        const change: Change = { events: [], written: [], moved: [] };
        for (const line of lines) outcomes.push(await insertIn(txn, line, change));
        await model.apply(txn, change.events, change.written, change.moved);
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
    async getManyByOpId(opIds) {
      if (opIds.length === 0) return [];
      const docs = await c.lines.find({ op_id: { $in: [...new Set(opIds)] } }).toArray();
      return docs.map(toLine);
    },
    async list(sessionId, query) {
      const filter: Filter<CountLineDocument> = { session_id: sessionId };
      if (query.status !== undefined) filter.status = query.status;
      if (query.rack !== undefined) filter.rack = query.rack;
      if (query.has_variance !== undefined) {
        filter.variance = query.has_variance ? { $ne: 0 } : 0;
      }
      if (!query.include_superseded) filter.superseded_by = null;
      if (query.at_count !== undefined) {
        Object.assign(filter, await atCountLineFilter(c.rmItems, sessionId, query.at_count));
      }
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        c.lines.find(filter).sort({ received_at: -1, id: -1 }).skip(skip).limit(limit).toArray(),
        c.lines.countDocuments(filter),
      ]);
      return { items: docs.map(toLine), total };
    },
    async review(id, patch) {
      // A rejected line stops counting and lets go of its serials (design §4); approving it again
      // takes them back. Should another line hold one of them by then, the review still stands
      // (as on SQLite) and this line guards none: the serial index keeps one holder.
      // Update pipelines, so every value from the request is wrapped in $literal.
      const values = Object.fromEntries(
        Object.entries(patch).map(([field, value]) => [field, { $literal: value }]),
      );
      // One transaction: the status change and the read model's move commit together.
      const review = (activeSerials: unknown) =>
        inTransaction(async (txn) => {
          const before = await c.lines.findOne({ id }, { session: txn });
          const after = await c.lines.findOneAndUpdate(
            { id },
            [{ $set: { ...values, active_serials: activeSerials } }],
            { returnDocument: 'after', session: txn },
          );
          if (before && after) await model.review(txn, toLine(before), toLine(after));
          return after;
        });
      const released = { $literal: [] };
      let doc;
      try {
        doc = await review(
          patch.status === 'REJECTED'
            ? released
            : { $cond: [{ $eq: ['$superseded_by', null] }, '$serials', []] },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        doc = await review(released);
      }
      return doc ? toLine(doc) : null;
    },
    async variances(sessionId) {
      const sums = await c.lines
        .aggregate<ItemSums>(
          variancesPipeline(sessionId, c.snapshot.collectionName, c.items.collectionName),
        )
        .toArray();
      return sums.map(toItemVariance);
    },
    async bins(sessionId) {
      const sums = await c.lines.aggregate<BinSum>(binsPipeline(sessionId)).toArray();
      return sums.map((b) => ({ ...b, counted: roundQty(b.counted) }));
    },
    async sightings(serial) {
      const docs = await c.sightings.find({ serial }).sort({ counted_at: 1, _id: 1 }).toArray();
      return docs.map(toSighting);
    },
    async stats(query) {
      const rows = await c.lines.aggregate<CounterSums>(statsPipeline(query)).toArray();
      return rows.map(toCounterStats);
    },
    async countByUserAndItem(sessionId, userId, itemCode) {
      return c.lines.countDocuments({
        session_id: sessionId,
        counted_by: userId,
        item_code: itemCode,
        superseded_by: null,
        status: { $nin: ['REJECTED', 'CANDIDATE'] },
      });
    },
  };
}
