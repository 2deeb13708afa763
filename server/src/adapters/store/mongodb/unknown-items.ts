/** UnknownItemRepo on MongoDB: one document per op_id (unique index); resolve is a compare-and-set. */
import type { Collection, Filter, WithId } from 'mongodb';
import type { UnknownItemRecord, UnknownItemRepo } from '../../../ports/counting';
import { isDuplicateKey, pageWindow } from './collections';

function toUnknownItem(doc: WithId<UnknownItemRecord>): UnknownItemRecord {
  const { _id, ...item } = doc;
  return item;
}

/** Builds the unknown-item repository over the unknown_items collection. */
export function createMongoUnknownItemRepo(
  unknownItems: Collection<UnknownItemRecord>,
): UnknownItemRepo {
  return {
    async insertIfAbsent(item) {
      try {
        // A copy: insertOne writes the generated _id into the object it is given.
        await unknownItems.insertOne({ ...item });
        return { ...item };
      } catch (err) {
        const doc = isDuplicateKey(err) ? await unknownItems.findOne({ op_id: item.op_id }) : null;
        if (!doc) throw err;
        return toUnknownItem(doc);
      }
    },
    async get(id) {
      const doc = await unknownItems.findOne({ id });
      return doc ? toUnknownItem(doc) : null;
    },
    async list(query) {
      const filter: Filter<UnknownItemRecord> = {};
      if (query.session !== undefined) filter.session_id = query.session;
      if (query.status !== undefined) filter.status = query.status;
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        unknownItems
          .find(filter)
          .sort({ received_at: -1, id: -1 })
          .skip(skip)
          .limit(limit)
          .toArray(),
        unknownItems.countDocuments(filter),
      ]);
      return { items: docs.map(toUnknownItem), total };
    },
    async resolve(id, patch) {
      // The status in the filter is the compare-and-set: one resolver wins.
      const doc = await unknownItems.findOneAndUpdate(
        { id, status: 'OPEN' },
        { $set: { ...patch } },
        { returnDocument: 'after' },
      );
      return doc ? toUnknownItem(doc) : null;
    },
    async countOpen(sessionId) {
      return unknownItems.countDocuments({ session_id: sessionId, status: 'OPEN' });
    },
    async countOpenByUser(sessionId, userId) {
      return unknownItems.countDocuments({
        session_id: sessionId,
        counted_by: userId,
        status: 'OPEN',
      });
    },
  };
}
