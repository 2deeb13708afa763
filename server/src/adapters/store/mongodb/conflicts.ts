/** ConflictRepo on MongoDB: one document per op_id (unique index); resolve is a compare-and-set. */
import type { Collection, Filter, WithId } from 'mongodb';
import type { ConflictRecord, ConflictRepo } from '../../../ports/counting';
import { isDuplicateKey, pageWindow } from './collections';

function toConflict(doc: WithId<ConflictRecord>): ConflictRecord {
  const { _id, ...conflict } = doc;
  return conflict;
}

/** Builds the conflict repository over the conflicts collection. */
export function createMongoConflictRepo(conflicts: Collection<ConflictRecord>): ConflictRepo {
  return {
    async insertIfAbsent(conflict) {
      try {
        // insertOne, not an upsert: `record` is the phone's JSON, whose keys an update operator
        // could refuse ($-prefixed or dotted). A copy, as insertOne writes _id into its argument.
        await conflicts.insertOne({ ...conflict });
        return { ...conflict };
      } catch (err) {
        const doc = isDuplicateKey(err) ? await conflicts.findOne({ op_id: conflict.op_id }) : null;
        if (!doc) throw err;
        return toConflict(doc);
      }
    },
    async get(id) {
      const doc = await conflicts.findOne({ id });
      return doc ? toConflict(doc) : null;
    },
    async list(query) {
      const filter: Filter<ConflictRecord> = {};
      if (query.session !== undefined) filter.session_id = query.session;
      if (query.status !== undefined) filter.status = query.status;
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        conflicts.find(filter).sort({ created_at: -1, id: -1 }).skip(skip).limit(limit).toArray(),
        conflicts.countDocuments(filter),
      ]);
      return { items: docs.map(toConflict), total };
    },
    async resolve(id, patch) {
      // The status in the filter is the compare-and-set: one resolver wins.
      const doc = await conflicts.findOneAndUpdate(
        { id, status: 'OPEN' },
        { $set: { ...patch } },
        { returnDocument: 'after' },
      );
      return doc ? toConflict(doc) : null;
    },
    async countOpenByUser(sessionId, userId) {
      return conflicts.countDocuments({ session_id: sessionId, user_id: userId, status: 'OPEN' });
    },
  };
}
