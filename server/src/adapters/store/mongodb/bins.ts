/**
 * BinRepo and RecountTaskRepo on MongoDB (issue #16, docs/design.md §12), equivalent to
 * sqlite/bins.ts. `settle` runs in one multi-document transaction per call (the Store refuses a
 * standalone server at start-up, so transactions are always there): each bin's lines, decisions,
 * open tasks and row are read at one snapshot, the service's pure callback decides, and the line
 * statuses (through the read model's review upkeep), the row and the tasks are written in the
 * same transaction. Every settle of a bin first increments the bin's fence document (its version):
 * two settles of one bin in parallel then write the same document, so one of them aborts with a
 * write conflict and the driver reruns it on what the other committed — never a stale outcome.
 */
import type { BinDecision } from '@stockverify/shared';
import type { ClientSession, Collection, Db, Filter, IndexDescription, WithId } from 'mongodb';
import type {
  BinKey,
  BinRepo,
  BinSettleInput,
  BinSettleOutcome,
  RecountTaskRecord,
  RecountTaskRepo,
} from '../../../ports/bins';
import type { BinBookRepo } from '../../../ports/bin-books';
import type { CountLineRecord } from '../../../ports/counting';
import {
  acknowledgeLateCounts,
  applicableUpdates,
  computedBinRecord,
  rowlessBinRecord,
  withLateDefaults,
  type StoredBin,
} from '../bins-plan';
import { isDuplicateKey, pageWindow, type CountLineDocument } from './collections';
import { toLine } from './lines';
import {
  reviewEvents,
  reviewWriterDelta,
  type LineEvent,
  type WriterDelta,
} from '../read-model-plan';
import type { MongoReadModel } from './read-model';
import type { RunInTransaction } from './transactions';

export const BIN_COLLECTION = {
  bins: 'bins',
  decisions: 'bin_decisions',
  tasks: 'recount_tasks',
  /** One per bin, `version` incremented by every settle (see above); no index but _id. */
  fences: 'bin_fences',
} as const;

/** A supervisor's decision as stored: the decision, its bin, `_id` = decision_id. */
type DecisionDocument = { _id: string; session_id: string; rack: string; item_code: string } & (
  Extract<BinDecision, { kind: 'set' }> | Extract<BinDecision, { kind: 'recount' }>
);

interface FenceDocument {
  _id: string;
  version: number;
}

export interface BinCollections {
  bins: Collection<StoredBin>;
  decisions: Collection<DecisionDocument>;
  tasks: Collection<RecountTaskRecord>;
  fences: Collection<FenceDocument>;
}

export function binCollections(db: Db): BinCollections {
  return {
    bins: db.collection<StoredBin>(BIN_COLLECTION.bins),
    decisions: db.collection<DecisionDocument>(BIN_COLLECTION.decisions),
    tasks: db.collection<RecountTaskRecord>(BIN_COLLECTION.tasks),
    fences: db.collection<FenceDocument>(BIN_COLLECTION.fences),
  };
}

/** The indexes of the bin collections (indexes.ts adds them to the Store's plan). */
export const BIN_INDEXES: { collection: string; indexes: IndexDescription[] }[] = [
  {
    collection: BIN_COLLECTION.bins,
    indexes: [
      { key: { session_id: 1, rack: 1, item_code: 1 }, unique: true },
      { key: { session_id: 1, state: 1, rack: 1, item_code: 1 } },
      // Bins with late counts no supervisor acknowledged (attention=late, reconcile's refusal);
      // its own key pattern (another partial index of the unique key's pattern would be refused
      // by servers before 5.0).
      {
        key: { session_id: 1, late_unacknowledged: 1, rack: 1, item_code: 1 },
        name: 'bins_late',
        partialFilterExpression: { late_unacknowledged: { $gt: 0 } },
      },
    ],
  },
  {
    collection: BIN_COLLECTION.decisions,
    indexes: [{ key: { session_id: 1, rack: 1, item_code: 1, decided_at: 1 } }],
  },
  {
    collection: BIN_COLLECTION.tasks,
    indexes: [
      { key: { id: 1 }, unique: true },
      { key: { session_id: 1, rack: 1, item_code: 1, state: 1 } },
      { key: { session_id: 1, state: 1, created_at: 1, id: 1 } },
      { key: { session_id: 1, assigned_to: 1, state: 1 } },
      // At most one open task per bin, as SQLite's partial unique index.
      {
        key: { session_id: 1, rack: 1, item_code: 1 },
        name: 'one_open_task_per_bin',
        unique: true,
        partialFilterExpression: { state: 'open' },
      },
    ],
  },
];

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function strip<T extends object>(doc: WithId<T>): T {
  const { _id, ...rest } = doc;
  return rest as T;
}

/** A bin document as a row (one written before late counts existed has none). */
function toBin(doc: WithId<StoredBin>): StoredBin {
  return withLateDefaults(strip(doc));
}

function toDecision(doc: DecisionDocument): BinDecision {
  const { _id, session_id: _s, rack: _r, item_code: _i, ...decision } = doc;
  return decision;
}

const binFilter = (sessionId: string, key: BinKey) => ({
  session_id: sessionId,
  rack: key.rack,
  item_code: key.item_code,
});

const lineFilter = (sessionId: string, key: BinKey): Filter<CountLineDocument> => ({
  session_id: sessionId,
  item_code: key.item_code,
  rack: key.rack,
});

/** The bin and recount-task repositories over the Store's lines and the bin collections. */
export function createMongoBinRepos(
  b: BinCollections,
  lines: Collection<CountLineDocument>,
  inTransaction: RunInTransaction,
  /** Kept in the same transactions as the status changes. */
  model: Pick<MongoReadModel, 'apply'>,
  /** Bins judged on their book at count need settling like bins with a row. */
  atCountBooks: Pick<BinBookRepo, 'get'>,
): { bins: BinRepo; recountTasks: RecountTaskRepo } {
  const binLines = async (
    sessionId: string,
    key: BinKey,
    session?: ClientSession,
  ): Promise<CountLineRecord[]> =>
    (
      await lines
        .find(lineFilter(sessionId, key), { session })
        .sort({ received_at: 1, id: 1 })
        .toArray()
    ).map(toLine);

  /** What the status changes of one settle call move in the read model, applied once. */
  interface Moves {
    events: LineEvent[];
    writers: WriterDelta[];
  }

  const apply = async (
    txn: ClientSession,
    input: BinSettleInput,
    outcome: BinSettleOutcome,
    moves: Moves,
    /** The bin's lines in full (the read model's events need every figure). */
    full: readonly CountLineRecord[],
  ): Promise<StoredBin | null> => {
    const o = { session: txn };
    const byId = new Map(full.map((l) => [l.id, l]));
    for (const u of applicableUpdates(outcome, input.lines)) {
      const before = byId.get(u.id)!;
      await lines.updateOne(
        { id: u.id },
        {
          $set: {
            status: u.status,
            reviewed_by: u.reviewed_by,
            reviewed_at: u.reviewed_at,
            review_note: u.review_note,
          },
        },
        o,
      );
      // A review's events, as LineRepo.review moves the model; settlement never touches a
      // superseded line, so no successor changes what was overturned.
      const after: CountLineRecord = { ...before, ...u };
      moves.events.push(...reviewEvents(before, after));
      const moved = reviewWriterDelta(before, after, null);
      if (moved) moves.writers.push(moved);
    }
    const now = outcome.record?.updated_at ?? new Date().toISOString();
    for (const t of outcome.close_tasks ?? []) {
      await b.tasks.updateOne(
        { id: t.id, state: 'open' },
        { $set: { state: t.state, closed_at: now, answered_by_op_id: t.answered_by_op_id } },
        o,
      );
    }
    const note = outcome.task_note;
    if (note && input.open_tasks.some((t) => t.id === note.id)) {
      await b.tasks.updateOne({ id: note.id, state: 'open' }, { $set: { note: note.note } }, o);
    }
    if (outcome.open_task) await b.tasks.insertOne({ ...outcome.open_task }, o);
    if (outcome.record) {
      await b.bins.replaceOne(
        binFilter(input.session_id, input.key),
        { ...outcome.record },
        { upsert: true, ...o },
      );
    }
    return outcome.record;
  };

  const bins: BinRepo = {
    async settle(sessionId, keys, callback) {
      return inTransaction(async (txn) => {
        const o = { session: txn };
        const out: (StoredBin | null)[] = [];
        const moves: Moves = { events: [], writers: [] };
        for (const key of keys) {
          await b.fences.updateOne(
            { _id: JSON.stringify([sessionId, key.rack, key.item_code]) },
            { $inc: { version: 1 } },
            { upsert: true, ...o },
          );
          const row = await b.bins.findOne(binFilter(sessionId, key), o);
          const previous = row ? toBin(row) : null;
          const all = await binLines(sessionId, key, txn);
          const decisions = await b.decisions
            .find(binFilter(sessionId, key), o)
            .sort({ decided_at: 1, _id: 1 })
            .toArray();
          // Every task of the bin: the open ones, and the closed ones a late count may name.
          const binTasks = (
            await b.tasks
              .find(binFilter(sessionId, key), o)
              .sort({ created_at: 1, id: 1 })
              .toArray()
          ).map(strip);
          const input: BinSettleInput = {
            session_id: sessionId,
            key: { rack: key.rack, item_code: key.item_code },
            lines: all.filter((l) => l.status !== 'REJECTED'),
            decisions: decisions.map(toDecision),
            split: key.split ?? previous?.split ?? false,
            open_tasks: binTasks.filter((t) => t.state === 'open'),
            closed_tasks: binTasks.filter((t) => t.state !== 'open'),
            previous,
          };
          out.push(await apply(txn, input, callback(input), moves, all));
        }
        // One move of the model for the whole call, after every status change.
        if (moves.events.length > 0 || moves.writers.length > 0) {
          await model.apply(txn, moves.events, [], moves.writers);
        }
        return out;
      });
    },
    async get(sessionId, key) {
      const row = await b.bins.findOne(binFilter(sessionId, key));
      if (row) return toBin(row);
      return computedBinRecord(sessionId, key, await binLines(sessionId, key));
    },
    async list(sessionId, query) {
      const filter: Filter<StoredBin> = { session_id: sessionId };
      if (query.state !== undefined) filter.state = query.state;
      if (query.rack !== undefined) filter.rack = query.rack;
      if (query.attention === 'late') filter.late_unacknowledged = { $gt: 0 };
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        b.bins.find(filter).sort({ rack: 1, item_code: 1 }).skip(skip).limit(limit).toArray(),
        b.bins.countDocuments(filter),
      ]);
      return { items: docs.map(toBin), total };
    },
    async lines(sessionId, key) {
      return binLines(sessionId, key);
    },
    async decisions(sessionId, key) {
      const docs = await b.decisions
        .find(binFilter(sessionId, key))
        .sort({ decided_at: 1, _id: 1 })
        .toArray();
      return docs.map(toDecision);
    },
    async addDecision(sessionId, key, decision) {
      try {
        await b.decisions.insertOne({
          ...decision,
          ...(decision.kind === 'set'
            ? { count_id: decision.count_id ?? null }
            : { reason: decision.reason ?? null }),
          ...binFilter(sessionId, key),
          _id: decision.decision_id,
        } as DecisionDocument);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async acknowledgeLate(sessionId, key, countIds, now) {
      // The bin's fence first, as settle does: an acknowledgement and a settle of the bin at once
      // write one document, so one of them reruns on what the other committed.
      return inTransaction(async (txn) => {
        const o = { session: txn };
        await b.fences.updateOne(
          { _id: JSON.stringify([sessionId, key.rack, key.item_code]) },
          { $inc: { version: 1 } },
          { upsert: true, ...o },
        );
        const row = await b.bins.findOne(binFilter(sessionId, key), o);
        if (!row) return null;
        const before = toBin(row);
        const after = acknowledgeLateCounts(before, countIds, now);
        await b.bins.updateOne(
          binFilter(sessionId, key),
          {
            $set: {
              late_count_ids: after.late_count_ids,
              late_acknowledged_ids: after.late_acknowledged_ids,
              late_unacknowledged: after.late_unacknowledged,
              updated_at: after.updated_at,
            },
          },
          o,
        );
        return { before, after };
      });
    },
    async needsSettling(sessionId, list) {
      const out: BinKey[] = [];
      for (const { key, counter } of list) {
        const row = await b.bins.findOne(binFilter(sessionId, key), { projection: { _id: 1 } });
        // Judged on its book at count (design §13 "Bins judged at count"): a line within the
        // snapshot's tolerance may be outside it.
        const needs =
          row !== null ||
          (await atCountBooks.get(sessionId, [key])).size > 0 ||
          (await lines.findOne(
            { ...lineFilter(sessionId, key), counted_by: { $ne: counter } },
            { projection: { _id: 1 } },
          )) !== null;
        if (needs) out.push({ rack: key.rack, item_code: key.item_code });
      }
      return out;
    },
    async blocking(sessionId, limit) {
      const filter: Filter<StoredBin> = {
        session_id: sessionId,
        $or: [
          { state: 'needs_supervisor' },
          { open_task_id: { $ne: null } },
          { late_unacknowledged: { $gt: 0 } },
        ],
      };
      const [docs, total] = await Promise.all([
        b.bins.find(filter).sort({ rack: 1, item_code: 1 }).limit(limit).toArray(),
        b.bins.countDocuments(filter),
      ]);
      return {
        total,
        items: docs.map((d) => ({
          rack: d.rack,
          item_code: d.item_code,
          state: d.state,
          task_id: d.open_task_id,
          late_counts: d.late_unacknowledged ?? 0,
        })),
      };
    },
    async all(sessionId) {
      const rows = (await b.bins.find({ session_id: sessionId }).toArray()).map(toBin);
      const withRow = new Set(rows.map((r) => JSON.stringify([r.rack, r.item_code])));
      // The bins without a row, summed in the database (bins-plan.ts rowlessBinRecord): the live
      // lines of each bin, first received first (op_id breaking ties). Bins with a row are
      // dropped here; their lines are few next to the session's.
      const summed = lines.aggregate<{
        _id: { rack: string; item_code: string };
        quantity: number;
        counters: string[];
        last_received_at: string;
        first_counted_by: string;
        first_received_at: string;
        book_qty: number;
        rule_id: string | null;
        rule_version: number | null;
      }>(
        [
          { $match: { session_id: sessionId, superseded_by: null, status: { $ne: 'REJECTED' } } },
          { $sort: { received_at: 1, op_id: 1 } },
          {
            $group: {
              _id: { rack: '$rack', item_code: '$item_code' },
              quantity: { $sum: { $subtract: ['$counted_qty', '$non_returnable_damaged_qty'] } },
              counters: { $addToSet: '$counted_by' },
              last_received_at: { $max: '$received_at' },
              first_counted_by: { $first: '$counted_by' },
              first_received_at: { $first: '$received_at' },
              book_qty: { $first: '$book_qty' },
              rule_id: { $first: { $ifNull: ['$tolerance.rule_id', null] } },
              rule_version: { $first: { $ifNull: ['$tolerance.rule_version', null] } },
            },
          },
        ],
        { allowDiskUse: true },
      );
      const out = [...rows];
      for await (const g of summed) {
        if (withRow.has(JSON.stringify([g._id.rack, g._id.item_code]))) continue;
        const { _id, ...sums } = g;
        out.push(rowlessBinRecord(sessionId, { ..._id, ...sums }));
      }
      return out.sort((x, y) => cmp(x.rack, y.rack) || cmp(x.item_code, y.item_code));
    },
  };

  const recountTasks: RecountTaskRepo = {
    async get(id) {
      const doc = await b.tasks.findOne({ id });
      return doc ? strip(doc) : null;
    },
    async list(sessionId, query) {
      const filter: Filter<RecountTaskRecord> = { session_id: sessionId };
      if (query.state !== undefined) filter.state = query.state;
      if (query.rack !== undefined) filter.rack = query.rack;
      if (query.assigned_to !== undefined) filter.assigned_to = query.assigned_to;
      if (query.eligible_user !== undefined) {
        // Theirs, or offered to everyone and they did not count the bin already.
        filter.$or = [
          { assigned_to: query.eligible_user },
          { assigned_to: null, excluded_counters: { $ne: query.eligible_user } },
        ];
      }
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        b.tasks.find(filter).sort({ created_at: 1, id: 1 }).skip(skip).limit(limit).toArray(),
        b.tasks.countDocuments(filter),
      ]);
      return { items: docs.map(strip), total };
    },
    async openCountsByAssignee(sessionId) {
      const rows = await b.tasks
        .aggregate<{ _id: string; n: number }>([
          { $match: { session_id: sessionId, state: 'open', assigned_to: { $ne: null } } },
          { $group: { _id: '$assigned_to', n: { $sum: 1 } } },
        ])
        .toArray();
      return new Map(rows.map((r) => [r._id, r.n]));
    },
    async assign(id, userId, at) {
      const doc = await b.tasks.findOneAndUpdate(
        { id, state: 'open' },
        { $set: { assigned_to: userId, assigned_at: userId === null ? null : at } },
        { returnDocument: 'after' },
      );
      return doc ? strip(doc) : null;
    },
  };

  return { bins, recountTasks };
}
