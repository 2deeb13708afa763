/**
 * HintFactReads on SQLite (issue #17, docs/design.md §13 "Root-cause hints"): what each read
 * answers, and that each one — and the item's lines the expected route reads first — is served by
 * its index: SQLite is asked for every statement's query plan.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  at,
  makeLine,
  makeSession,
  makeSnapshotRow,
} from '../../../../test/support/counting-records';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

const { prepared, open } = recordPreparedStatements('sv-hint-facts-');

const line = (op: string, extra: Parameters<typeof makeLine>[1]) =>
  makeLine(op, { item_code: 'SER-1', counted_at: at(0), received_at: at(0), ...extra });

describe('hint facts on SQLite', () => {
  it('serial sightings: of this item, not of the lines named, latest first, at most the limit', async () => {
    const { store } = await open('serials.db');
    await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'SER-1')]);
    await store.sessions.create(makeSession('S2', { created_at: at(60) }), [
      makeSnapshotRow('S2', 'SER-1'),
    ]);
    await store.sessions.create(makeSession('S3'), [makeSnapshotRow('S3', 'SER-1')]);
    await store.lines.insertMany([
      line('a', { session_id: 'S1', rack: 'B-01', serials: ['SN-1'], counted_at: at(1) }),
      line('b', { session_id: 'S3', rack: 'B-02', serials: ['SN-1'], counted_at: at(2) }),
      line('c', { session_id: 'S1', rack: 'B-03', serials: ['SN-1'], item_code: 'OTHER' }),
      line('d', { session_id: 'S2', rack: 'A-01', serials: ['SN-1'], counted_at: at(61) }),
    ]);
    const seen = await store.hintFacts.serialSightings('SER-1', 'SN-1', ['line-d'], 10);
    expect(seen.map((s) => [s.session_id, s.rack])).toEqual([
      ['S3', 'B-02'],
      ['S1', 'B-01'],
    ]);
    expect(await store.hintFacts.serialSightings('SER-1', 'SN-1', [], 1)).toHaveLength(1);
    await store.close();
  });

  it('earlier variances: closed sessions of the warehouse created before, where the item was counted, latest first', async () => {
    const { store } = await open('earlier.db');
    const sessions = [
      makeSession('E1', { created_at: at(0) }),
      makeSession('E2', { created_at: at(10) }),
      makeSession('E3', { created_at: at(20) }), // not counted
      makeSession('E4', { created_at: at(30) }), // left open
      makeSession('X1', { created_at: at(35), warehouse: 'WH2' }),
      makeSession('NOW', { created_at: at(40) }),
      makeSession('LATER', { created_at: at(50) }),
    ];
    for (const s of sessions) {
      await store.sessions.create(s, [makeSnapshotRow(s.id, 'ITM-1', { book_qty: 10 })]);
    }
    await store.lines.insertMany(
      ['E1', 'E2', 'E4', 'X1', 'LATER'].map((id, i) =>
        makeLine(`op-${id}`, {
          session_id: id,
          item_code: 'ITM-1',
          counted_qty: 7 + i,
          book_qty: 10,
          variance: i - 3,
        }),
      ),
    );
    for (const id of ['E1', 'E2', 'E3', 'X1', 'LATER']) {
      await store.sessions.transition(id, ['OPEN'], 'CLOSED', {
        closed_at: at(45),
        updated_at: at(45),
      });
    }
    const query = {
      warehouse: 'WH1',
      itemCode: 'ITM-1',
      before: at(40),
      exceptSessionId: 'NOW',
      limit: 10,
      scan: 10,
    };
    expect(await store.hintFacts.earlierVariances(query)).toEqual([
      { session_id: 'E2', closed_at: at(45), variance_milli: -2000 },
      { session_id: 'E1', closed_at: at(45), variance_milli: -3000 },
    ]);
    expect(await store.hintFacts.earlierVariances({ ...query, limit: 1 })).toHaveLength(1);
    // Only the latest `scan` sessions are looked at: E4 (open) and E3 (not counted) fill them.
    expect(await store.hintFacts.earlierVariances({ ...query, scan: 2 })).toEqual([]);
    await store.close();
  });

  it("serials in racks: the sessions' lines of the item in those racks that count, latest first", async () => {
    const { store } = await open('rack-serials.db');
    await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'SER-1')]);
    await store.lines.insertMany([
      line('a', { session_id: 'S1', rack: 'A-01', serials: ['SN-1', 'SN-2'], counted_at: at(1) }),
      line('b', { session_id: 'S1', rack: 'A-02', serials: ['SN-3'], counted_at: at(2) }),
      line('c', { session_id: 'S1', rack: 'B-01', serials: ['SN-4'], counted_at: at(3) }),
    ]);
    const q = { sessionIds: ['S1'], itemCode: 'SER-1', racks: ['A-01', 'A-02'], limit: 10 };
    expect(
      (await store.hintFacts.serialsInRacks(q)).map((r) => [r.rack, r.serial, r.line_id]),
    ).toEqual([
      ['A-02', 'SN-3', 'line-b'],
      ['A-01', 'SN-1', 'line-a'],
      ['A-01', 'SN-2', 'line-a'],
    ]);
    expect(await store.hintFacts.serialsInRacks({ ...q, limit: 2 })).toHaveLength(2);
    expect(await store.hintFacts.serialsInRacks({ ...q, sessionIds: [] })).toEqual([]);
    await store.close();
  });

  it('counted racks: of those asked, the ones with lines that count', async () => {
    const { store } = await open('racks.db');
    await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'ITM-1')]);
    await store.lines.insertMany([makeLine('x', { session_id: 'S1', rack: 'A-02' })]);
    expect(await store.hintFacts.countedRacks('S1', ['A-01', 'A-02', 'Z-09'])).toEqual(['A-02']);
    expect(await store.hintFacts.countedRacks('S1', [])).toEqual([]);
    await store.close();
  });

  it('every read, and the item lines the expected route reads, is served by its index', async () => {
    const { store, file } = await open('plans.db');
    prepared.clear();
    await store.hintFacts.serialSightings('I', 'S', [], 1);
    await store.hintFacts.earlierVariances({
      warehouse: 'W',
      itemCode: 'I',
      before: at(0),
      exceptSessionId: 'S',
      limit: 1,
      scan: 1,
    });
    await store.hintFacts.countedRacks('S', ['A-01']);
    await store.hintFacts.serialsInRacks({
      sessionIds: ['S0'],
      itemCode: 'I',
      racks: ['A-01'],
      limit: 1,
    });
    await store.itemLines.ofItem('S', 'I', 1);
    const side = new Database(file, { readonly: true });
    const plans = [...prepared].map((sql) => queryPlan(side, sql).join(' | '));
    side.close();
    await store.close();
    const uses = (table: string, index: string) =>
      plans.some((p) => p.includes(`SEARCH ${table} USING`) && p.includes(index));
    expect(uses('serial_sightings', 'INDEX serial_sightings_serial (serial=?)')).toBe(true);
    expect(uses('sessions', 'INDEX sessions_warehouse (warehouse=? AND created_at<?)')).toBe(true);
    expect(uses('r', 'PRIMARY KEY (session_id=? AND item_code=?)')).toBe(true);
    expect(uses('rm_racks', 'PRIMARY KEY (session_id=? AND rack=?)')).toBe(true);
    // The item's lines: by (session, item), not every line of the session in received order.
    expect(uses('count_lines', 'count_lines_bin (session_id=? AND item_code=?)')).toBe(true);
    // An earlier session's serials in the racks counted now: by (session, item, rack).
    expect(uses('l', 'count_lines_bin (session_id=? AND item_code=? AND rack=?)')).toBe(true);
    expect(plans.join('\n')).not.toMatch(
      /SCAN (count_lines|serial_sightings|sessions|rm_items|rm_racks)\b/,
    );
  });
});
