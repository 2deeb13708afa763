/**
 * The MongoDB movement repo without a server (none runs on build machines; the contract runs it
 * with MONGODB_URI): the writes it sends — one `$setOnInsert` upsert per movement keyed by the
 * watermark's sort key, unordered; the pull state moving forward only — the reads' filters and
 * sort, and the index plan.
 */
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { watermarkSortKey, type ErpMovement } from '@stockverify/shared';
import { indexPlan } from './indexes';
import { MOVEMENT_COLLECTION, createMongoMovementRepo } from './movements';

interface Call {
  collection: string;
  op: string;
  args: unknown[];
}

function fakeDb(answers: { upserted?: string[]; pull?: Record<string, unknown> | null } = {}) {
  const calls: Call[] = [];
  const cursor = (collection: string, filter: unknown) => {
    const chain = {
      sort(spec: unknown) {
        calls.push({ collection, op: 'sort', args: [spec] });
        return chain;
      },
      limit(n: unknown) {
        calls.push({ collection, op: 'limit', args: [n] });
        return chain;
      },
      async toArray() {
        calls.push({ collection, op: 'find', args: [filter] });
        return [];
      },
    };
    return chain;
  };
  const db = {
    collection(name: string) {
      return {
        async bulkWrite(ops: unknown[], options: unknown) {
          calls.push({ collection: name, op: 'bulkWrite', args: [ops, options] });
          const ids = answers.upserted ?? [];
          return {
            upsertedCount: ids.length,
            upsertedIds: Object.fromEntries(ids.map((id, i) => [i, id])),
          };
        },
        async updateOne(filter: unknown, update: unknown, options?: unknown) {
          calls.push({ collection: name, op: 'updateOne', args: [filter, update, options] });
          return {};
        },
        async findOne(filter: unknown) {
          calls.push({ collection: name, op: 'findOne', args: [filter] });
          return answers.pull ?? null;
        },
        find: (filter: unknown) => cursor(name, filter),
      };
    },
  } as unknown as Db;
  return { db, calls };
}

const movement = (n: number): ErpMovement => ({
  item_code: 'IT1',
  warehouse: 'WH1',
  rack: null,
  quantity: -n,
  posted_at: `2026-12-06T09:00:0${n}.000Z`,
  doc_type: 'SHIPMENT',
  doc_no: `SO-${n}`,
  watermark: String(n),
});

describe('MongoDB movement repo', () => {
  it('stores each movement once by its watermark sort key and counts only the new ones', async () => {
    const { db, calls } = fakeDb({ upserted: [watermarkSortKey('2')] });
    const repo = createMongoMovementRepo(db);
    const written = await repo.record([movement(1), movement(2)], {
      watermark: '2',
      pulled_at: '2026-12-06T09:01:00.000Z',
    });
    expect(written).toEqual({ inserted: 1, duplicates: 1 });
    const bulk = calls.find((c) => c.op === 'bulkWrite')!;
    expect(bulk.collection).toBe(MOVEMENT_COLLECTION.movements);
    expect(bulk.args[1]).toEqual({ ordered: false });
    expect((bulk.args[0] as unknown[])[0]).toEqual({
      updateOne: {
        filter: { _id: watermarkSortKey('1') },
        update: { $setOnInsert: movement(1) },
        upsert: true,
      },
    });
    const [state, forward] = calls.filter((c) => c.op === 'updateOne');
    expect(state!.args[1]).toEqual({
      $set: { last_pull_at: '2026-12-06T09:01:00.000Z' },
      $inc: { count: 1 },
      // Only the movement that was new counts for the newest posted_at.
      $max: { newest_posted_at: movement(2).posted_at },
      $setOnInsert: { watermark: null, wm_key: null },
    });
    // The watermark moves only forward: the filter refuses a smaller or equal stored one.
    expect(forward!.args[0]).toEqual({
      _id: 'pull',
      $or: [{ wm_key: null }, { wm_key: { $lt: watermarkSortKey('2') } }],
    });
    expect(forward!.args[1]).toEqual({ $set: { watermark: '2', wm_key: watermarkSortKey('2') } });
  });

  it('reads in ledger order with the query as filters; the state with defaults', async () => {
    const { db, calls } = fakeDb();
    const repo = createMongoMovementRepo(db);
    await repo.list({
      warehouse: 'WH1',
      item_code: 'IT1',
      rack: null,
      posted_from: 'a',
      posted_to: 'b',
      after: '9',
      up_to: '0x10',
      limit: 5,
    });
    expect(calls.find((c) => c.op === 'find')!.args[0]).toEqual({
      warehouse: 'WH1',
      item_code: 'IT1',
      rack: null,
      posted_at: { $gte: 'a', $lt: 'b' },
      _id: { $gt: watermarkSortKey('9'), $lte: watermarkSortKey('0x10') },
    });
    expect(calls.filter((c) => c.op === 'sort' || c.op === 'limit').map((c) => c.args[0])).toEqual([
      { _id: 1 },
      5,
    ]);
    await expect(repo.since(null, 0)).rejects.toThrow(RangeError);
    expect(await repo.state()).toEqual({
      watermark: null,
      last_pull_at: null,
      newest_posted_at: null,
      count: 0,
    });
  });

  it('indexes movements by item and time and by warehouse in ledger order', () => {
    const plan = indexPlan({ idempotencyKeepDays: 35 }).find(
      (e) => e.collection === MOVEMENT_COLLECTION.movements,
    );
    expect(plan?.indexes).toEqual([
      { key: { warehouse: 1, item_code: 1, posted_at: 1 } },
      { key: { warehouse: 1, _id: 1 } },
    ]);
  });
});
