/**
 * HintFactReads on MongoDB without a server (none runs on build machines): the filters, sorts and
 * limits each read sends, what it makes of the answers, and that the index plan holds an index
 * for each (issue #17, docs/design.md §13 "Hint facts").
 */
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { COLLECTION } from './collections';
import { createMongoHintFactReads } from './hint-facts';
import { indexPlan } from './indexes';
import { READ_MODEL_COLLECTION } from './read-model';

interface Call {
  collection: string;
  filter: unknown;
  options?: unknown;
  sort?: unknown;
  limit?: unknown;
}

function fakeDb(answers: Record<string, Record<string, unknown>[]>) {
  const calls: Call[] = [];
  const db = {
    collection(name: string) {
      return {
        find(filter: unknown, options?: unknown) {
          const call: Call = { collection: name, filter, options };
          calls.push(call);
          const chain = {
            sort(spec: unknown) {
              call.sort = spec;
              return chain;
            },
            limit(n: unknown) {
              call.limit = n;
              return chain;
            },
            async toArray() {
              return answers[name] ?? [];
            },
          };
          return chain;
        },
      };
    },
  } as unknown as Db;
  return { db, calls };
}

const planned = (collection: string) =>
  indexPlan({ idempotencyKeepDays: 30 })
    .filter((p) => p.collection === collection)
    .flatMap((p) => p.indexes.map((i) => JSON.stringify(i.key)));

describe('MongoDB hint facts', () => {
  it('serial sightings: by serial and item, leaving the lines out, latest first, limited', async () => {
    const sighting = {
      _id: 'x',
      serial: 'SN-1',
      item_code: 'I1',
      session_id: 'S0',
      rack: 'B-01',
      line_id: 'l0',
      op_id: 'o0',
      counted_by: 'u',
      counted_by_name: 'U',
      condition: 'good',
      counted_at: '2026-12-01T08:00:00.000Z',
    };
    const { db, calls } = fakeDb({ [COLLECTION.sightings]: [sighting] });
    const found = await createMongoHintFactReads(db).serialSightings('I1', 'SN-1', ['l1'], 20);
    const { _id, ...rest } = sighting;
    expect(found).toEqual([rest]);
    expect(calls).toEqual([
      {
        collection: COLLECTION.sightings,
        filter: { serial: 'SN-1', item_code: 'I1', line_id: { $nin: ['l1'] } },
        options: undefined,
        sort: { counted_at: -1, _id: -1 },
        limit: 20,
      },
    ]);
    expect(planned(COLLECTION.sightings)).toContain(JSON.stringify({ serial: 1, counted_at: 1 }));
  });

  it('earlier variances: the latest `scan` sessions, closed ones where the item was counted, at most `limit`', async () => {
    const { db, calls } = fakeDb({
      [COLLECTION.sessions]: [
        { id: 'E4', closed_at: null, created_at: '4' },
        { id: 'E3', closed_at: '2026-12-03T00:00:00.000Z', created_at: '3' },
        { id: 'E2', closed_at: '2026-12-02T00:00:00.000Z', created_at: '2' },
        { id: 'E1', closed_at: '2026-12-01T00:00:00.000Z', created_at: '1' },
      ],
      [READ_MODEL_COLLECTION.items]: [
        { session_id: 'E1', variance_m: -3000 },
        { session_id: 'E2', variance_m: 2000 },
      ],
    });
    const rows = await createMongoHintFactReads(db).earlierVariances({
      warehouse: 'WH1',
      itemCode: 'I1',
      before: '5',
      exceptSessionId: 'NOW',
      limit: 1,
      scan: 200,
    });
    expect(rows).toEqual([
      { session_id: 'E2', closed_at: '2026-12-02T00:00:00.000Z', variance_milli: 2000 },
    ]);
    expect(calls[0]).toMatchObject({
      collection: COLLECTION.sessions,
      filter: { warehouse: 'WH1', created_at: { $lt: '5' }, id: { $ne: 'NOW' } },
      sort: { created_at: -1 },
      limit: 200,
    });
    expect(calls[1]).toMatchObject({
      collection: READ_MODEL_COLLECTION.items,
      filter: { session_id: { $in: ['E3', 'E2', 'E1'] }, item_code: 'I1', lines: { $gt: 0 } },
    });
    expect(planned(COLLECTION.sessions)).toContain(
      JSON.stringify({ warehouse: 1, created_at: -1 }),
    );
    expect(planned(READ_MODEL_COLLECTION.items)).toContain(
      JSON.stringify({ session_id: 1, item_code: 1 }),
    );
  });

  it("serials in racks: the sessions' counting lines of the item in those racks with serials", async () => {
    const { db, calls } = fakeDb({
      [COLLECTION.lines]: [
        { id: 'l2', session_id: 'E1', rack: 'A-02', serials: ['SN-3'], counted_at: '2' },
        { id: 'l1', session_id: 'E1', rack: 'A-01', serials: ['SN-1', 'SN-2'], counted_at: '1' },
      ],
    });
    const reads = createMongoHintFactReads(db);
    const q = { sessionIds: ['E1'], itemCode: 'I1', racks: ['A-01', 'A-02'], limit: 2 };
    expect((await reads.serialsInRacks(q)).map((r) => [r.rack, r.serial, r.line_id])).toEqual([
      ['A-02', 'SN-3', 'l2'],
      ['A-01', 'SN-1', 'l1'],
    ]);
    expect(calls[0]).toMatchObject({
      collection: COLLECTION.lines,
      filter: {
        session_id: { $in: ['E1'] },
        item_code: 'I1',
        rack: { $in: ['A-01', 'A-02'] },
        superseded_by: null,
        status: { $nin: ['REJECTED', 'CANDIDATE'] },
        'serials.0': { $exists: true },
      },
      sort: { counted_at: -1, id: 1 },
      limit: 2,
    });
    expect(await reads.serialsInRacks({ ...q, racks: [] })).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(planned(COLLECTION.lines)).toContain(
      JSON.stringify({ session_id: 1, item_code: 1, rack: 1, counted_by: 1 }),
    );
  });

  it('counted racks: of those asked, with lines, sorted; none asked reads nothing', async () => {
    const { db, calls } = fakeDb({
      [READ_MODEL_COLLECTION.racks]: [{ rack: 'A-03' }, { rack: 'A-01' }],
    });
    const reads = createMongoHintFactReads(db);
    expect(await reads.countedRacks('S1', ['A-01', 'A-03', 'Z-9'])).toEqual(['A-01', 'A-03']);
    expect(calls[0]).toMatchObject({
      collection: READ_MODEL_COLLECTION.racks,
      filter: { session_id: 'S1', rack: { $in: ['A-01', 'A-03', 'Z-9'] }, lines: { $gt: 0 } },
    });
    expect(await reads.countedRacks('S1', [])).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(planned(READ_MODEL_COLLECTION.racks)).toContain(
      JSON.stringify({ session_id: 1, rack: 1 }),
    );
  });
});
