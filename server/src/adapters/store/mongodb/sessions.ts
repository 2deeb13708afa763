/** SessionRepo on MongoDB: sessions plus their book-quantity snapshot in session_snapshot. */
import type { Collection, Filter, Sort, SortDirection, WithId } from 'mongodb';
import type {
  SessionRecord,
  SessionRepo,
  SnapshotRack,
  SnapshotRow,
  SnapshotRowInput,
} from '../../../ports/counting';
import { StoreConflictError } from '../../../ports/store';
import {
  definedFields,
  escapeRegex,
  isDuplicateKey,
  pageWindow,
  type CountLineDocument,
} from './collections';
import type { RunInTransaction } from './transactions';

// Bounds each insertMany so a 100k-item snapshot never builds one oversized command.
const CHUNK = 1000;

function toSession(doc: WithId<SessionRecord>): SessionRecord {
  const { _id, ...session } = doc;
  // Sessions created before rule-set snapshots (issue #16) have none: null, as on SQLite.
  return {
    ...session,
    tolerance_rule_set: session.tolerance_rule_set ?? null,
    // Sessions from before ERP movements (issue #17) have no watermark: null, as on SQLite.
    erp_watermark: session.erp_watermark ?? null,
    erp_watermark_high: session.erp_watermark_high ?? null,
  };
}

/** A snapshot document: the row, with the item's book per rack where the ERP knows it. */
export type SnapshotDocument = SnapshotRow & { racks?: SnapshotRack[] | null };

function toRow(doc: WithId<SnapshotDocument>): SnapshotRow {
  const { _id, racks: _racks, ...row } = doc;
  return row;
}

/** Builds the session repository over the sessions, session_snapshot and count_lines collections. */
export function createMongoSessionRepo(
  sessions: Collection<SessionRecord>,
  snapshotRows: Collection<SnapshotRow>,
  lines: Collection<CountLineDocument>,
  inTransaction: RunInTransaction,
): SessionRepo {
  // The documents carry the book per rack beside the row (migration 12; docs/design.md §4).
  const snapshot = snapshotRows as unknown as Collection<SnapshotDocument>;
  return {
    async create(session, rows) {
      // One transaction: the session and its whole snapshot appear together or not at all. A
      // taken id fails on the snapshot's or the session's unique index, either way a conflict.
      try {
        await inTransaction(async (txn) => {
          for (let i = 0; i < rows.length; i += CHUNK) {
            // Copies: insertMany writes the generated _id into the objects it is given.
            await snapshot.insertMany(
              rows.slice(i, i + CHUNK).map((row: SnapshotRowInput) => ({
                ...row,
                racks: row.racks ? [...row.racks] : null,
              })),
              { session: txn },
            );
          }
          await sessions.insertOne({ ...session }, { session: txn });
        });
      } catch (err) {
        throw isDuplicateKey(err) ? new StoreConflictError('id') : err;
      }
    },
    async get(id) {
      const doc = await sessions.findOne({ id });
      return doc ? toSession(doc) : null;
    },
    async list(query) {
      const filter: Filter<SessionRecord> = {};
      if (query.status !== undefined) filter.status = query.status;
      if (query.warehouse !== undefined) filter.warehouse = query.warehouse;
      if (query.staff !== undefined) {
        filter.id = { $in: await lines.distinct('session_id', { counted_by: query.staff }) };
      }
      if (query.from !== undefined || query.to !== undefined) {
        filter.created_at = {
          ...(query.from !== undefined && { $gte: query.from }),
          ...(query.to !== undefined && { $lt: query.to }),
        };
      }
      if (query.q) filter.name = { $regex: escapeRegex(query.q), $options: 'i' };
      const direction: SortDirection = query.sort.startsWith('-') ? -1 : 1;
      const sort: Sort = { [query.sort.replace(/^-/, '')]: direction, id: direction };
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        sessions.find(filter).sort(sort).skip(skip).limit(limit).toArray(),
        sessions.countDocuments(filter),
      ]);
      return { items: docs.map(toSession), total };
    },
    async transition(id, from, to, patch) {
      // The status in the filter is the compare-and-set: one caller moves the session.
      const doc = await sessions.findOneAndUpdate(
        { id, status: { $in: [...from] } },
        { $set: { ...definedFields(patch), status: to } },
        { returnDocument: 'after' },
      );
      return doc ? toSession(doc) : null;
    },
    async snapshotRow(sessionId, itemCode) {
      const doc = await snapshot.findOne({ session_id: sessionId, item_code: itemCode });
      return doc ? toRow(doc) : null;
    },
    async snapshotRows(sessionId) {
      const docs = await snapshot.find({ session_id: sessionId }).sort({ item_code: 1 }).toArray();
      return docs.map(toRow);
    },
    async snapshotRacks(sessionId, itemCodes) {
      // Documents from before rack-level books have racks null (migration 12): none.
      const docs = await snapshot
        .find(
          {
            session_id: sessionId,
            racks: { $type: 'array' },
            ...(itemCodes && { item_code: { $in: [...itemCodes] } }),
          },
          { projection: { _id: 0, item_code: 1, racks: 1 } },
        )
        .sort({ item_code: 1 })
        .toArray();
      return new Map(
        docs.map((d) => [
          d.item_code,
          [...(d.racks ?? [])].sort((a, b) => (a.rack < b.rack ? -1 : a.rack > b.rack ? 1 : 0)),
        ]),
      );
    },
  };
}
