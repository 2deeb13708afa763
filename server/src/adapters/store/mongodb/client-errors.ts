/** ClientErrorRepo on MongoDB: error reports from the PWA and console (design §7). */
import type { Collection, Filter, WithId } from 'mongodb';
import type { ClientErrorRecord, ClientErrorRepo } from '../../../ports/evidence';
import { pageWindow } from './collections';

function toRecord(doc: WithId<ClientErrorRecord>): ClientErrorRecord {
  const { _id, ...report } = doc;
  return report;
}

/** Builds the client-error repository over the client_errors collection. */
export function createMongoClientErrorRepo(
  clientErrors: Collection<ClientErrorRecord>,
): ClientErrorRepo {
  return {
    async insert(report) {
      // A copy: insertOne writes the generated _id into the object it is given.
      await clientErrors.insertOne({ ...report });
    },
    async list(query) {
      const filter: Filter<ClientErrorRecord> = {};
      if (query.source !== undefined) filter.source = query.source;
      if (query.from !== undefined || query.to !== undefined) {
        filter.created_at = {
          ...(query.from !== undefined && { $gte: query.from }),
          ...(query.to !== undefined && { $lt: query.to }),
        };
      }
      const { skip, limit } = pageWindow(query);
      const [docs, total] = await Promise.all([
        clientErrors
          .find(filter)
          .sort({ created_at: -1, id: -1 })
          .skip(skip)
          .limit(limit)
          .toArray(),
        clientErrors.countDocuments(filter),
      ]);
      return { items: docs.map(toRecord), total };
    },
  };
}
