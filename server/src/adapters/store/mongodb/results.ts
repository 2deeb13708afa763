/** ResultRepo on MongoDB: one document per op_id (unique index), written once. */
import type { Collection, WithId } from 'mongodb';
import type { ResultRepo, StoredResult } from '../../../ports/counting';
import { isDuplicateKey } from './collections';

function toResult(doc: WithId<StoredResult>): StoredResult {
  const { _id, ...result } = doc;
  return result;
}

/** Builds the per-op result repository over the sync_results collection. */
export function createMongoResultRepo(results: Collection<StoredResult>): ResultRepo {
  const get = async (opId: string): Promise<StoredResult | null> => {
    const doc = await results.findOne({ op_id: opId });
    return doc ? toResult(doc) : null;
  };
  return {
    async putManyIfAbsent(many) {
      const stored: StoredResult[] = [];
      for (const result of many) stored.push(await this.putIfAbsent(result));
      return stored;
    },
    async putIfAbsent(result) {
      try {
        // A copy: insertOne writes the generated _id into the object it is given.
        await results.insertOne({ ...result });
        return { ...result };
      } catch (err) {
        // The unique op_id index makes the first writer win; a loser reads the winner back.
        const stored = isDuplicateKey(err) ? await get(result.op_id) : null;
        if (!stored) throw err;
        return stored;
      }
    },
    get,
  };
}
