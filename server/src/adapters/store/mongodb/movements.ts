/**
 * MovementRepo on MongoDB (issue #17): one document per ledger entry whose `_id` is the sort key of
 * its watermark (watermarkSortKey: string order = ledger order), written with `$setOnInsert`
 * upserts so a movement pulled twice is stored once; the pull state is one document. Indexes:
 * indexes.ts (MOVEMENT_INDEXES).
 */
import type { Collection, Db, Filter, IndexDescription } from 'mongodb';
import { watermarkSortKey, type ErpMovement } from '@stockverify/shared';
import type { MovementPullState, MovementQuery, MovementRepo } from '../../../ports/movements';

export const MOVEMENT_COLLECTION = { movements: 'erp_movements', pull: 'erp_movement_pull' };

/** An item's movements in a warehouse over a time range; a warehouse's after a watermark. */
export const MOVEMENT_INDEXES: IndexDescription[] = [
  { key: { warehouse: 1, item_code: 1, posted_at: 1 } },
  { key: { warehouse: 1, _id: 1 } },
];

export type MovementDocument = ErpMovement & { _id: string };

interface PullDocument {
  _id: 'pull';
  watermark: string | null;
  wm_key: string | null;
  last_pull_at: string | null;
  newest_posted_at: string | null;
  count: number;
}

const LIMIT_MAX = 10_000;
function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMIT_MAX)
    throw new RangeError(`limit must be a whole number from 1 to ${LIMIT_MAX}`);
  return limit;
}

function toMovement(doc: MovementDocument): ErpMovement {
  const { _id, ...movement } = doc;
  return movement;
}

export function createMongoMovementRepo(db: Db): MovementRepo {
  const movements: Collection<MovementDocument> = db.collection(MOVEMENT_COLLECTION.movements);
  const pulls: Collection<PullDocument> = db.collection(MOVEMENT_COLLECTION.pull);

  async function page(filter: Filter<MovementDocument>, limit: number) {
    const docs = await movements.find(filter).sort({ _id: 1 }).limit(checkedLimit(limit)).toArray();
    return docs.map(toMovement);
  }

  return {
    async record(batch, pull) {
      let inserted = 0;
      let newest: string | null = null;
      if (batch.length > 0) {
        const result = await movements.bulkWrite(
          batch.map((m) => ({
            updateOne: {
              filter: { _id: watermarkSortKey(m.watermark) },
              update: { $setOnInsert: { ...m } },
              upsert: true,
            },
          })),
          { ordered: false },
        );
        inserted = result.upsertedCount;
        const fresh = new Set(Object.values(result.upsertedIds).map(String));
        for (const m of batch) {
          if (fresh.has(watermarkSortKey(m.watermark)) && (newest === null || m.posted_at > newest))
            newest = m.posted_at;
        }
      }
      await pulls.updateOne(
        { _id: 'pull' },
        {
          $set: { last_pull_at: pull.pulled_at },
          $inc: { count: inserted },
          ...(newest === null ? {} : { $max: { newest_posted_at: newest } }),
          $setOnInsert: { watermark: null, wm_key: null },
        },
        { upsert: true },
      );
      if (pull.watermark !== null) {
        const key = watermarkSortKey(pull.watermark);
        // The watermark only moves forward: another process may have pulled further meanwhile.
        await pulls.updateOne(
          { _id: 'pull', $or: [{ wm_key: null }, { wm_key: { $lt: key } }] },
          { $set: { watermark: pull.watermark, wm_key: key } },
        );
      }
      return { inserted, duplicates: batch.length - inserted };
    },
    async touch(pulledAt) {
      await pulls.updateOne(
        { _id: 'pull' },
        {
          $set: { last_pull_at: pulledAt },
          $setOnInsert: { watermark: null, wm_key: null, newest_posted_at: null, count: 0 },
        },
        { upsert: true },
      );
    },
    async state(): Promise<MovementPullState> {
      const doc = await pulls.findOne({ _id: 'pull' });
      return {
        watermark: doc?.watermark ?? null,
        last_pull_at: doc?.last_pull_at ?? null,
        newest_posted_at: doc?.newest_posted_at ?? null,
        count: doc?.count ?? 0,
      };
    },
    async since(after, limit) {
      return page(after === null ? {} : { _id: { $gt: watermarkSortKey(after) } }, limit);
    },
    async list(query: MovementQuery) {
      const filter: Filter<MovementDocument> = { warehouse: query.warehouse };
      if (query.item_code !== undefined) filter.item_code = query.item_code;
      if (query.rack !== undefined) filter.rack = query.rack;
      if (query.posted_from !== undefined || query.posted_to !== undefined) {
        filter.posted_at = {
          ...(query.posted_from === undefined ? {} : { $gte: query.posted_from }),
          ...(query.posted_to === undefined ? {} : { $lt: query.posted_to }),
        };
      }
      const after = query.after ?? null;
      const upTo = query.up_to ?? null;
      if (after !== null || upTo !== null) {
        filter._id = {
          ...(after === null ? {} : { $gt: watermarkSortKey(after) }),
          ...(upTo === null ? {} : { $lte: watermarkSortKey(upTo) }),
        };
      }
      return page(filter, query.limit);
    },
  };
}
