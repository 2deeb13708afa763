/** UserRepo on MongoDB. */
import { MongoServerError, type Collection, type Filter, type WithId } from 'mongodb';
import type { UserRecord, UserRepo } from '../../../ports/store';
import { StoreConflictError } from '../../../ports/store';
import { escapeRegex } from './collections';

const DUPLICATE_KEY = 11000;

/** The unique field a duplicate-key error names (both users indexes are unique), if it is one. */
function conflictingField(err: unknown): 'username' | 'id' | null {
  if (!(err instanceof MongoServerError) || err.code !== DUPLICATE_KEY) return null;
  const keyPattern: unknown = err.keyPattern;
  const fields =
    typeof keyPattern === 'object' && keyPattern !== null ? Object.keys(keyPattern) : [];
  // Servers that omit keyPattern still name the index in the message.
  if (fields.includes('id') || (fields.length === 0 && err.message.includes('id_1'))) return 'id';
  return 'username';
}

function toRecord(doc: WithId<UserRecord>): UserRecord {
  const { _id, ...user } = doc;
  return user;
}

/** Builds the user repository over the users collection. */
export function createMongoUserRepo(users: Collection<UserRecord>): UserRepo {
  const get = async (id: string): Promise<UserRecord | null> => {
    const doc = await users.findOne({ id });
    return doc ? toRecord(doc) : null;
  };

  return {
    async create(user) {
      try {
        // A copy: insertOne writes the generated _id into the object it is given.
        await users.insertOne({ ...user, username: user.username.toLowerCase() });
      } catch (err) {
        const field = conflictingField(err);
        throw field ? new StoreConflictError(field) : err;
      }
    },
    get,
    async getByUsername(username) {
      const doc = await users.findOne({ username: username.toLowerCase() });
      return doc ? toRecord(doc) : null;
    },
    async list(query) {
      const filter: Filter<UserRecord> = {};
      if (query.role !== undefined) filter.role = query.role;
      if (query.active !== undefined) filter.active = query.active;
      if (query.q) {
        const pattern = { $regex: escapeRegex(query.q), $options: 'i' };
        filter.$or = [{ username: pattern }, { full_name: pattern }];
      }
      const [docs, total] = await Promise.all([
        users
          .find(filter)
          .sort({ username: 1 })
          .skip((query.page - 1) * query.page_size)
          .limit(query.page_size)
          .toArray(),
        users.countDocuments(filter),
      ]);
      return { items: docs.map(toRecord), total };
    },
    async update(id, patch) {
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      // An empty $set is rejected by the server; an empty patch is just a read.
      if (Object.keys(set).length === 0) return get(id);
      const doc = await users.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' });
      return doc ? toRecord(doc) : null;
    },
    async count() {
      return users.countDocuments();
    },
  };
}
