/** IdempotencyRepo on MongoDB: one document per (key, user_id) (unique index), written once. */
import type { Collection, WithId } from 'mongodb';
import type { IdempotencyRecord, IdempotencyRepo } from '../../../ports/counting';
import { isDuplicateKey } from './collections';

function toRecord(doc: WithId<IdempotencyRecord>): IdempotencyRecord {
  const { _id, ...record } = doc;
  return record;
}

/** Builds the batch idempotency-key repository over the idempotency_keys collection. */
export function createMongoIdempotencyRepo(keys: Collection<IdempotencyRecord>): IdempotencyRepo {
  const get = async (key: string, userId: string): Promise<IdempotencyRecord | null> => {
    const doc = await keys.findOne({ key, user_id: userId });
    return doc ? toRecord(doc) : null;
  };
  return {
    get,
    async putIfAbsent(record) {
      try {
        // A copy: insertOne writes the generated _id into the object it is given.
        await keys.insertOne({ ...record });
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
