/**
 * Root-cause hints fed with the store's facts (issue #17, docs/design.md §13 "Root-cause hints"),
 * through `GET /sessions/:id/items/:code/expected` on the real SQLite store: per-rack books (a
 * mirror variance in an adjacent rack), serial sightings (a serial counted here was seen in
 * another rack of this session, or in an earlier session) and the item's variance in earlier
 * sessions of the warehouse. Answers parsed with the shared schema.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemExpectedAnswerSchema, type CountSession } from '@stockverify/shared';
import {
  HINT_EARLIER_SCAN,
  HINT_EARLIER_SESSIONS,
  HINT_SERIALS,
  HINT_SIGHTINGS_PER_SERIAL,
} from '../../src/modules/movements/hint-facts';
import {
  claimOk,
  countRecord,
  createSession,
  seedCounting,
  sync,
  WAREHOUSE,
} from '../support/counting-fixture';
import { mirrorAt1000, SERVER_START } from '../support/movements-fixture';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string };

beforeEach(async () => {
  t = await startTestApp({ startAt: new Date(SERVER_START) });
  await seedCounting(t);
  await t.store.locations.upsertWarehouses([
    {
      ...WAREHOUSE,
      racks: [
        ...WAREHOUSE.racks,
        { code: 'A-03', floor: 'GF', location_barcode: 'LOC-A-03' },
        { code: 'B-02', floor: 'F1', location_barcode: 'LOC-B-02' },
      ],
    },
  ]);
  await t.seedItems([
    makeItem('MIR-1', 'Mirror Item', {
      cost: 1,
      price: 2,
      stock: [
        { warehouse: 'WH-T', rack: 'A-02', qty: 10 },
        { warehouse: 'WH-T', rack: 'A-03', qty: 10 },
        { warehouse: 'WH-T', rack: 'B-02', qty: 10 },
      ],
    }),
  ]);
  sup = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

async function count(
  session: CountSession,
  rack: string,
  item: string,
  qty: number,
  extra: Record<string, unknown> = {},
) {
  const held = await claimOk(t, alice.token, session.id, rack);
  const record = countRecord(session.id, rack, item, held.fencing_token, {
    counted_qty: qty,
    variance_reason: 'Found so',
    ...extra,
  });
  const res = await sync(t, alice.token, [record]);
  expect(res.body.data?.results[0]!.status, JSON.stringify(res.body)).toBe('OK');
  await t.request('POST', `/api/sessions/${session.id}/racks/${rack}/release`, {
    token: alice.token,
    body: {},
  });
  return { record, token: held.fencing_token };
}

async function hintsOf(sessionId: string, code: string) {
  const res = await t.request('GET', `/api/sessions/${sessionId}/items/${code}/expected`, {
    token: sup.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return itemExpectedAnswerSchema.parse(res.body.data).hints;
}

async function close(session: CountSession) {
  const res = await t.request('POST', `/api/sessions/${session.id}/close`, {
    token: sup.token,
    body: {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('mirror_adjacent_rack from the per-rack books', () => {
  it('+6 in A-02 and −6 in A-03 (books 10 each) is one mirror; B-02 is another aisle', async () => {
    await mirrorAt1000(t);
    const s = await createSession(t, sup.token);
    await count(s, 'A-02', 'MIR-1', 16);
    await count(s, 'A-03', 'MIR-1', 4);
    await count(s, 'B-02', 'MIR-1', 4);
    const hints = await hintsOf(s.id, 'MIR-1');
    expect(hints.filter((h) => h.kind === 'mirror_adjacent_rack')).toEqual([
      {
        kind: 'mirror_adjacent_rack',
        evidence: {
          rack: 'A-02',
          variance_milli: 6000,
          neighbour_rack: 'A-03',
          neighbour_variance_milli: -6000,
        },
      },
    ]);
  });

  it('a rack the ERP lists the item in, counted without it, is a bin at 0 (−10 beside +10)', async () => {
    const s = await createSession(t, sup.token);
    await count(s, 'A-02', 'MIR-1', 20);
    // A-03 was counted (another item there), MIR-1 not found in it; B-02 not counted yet.
    await count(s, 'A-03', 'ITM-A', 0);
    const hints = await hintsOf(s.id, 'MIR-1');
    expect(hints.filter((h) => h.kind === 'mirror_adjacent_rack')).toEqual([
      {
        kind: 'mirror_adjacent_rack',
        evidence: {
          rack: 'A-02',
          variance_milli: 10000,
          neighbour_rack: 'A-03',
          neighbour_variance_milli: -10000,
        },
      },
    ]);
  });

  it('no mirror for an item without per-rack books (stock for the warehouse only)', async () => {
    await t.seedItems([
      makeItem('WHL-1', 'Whole', { stock: [{ warehouse: 'WH-T', rack: null, qty: 20 }] }),
    ]);
    const s = await createSession(t, sup.token);
    await count(s, 'A-02', 'WHL-1', 16);
    await count(s, 'A-03', 'WHL-1', 4);
    const hints = await hintsOf(s.id, 'WHL-1');
    expect(hints.map((h) => h.kind)).not.toContain('mirror_adjacent_rack');
  });
});

describe('serial_elsewhere from the serial sightings', () => {
  it('a serial counted here was seen in another rack of this session and in an earlier session', async () => {
    const earlier = await createSession(t, sup.token, { name: 'Earlier' });
    await count(earlier, 'B-01', 'SER-1', 1, { serials: ['sn-1'] });
    await close(earlier);
    t.advance(60_000);

    const s = await createSession(t, sup.token);
    // SN-2 counted in B-01, then corrected away (the correction holds no serial): its sighting stays.
    const first = await count(s, 'B-01', 'SER-1', 1, { serials: ['SN-2'] });
    const held = await claimOk(t, alice.token, s.id, 'B-01');
    const fix = await sync(t, alice.token, [
      countRecord(s.id, 'B-01', 'SER-1', held.fencing_token, {
        counted_qty: 0,
        serials: [],
        supersedes: first.record.op_id,
        variance_reason: 'Found so',
      }),
    ]);
    expect(fix.body.data.results[0]!.status, JSON.stringify(fix.body.data)).toBe('OK');
    await t.request('POST', `/api/sessions/${s.id}/racks/B-01/release`, {
      token: alice.token,
      body: {},
    });
    await count(s, 'A-02', 'SER-1', 3, { serials: ['SN-1', 'SN-2', 'SN-3'] });

    const hints = (await hintsOf(s.id, 'SER-1')).filter((h) => h.kind === 'serial_elsewhere');
    const limits = {
      serials: HINT_SERIALS,
      sightings_per_serial: HINT_SIGHTINGS_PER_SERIAL,
      truncated: false,
    };
    expect(hints).toEqual([
      {
        kind: 'serial_elsewhere',
        evidence: {
          serial: 'SN-1',
          reading: 'counted_here_seen_elsewhere',
          sightings: [expect.objectContaining({ session_id: earlier.id, rack: 'B-01' })],
          limits,
        },
      },
      {
        kind: 'serial_elsewhere',
        evidence: {
          serial: 'SN-2',
          reading: 'counted_here_seen_elsewhere',
          sightings: [expect.objectContaining({ session_id: s.id, rack: 'B-01' })],
          limits,
        },
      },
    ]);
  });
});

describe('serial_elsewhere: missing here, seen elsewhere since', () => {
  it('a serial counted in A-02 last session, not there now, counted in B-01 now', async () => {
    const earlier = await createSession(t, sup.token, { name: 'Earlier' });
    await count(earlier, 'A-02', 'SER-1', 2, {
      serials: ['SN-7', 'SN-8'],
      counted_at: '2026-12-06T08:39:00.000Z',
    });
    await close(earlier);
    t.advance(60_000);

    const s = await createSession(t, sup.token);
    const now = '2026-12-06T08:40:00.000Z';
    await count(s, 'A-02', 'SER-1', 1, { serials: ['SN-8'], counted_at: now });
    await count(s, 'B-01', 'SER-1', 1, { serials: ['SN-7'], counted_at: now });
    const hints = (await hintsOf(s.id, 'SER-1')).filter((h) => h.kind === 'serial_elsewhere');
    const read = (h: (typeof hints)[number]) =>
      h.kind === 'serial_elsewhere'
        ? [
            h.evidence.serial,
            h.evidence.reading,
            h.evidence.sightings.map((x) => [x.session_id, x.rack]),
          ]
        : [];
    expect(hints.map(read)).toEqual([
      [
        'SN-7',
        'missing_here_seen_elsewhere',
        [
          [earlier.id, 'A-02'],
          [s.id, 'B-01'],
        ],
      ],
      ['SN-8', 'counted_here_seen_elsewhere', [[earlier.id, 'A-02']]],
      ['SN-7', 'counted_here_seen_elsewhere', [[earlier.id, 'A-02']]],
    ]);
  });
});

describe('earlier_sessions from the read model of earlier sessions', () => {
  it('−3 now; −5 in the last closed session of the warehouse, none in an open one', async () => {
    const first = await createSession(t, sup.token, { name: 'First' });
    await count(first, 'A-01', 'ITM-B', 95);
    await close(first);
    t.advance(60_000);
    // Counted but never closed: its variance is not final, so no evidence.
    const open = await createSession(t, sup.token, { name: 'Open' });
    await count(open, 'A-02', 'ITM-B', 150);
    t.advance(60_000);

    const s = await createSession(t, sup.token);
    await count(s, 'A-01', 'ITM-B', 97);
    const hints = (await hintsOf(s.id, 'ITM-B')).filter((h) => h.kind === 'earlier_sessions');
    expect(hints).toEqual([
      {
        kind: 'earlier_sessions',
        evidence: {
          sessions: [
            { session_id: first.id, closed_at: expect.any(String), variance_milli: -5000 },
          ],
          same_direction: 1,
          limits: { sessions: HINT_EARLIER_SESSIONS, scanned_sessions: HINT_EARLIER_SCAN },
        },
      },
    ]);
    // A later session is not earlier evidence for the first one.
    const firstHints = await hintsOf(first.id, 'ITM-B');
    expect(firstHints.map((h) => h.kind)).not.toContain('earlier_sessions');
  });
});
