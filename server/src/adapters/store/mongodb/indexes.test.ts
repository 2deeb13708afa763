/** The index plan holds the rules the repositories rely on (checked without a server). */
import { MongoServerError, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { COLLECTION } from './collections';
import {
  IDEMPOTENCY_TTL_INDEX,
  SERIAL_INDEX,
  ensureIndexes,
  indexPlan,
  type IndexPlan,
} from './indexes';

const plan = indexPlan({ idempotencyKeepDays: 35 });

function indexesOf(collection: string, p: IndexPlan[] = plan) {
  const entry = p.find((e) => e.collection === collection);
  if (!entry) throw new Error(`no indexes planned for ${collection}`);
  return entry.indexes;
}

function uniqueKeys(collection: string): string[] {
  return indexesOf(collection)
    .filter((i) => i.unique)
    .map((i) => Object.keys(i.key).join('+'));
}

describe('indexPlan', () => {
  it('plans each collection once', () => {
    const names = plan.map((e) => e.collection);
    expect(new Set(names).size).toBe(names.length);
  });

  it('makes op_id unique wherever an op is stored once (design §5)', () => {
    for (const collection of [
      COLLECTION.lines,
      COLLECTION.results,
      COLLECTION.conflicts,
      COLLECTION.unknownItems,
    ]) {
      expect(uniqueKeys(collection)).toContain('op_id');
    }
    expect(uniqueKeys(COLLECTION.idempotency)).toEqual(['key+user_id']);
    expect(uniqueKeys(COLLECTION.snapshot)).toEqual(['session_id+item_code']);
  });

  it('keeps one serial of one item per session on lines that count, leaving serial-less lines out', () => {
    const serial = indexesOf(COLLECTION.lines).find((i) => i.name === SERIAL_INDEX);
    expect(serial).toMatchObject({
      key: { session_id: 1, item_code: 1, active_serials: 1 },
      unique: true,
      partialFilterExpression: { active_serials: { $type: 'string' } },
    });
  });

  it('expires finished sync batches after IDEMPOTENCY_KEEP_DAYS on a BSON date', () => {
    const ttl = (days: number) =>
      indexesOf(COLLECTION.idempotency, indexPlan({ idempotencyKeepDays: days })).find(
        (i) => i.name === IDEMPOTENCY_TTL_INDEX,
      );
    expect(ttl(35)).toMatchObject({ key: { created_date: 1 }, expireAfterSeconds: 35 * 86_400 });
    expect(ttl(60)?.expireAfterSeconds).toBe(60 * 86_400);
  });

  it('serves the session filters, the claims of a rack and audit by time', () => {
    const keys = (collection: string) => indexesOf(collection).map((i) => i.key);
    expect(keys(COLLECTION.sessions)).toEqual(
      expect.arrayContaining([
        { status: 1, created_at: -1 },
        { warehouse: 1, created_at: -1 },
        { created_at: -1 },
      ]),
    );
    expect(keys(COLLECTION.claims)).toContainEqual({ session_id: 1, rack: 1, token: -1 });
    // The rack map's and the session's progress read (listStates), newest first.
    expect(keys(COLLECTION.claims)).toContainEqual({
      session_id: 1,
      claimed_at: -1,
      token: -1,
      id: -1,
    });
    expect(keys(COLLECTION.audit)).toContainEqual({ at: -1, id: -1 });
    expect(uniqueKeys(COLLECTION.refreshTokens)).toEqual(['id', 'token_hash']);
    expect(uniqueKeys('photos.files')).toEqual(['filename']);
  });
});

/** A stand-in for the two Db calls ensureIndexes makes: createIndexes and command. */
function fakeDb(failFirst: { collection: string; code: number } | null) {
  const calls: string[] = [];
  let failed = false;
  const db = {
    collection: (name: string) => ({
      async createIndexes(indexes: unknown[]) {
        calls.push(`createIndexes ${name} (${indexes.length})`);
        if (failFirst && name === failFirst.collection && !failed) {
          failed = true;
          throw new MongoServerError({ message: 'conflict', code: failFirst.code });
        }
        return [];
      },
    }),
    async command(command: Record<string, unknown>) {
      calls.push(`command ${JSON.stringify(command)}`);
      return { ok: 1 };
    },
  };
  return { db: db as unknown as Db, calls };
}

describe('ensureIndexes', () => {
  const wanted: string[] = [COLLECTION.idempotency, COLLECTION.users];
  const small = indexPlan({ idempotencyKeepDays: 40 }).filter((p) => wanted.includes(p.collection));

  it('creates each collection’s indexes in one call', async () => {
    const { db, calls } = fakeDb(null);
    await ensureIndexes(db, small);
    expect(calls.sort()).toEqual(['createIndexes idempotency_keys (3)', 'createIndexes users (2)']);
  });

  it('retunes a TTL whose length changed with collMod, then creates the rest', async () => {
    const { db, calls } = fakeDb({ collection: COLLECTION.idempotency, code: 85 });
    await ensureIndexes(db, small);
    const idempotency = calls.filter((c) => !c.includes('users'));
    expect(idempotency).toEqual([
      'createIndexes idempotency_keys (3)',
      `command ${JSON.stringify({
        collMod: 'idempotency_keys',
        index: { name: IDEMPOTENCY_TTL_INDEX, expireAfterSeconds: 40 * 86_400 },
      })}`,
      'createIndexes idempotency_keys (3)',
    ]);
  });

  it('names the collection when an index cannot be made (e.g. duplicates under a unique one)', async () => {
    const { db } = fakeDb({ collection: COLLECTION.users, code: 11000 });
    await expect(ensureIndexes(db, small)).rejects.toThrow(
      /cannot create the indexes of users: conflict/,
    );
  });
});
