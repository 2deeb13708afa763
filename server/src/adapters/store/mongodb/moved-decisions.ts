/**
 * MovedDecisionRepo on MongoDB (issue #17 item 3, docs/design.md §13): one document per session
 * and item (`_id`), upserted — the latest decision stands. Index: MOVED_DECISION_INDEXES
 * (migration 10).
 */
import type { AnyBulkWriteOperation, Collection, Db, IndexDescription } from 'mongodb';
import type { MovedDecisionRecord, MovedDecisionRepo } from '../../../ports/moved-decisions';

export const MOVED_DECISION_COLLECTION = 'moved_decisions';
export const MOVED_DECISION_INDEXES: IndexDescription[] = [
  { key: { session_id: 1, item_code: 1 } },
];

type DecisionDocument = MovedDecisionRecord & { _id: string };

const idOf = (r: { session_id: string; item_code: string }): string =>
  JSON.stringify([r.session_id, r.item_code]);

export function createMongoMovedDecisionRepo(db: Db): MovedDecisionRepo {
  const decisions: Collection<DecisionDocument> = db.collection(MOVED_DECISION_COLLECTION);
  return {
    async put(records) {
      if (records.length === 0) return;
      const ops: AnyBulkWriteOperation<DecisionDocument>[] = records.map((r) => ({
        replaceOne: { filter: { _id: idOf(r) }, replacement: { _id: idOf(r), ...r }, upsert: true },
      }));
      await decisions.bulkWrite(ops, { ordered: true });
    },
    async list(sessionId) {
      const docs = await decisions.find({ session_id: sessionId }).sort({ item_code: 1 }).toArray();
      return docs.map(({ _id, ...r }) => r);
    },
  };
}
