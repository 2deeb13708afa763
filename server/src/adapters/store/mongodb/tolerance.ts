/**
 * ToleranceRepo on MongoDB: one document per version of the rule table, never updated. The unique
 * index on `version` (indexes.ts) refuses the second of two changes made on the same version.
 */
import type { Collection, WithId } from 'mongodb';
import type {
  ToleranceRepo,
  ToleranceVersionRecord,
  ToleranceVersionSummary,
} from '../../../ports/tolerance';
import { isDuplicateKey, pageWindow } from './collections';

function toRecord(doc: WithId<ToleranceVersionRecord>): ToleranceVersionRecord {
  const { _id, ...record } = doc;
  return record;
}

/** Builds the rule-table repository over the tolerance_versions collection. */
export function createMongoToleranceRepo(
  versions: Collection<ToleranceVersionRecord>,
): ToleranceRepo {
  return {
    async current() {
      const doc = await versions.findOne({}, { sort: { version: -1 } });
      return doc ? toRecord(doc) : null;
    },
    async get(version) {
      const doc = await versions.findOne({ version });
      return doc ? toRecord(doc) : null;
    },
    async versions(query) {
      const { skip, limit } = pageWindow(query);
      const [items, total] = await Promise.all([
        // The list carries how many rules each version had, not the rules.
        versions
          .aggregate<ToleranceVersionSummary>([
            { $sort: { version: -1 } },
            { $skip: skip },
            { $limit: limit },
            { $addFields: { rules_count: { $size: '$rules' } } },
            { $project: { _id: 0, rules: 0 } },
          ])
          .toArray(),
        versions.countDocuments({}),
      ]);
      return { items, total };
    },
    async append(record) {
      try {
        // A copy: insertOne writes the generated _id into the object it is given.
        await versions.insertOne({ ...record, rules: [...record.rules] });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
  };
}
