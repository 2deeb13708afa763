/**
 * ClaimRepo on MongoDB: one document per claim; the rack's newest claim has the highest token.
 * Claim state changes (pause, heartbeat, complete, release) are single-document updates, atomic
 * on their own; the rack lock in Coordination keeps two claimants of one rack apart.
 */
import type { Collection, WithId } from 'mongodb';
import type { ClaimRecord, ClaimRepo, ClaimState } from '../../../ports/counting';
import { StoreConflictError } from '../../../ports/store';
import { definedFields, isDuplicateKey, rackFenceId, type RackFenceDocument } from './collections';
import type { RunInTransaction } from './transactions';

function toClaim(doc: WithId<ClaimRecord>): ClaimRecord {
  const { _id, ...claim } = doc;
  // Claims from before split claims (migration 9 sets it) were whole.
  return { ...claim, split: claim.split ?? false };
}

/** Newest first: split claims held together share a token (docs/design.md §12 "Split bins"). */
export const NEWEST_CLAIM_SORT = { token: -1, claimed_at: -1, id: -1 } as const;

/** Builds the claim repository over the claims collection. */
export function createMongoClaimRepo(
  claims: Collection<ClaimRecord>,
  fences: Collection<RackFenceDocument>,
  inTransaction: RunInTransaction,
): ClaimRepo {
  const get = async (id: string): Promise<ClaimRecord | null> => {
    const doc = await claims.findOne({ id });
    return doc ? toClaim(doc) : null;
  };
  return {
    async insert(claim) {
      try {
        // The new claim and the rack's fence document in one transaction: a line being written
        // under the previous claim writes the fence too, so one of the two reruns after the
        // other and the line's fencing check sees this claim (lines.ts).
        await inTransaction(async (txn) => {
          // A copy: insertOne writes the generated _id into the object it is given.
          await claims.insertOne({ ...claim }, { session: txn });
          await fences.updateOne(
            { _id: rackFenceId(claim.session_id, claim.rack) },
            { $set: { claim_id: claim.id, token: claim.token } },
            { upsert: true, session: txn },
          );
        });
      } catch (err) {
        throw isDuplicateKey(err) ? new StoreConflictError('id') : err;
      }
    },
    get,
    async latest(sessionId, rack) {
      const doc = await claims.findOne(
        { session_id: sessionId, rack },
        { sort: { ...NEWEST_CLAIM_SORT } },
      );
      return doc ? toClaim(doc) : null;
    },
    async listBySession(sessionId) {
      const docs = await claims
        .find({ session_id: sessionId })
        .sort({ claimed_at: -1, token: -1, id: -1 })
        .toArray();
      return docs.map(toClaim);
    },
    async listStates(sessionId) {
      const docs = await claims
        .find(
          { session_id: sessionId },
          {
            projection: {
              _id: 0,
              rack: 1,
              user_id: 1,
              username: 1,
              status: 1,
              token: 1,
              split: 1,
              last_heartbeat_at: 1,
              completed_at: 1,
            },
          },
        )
        .sort({ claimed_at: -1, token: -1, id: -1 })
        .toArray();
      // Claims from before split claims (migration 9 sets it) were whole.
      return docs.map((doc) => ({ ...(doc as unknown as ClaimState), split: doc.split ?? false }));
    },
    async listOpenOnRack(sessionId, rack) {
      const docs = await claims
        .find({ session_id: sessionId, rack, status: { $in: ['active', 'paused'] } })
        .sort({ claimed_at: -1, token: -1, id: -1 })
        .toArray();
      return docs.map(toClaim);
    },
    async listOpenByUser(sessionId, userId) {
      const docs = await claims
        .find({ session_id: sessionId, user_id: userId, status: { $in: ['active', 'paused'] } })
        .sort({ claimed_at: 1, id: 1 })
        .toArray();
      return docs.map(toClaim);
    },
    async update(id, patch) {
      const set = definedFields(patch);
      // An empty $set is rejected by the server; an empty patch is just a read.
      if (Object.keys(set).length === 0) return get(id);
      const doc = await claims.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' });
      return doc ? toClaim(doc) : null;
    },
  };
}
