/**
 * IdempotencyRepo on MongoDB: one document per (key, user_id) (unique index), written once, and
 * removed by the TTL index after IDEMPOTENCY_KEEP_DAYS. Whether a batch is in flight is not
 * stored here: that marker lives in Coordination (Redis when several processes share the store).
 */
import type { Collection, WithId } from 'mongodb';
import type { IdempotencyRecord, IdempotencyRepo } from '../../../ports/counting';
import { isDuplicateKey, type IdempotencyDocument } from './collections';

function toRecord(doc: WithId<IdempotencyDocument>): IdempotencyRecord {
  const { _id, created_date: _createdDate, ...record } = doc;
  return record;
}

/** Builds the batch idempotency-key repository over the idempotency_keys collection. */
export function createMongoIdempotencyRepo(keys: Collection<IdempotencyDocument>): IdempotencyRepo {
  const get = async (key: string, userId: string): Promise<IdempotencyRecord | null> => {
    const doc = await keys.findOne({ key, user_id: userId });
    return doc ? toRecord(doc) : null;
  };
  return {
    get,
    async putIfAbsent(record) {
      try {
        // A copy: insertOne writes the generated _id into the object it is given. created_date
        // is what the TTL index reads (indexes.ts).
        await keys.insertOne({ ...record, created_date: new Date(record.created_at) });
        return { ...record };
      } catch (err) {
        // First finisher wins on the unique (key, user_id) index; a loser reads the winner back.
        const stored = isDuplicateKey(err) ? await get(record.key, record.user_id) : null;
        if (!stored) throw err;
        return stored;
      }
    },
    async deleteOlderThan(before) {
      const result = await keys.deleteMany({ created_at: { $lt: before } });
      return result.deletedCount;
    },
  };
}
