/** RefreshTokenRepo on MongoDB. */
import type { Collection, WithId } from 'mongodb';
import type { RefreshTokenRecord, RefreshTokenRepo } from '../../../ports/store';

function toRecord(doc: WithId<RefreshTokenRecord>): RefreshTokenRecord {
  const { _id, ...token } = doc;
  return token;
}

/** Builds the refresh-token repository over the refresh_tokens collection. */
export function createMongoRefreshTokenRepo(
  tokens: Collection<RefreshTokenRecord>,
): RefreshTokenRepo {
  return {
    async insert(token) {
      // A copy: insertOne writes the generated _id into the object it is given.
      await tokens.insertOne({ ...token });
    },
    async getByHash(tokenHash) {
      const doc = await tokens.findOne({ token_hash: tokenHash });
      return doc ? toRecord(doc) : null;
    },
    async consume(id, at) {
      // The filter is the race guard (design §6): a single-document update is atomic, so only one
      // caller can match used_at null.
      const result = await tokens.updateOne(
        { id, used_at: null, revoked_at: null },
        { $set: { used_at: at } },
      );
      return result.modifiedCount === 1;
    },
    async revokeFamily(familyId, at) {
      const result = await tokens.updateMany(
        { family_id: familyId, revoked_at: null },
        { $set: { revoked_at: at } },
      );
      return result.modifiedCount;
    },
    async revokeUser(userId, at) {
      const result = await tokens.updateMany(
        { user_id: userId, revoked_at: null },
        { $set: { revoked_at: at } },
      );
      return result.modifiedCount;
    },
    async deleteExpired(before) {
      const result = await tokens.deleteMany({ expires_at: { $lt: before } });
      return result.deletedCount;
    },
  };
}
