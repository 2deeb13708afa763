/** MetaRepo on MongoDB: small JSON documents keyed by _id. */
import type { Collection } from 'mongodb';
import type { MetaRepo } from '../../../ports/store';
import type { MetaDocument } from './collections';

/** Builds the meta repository over the meta collection. */
export function createMongoMetaRepo(meta: Collection<MetaDocument>): MetaRepo {
  return {
    async get<T>(key: string): Promise<T | null> {
      const doc = await meta.findOne({ _id: key });
      // The caller names the type it stored; nothing here can check it.
      return doc === null || doc.value === null || doc.value === undefined
        ? null
        : (doc.value as T);
    },
    async set(key, value) {
      await meta.updateOne({ _id: key }, { $set: { value: value ?? null } }, { upsert: true });
    },
  };
}
