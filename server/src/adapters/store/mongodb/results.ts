/** ResultRepo on MongoDB: one document per op_id (unique index), written once. */
import type { Collection, WithId } from 'mongodb';
import type { ResultRepo, StoredResult } from '../../../ports/counting';
import { isDuplicateKey } from './collections';
import type { RunInTransaction } from './transactions';

function toResult(doc: WithId<StoredResult>): StoredResult {
  const { _id, ...result } = doc;
  return result;
}

/** Builds the per-op result repository over the sync_results collection. */
export function createMongoResultRepo(
  results: Collection<StoredResult>,
  inTransaction: RunInTransaction,
): ResultRepo {
  const get = async (opId: string): Promise<StoredResult | null> => {
    const doc = await results.findOne({ op_id: opId });
    return doc ? toResult(doc) : null;
  };
  return {
    async putManyIfAbsent(many) {
      // One transaction for the batch's answers. Should another request store one of these op_ids
      // first, the insert fails on the unique index and the whole transaction reruns, this time
      // reading that stored answer instead.
      return inTransaction(
        async (txn) => {
          const stored: StoredResult[] = [];
          for (const result of many) {
            const existing = await results.findOne({ op_id: result.op_id }, { session: txn });
            if (existing) {
              stored.push(toResult(existing));
            } else {
              await results.insertOne({ ...result }, { session: txn });
              stored.push({ ...result });
            }
          }
          return stored;
        },
        { retryOnDuplicateKey: true },
      );
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
