/** AuditRepo on MongoDB. */
import type { Collection, Filter, WithId } from 'mongodb';
import type { AuditEntry, AuditRepo } from '../../../ports/store';

function toEntry(doc: WithId<AuditEntry>): AuditEntry {
  const { _id, ...entry } = doc;
  return entry;
}

/** Builds the audit repository over the audit collection. */
export function createMongoAuditRepo(audit: Collection<AuditEntry>): AuditRepo {
  return {
    async append(entry) {
      // A copy: insertOne writes the generated _id into the object it is given.
      await audit.insertOne({ ...entry });
    },
    async list(query) {
      const filter: Filter<AuditEntry> = {};
      if (query.actor_id !== undefined) filter.actor_id = query.actor_id;
      if (query.action !== undefined) filter.action = query.action;
      if (query.target_type !== undefined) filter.target_type = query.target_type;
      if (query.target_id !== undefined) filter.target_id = query.target_id;
      if (query.from !== undefined || query.to !== undefined) {
        filter.at = {
          ...(query.from !== undefined && { $gte: query.from }),
          ...(query.to !== undefined && { $lt: query.to }),
        };
      }
      const [docs, total] = await Promise.all([
        audit
          .find(filter)
          .sort({ at: -1, id: -1 })
          .skip((query.page - 1) * query.page_size)
          .limit(query.page_size)
          .toArray(),
        audit.countDocuments(filter),
      ]);
      return { items: docs.map(toEntry), total };
    },
  };
}
