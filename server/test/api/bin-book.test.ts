/**
 * A bin's book (docs/design.md §4 "A bin's book", §12), through HTTP on the real SQLite store: an
 * item the ERP stocks in two racks is judged per rack against the snapshot's quantity in that rack,
 * not against the item's whole book. ITM-A: 10 in A-01 and 6 in A-02; a tight rule (one unit
 * either way, a recount answers). The line's variance stays item-level (design §4).
 */
import {
  binDetailSchema,
  countLinePageSchema,
  recountQueuePageSchema,
  tolerancePreviewSchema,
  type CountSession,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claimOk,
  countRecord,
  createSession,
  seedCounting,
  sync,
} from '../support/counting-fixture';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

type User = Awaited<ReturnType<TestApp['userWithRole']>>;

let t: TestApp;
let supervisor: User;
let alice: User;
let bob: User;

const TIGHT_RULE = {
  id: 'alpha-tight',
  scope: { kind: 'item', item_code: 'ITM-A' },
  thresholds: { shortage: { units: 1 }, overage: { units: 1 } },
  on_exceed: 'recount',
};

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  await t.seedItems([
    makeItem('ITM-A', 'Alpha Widget', {
      cost: 2,
      price: 3,
      stock: [
        { warehouse: 'WH-T', rack: 'A-01', qty: 10 },
        { warehouse: 'WH-T', rack: 'A-02', qty: 6 },
      ],
      barcodes: [{ code: 'BC-A', kind: 'primary', pack_qty: 1 }],
    }),
    // Stock the ERP gives for the warehouse only (no rack): its bins are judged on the whole book.
    makeItem('ITM-W', 'Whole Warehouse Item', {
      cost: 1,
      price: 2,
      stock: [{ warehouse: 'WH-T', rack: null, qty: 7 }],
    }),
    // Part by rack, part for the warehouse only: the racks do not hold the whole book, so none.
    makeItem('ITM-M', 'Mixed Item', {
      cost: 1,
      price: 2,
      stock: [
        { warehouse: 'WH-T', rack: 'A-01', qty: 5 },
        { warehouse: 'WH-T', rack: null, qty: 3 },
      ],
    }),
  ]);
  supervisor = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
  bob = await t.userWithRole('staff', 'bob');
  const rule = await t.request('POST', '/api/tolerance-rules', {
    token: supervisor.token,
    body: TIGHT_RULE,
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
});
afterEach(async () => {
  await t.close();
});

async function count(session: CountSession, rack: string, item: string, qty: number) {
  const held = await claimOk(t, alice.token, session.id, rack);
  const record = countRecord(session.id, rack, item, held.fencing_token, {
    counted_qty: qty,
    variance_reason: 'Found so',
  });
  const res = await sync(t, alice.token, [record]);
  expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
  await t.request('POST', `/api/sessions/${session.id}/racks/${rack}/release`, {
    token: alice.token,
    body: {},
  });
  return record;
}

async function tasks(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return recountQueuePageSchema.parse(res.body.data).items;
}

async function bin(session: CountSession, rack: string, item: string) {
  const res = await t.request('GET', `/api/sessions/${session.id}/bins/${rack}/${item}`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binDetailSchema.parse(res.body.data);
}

async function line(session: CountSession, opId: string) {
  const res = await t.request('GET', `/api/sessions/${session.id}/lines?page_size=100`, {
    token: supervisor.token,
  });
  const found = countLinePageSchema.parse(res.body.data).items.find((l) => l.op_id === opId);
  if (!found) throw new Error(`no line ${opId}`);
  return found;
}

describe("a bin's book is the snapshot's quantity of the item in that rack", () => {
  it('10 counted in A-01 (book there 10) settles within tolerance: no recount task', async () => {
    const session = await createSession(t, supervisor.token);
    const record = await count(session, 'A-01', 'ITM-A', 10);

    const counted = await line(session, record.op_id);
    expect(counted.tolerance?.within).toBe(true);
    expect(counted.status).toBe('PENDING');
    // The line's variance stays item-level (design §4): 10 against the item's book 16.
    expect(counted.book_qty).toBe(16);
    expect(counted.variance).toBe(-6);
    expect(await tasks(session)).toEqual([]);
    const detail = await bin(session, 'A-01', 'ITM-A');
    expect([detail.bin.state, detail.bin.reason]).toEqual(['settled', 'within_tolerance']);
    expect(detail.bin.book_qty).toBe(10);
  });

  it('2 counted in A-02 (book there 6) opens a recount task; the bin records book 6', async () => {
    const session = await createSession(t, supervisor.token);
    await count(session, 'A-01', 'ITM-A', 10);
    const record = await count(session, 'A-02', 'ITM-A', 2);

    expect((await line(session, record.op_id)).tolerance?.within).toBe(false);
    const open = await tasks(session);
    expect(open.map((task) => [task.rack, task.item_code])).toEqual([['A-02', 'ITM-A']]);
    const detail = await bin(session, 'A-02', 'ITM-A');
    expect([detail.bin.state, detail.bin.reason]).toEqual(['open', 'exceeds_tolerance']);
    expect(detail.bin.book_qty).toBe(6);
  });

  it("a recount agreeing with the first count settles the bin against the rack's book", async () => {
    const session = await createSession(t, supervisor.token);
    await count(session, 'A-02', 'ITM-A', 2);
    const [task] = await tasks(session);
    const { fencing_token: _none, ...recount } = countRecord(session.id, 'A-02', 'ITM-A', 1, {
      counted_qty: 2,
      recount_task_id: task!.task_id,
    });
    const res = await sync(t, bob.token, [recount]);
    expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
    const detail = await bin(session, 'A-02', 'ITM-A');
    expect([detail.bin.state, detail.bin.reason]).toEqual(['settled', 'consensus']);
    expect(detail.bin.quantity).toBe(2);
    expect(detail.bin.book_qty).toBe(6);
  });

  it('a rack the ERP does not list the item in has book 0 there', async () => {
    const session = await createSession(t, supervisor.token);
    const record = await count(session, 'B-01', 'ITM-A', 1);
    expect((await line(session, record.op_id)).tolerance?.within).toBe(true);
    expect(await tasks(session)).toEqual([]);
  });

  it('an item without rack-level stock is judged on its whole book, as before', async () => {
    const session = await createSession(t, supervisor.token);
    const record = await count(session, 'B-01', 'ITM-W', 7);
    const counted = await line(session, record.op_id);
    expect(counted.book_qty).toBe(7);
    expect(counted.variance).toBe(0);
    expect(await t.store.sessions.snapshotRacks(session.id, ['ITM-W', 'ITM-M'])).toEqual(new Map());
    expect(await t.store.sessions.snapshotRacks(session.id, ['ITM-A'])).toEqual(
      new Map([
        [
          'ITM-A',
          [
            { rack: 'A-01', qty: 10 },
            { rack: 'A-02', qty: 6 },
          ],
        ],
      ]),
    );
  });

  it('a session of some racks keeps only their book per rack', async () => {
    const session = await createSession(t, supervisor.token, {
      scope: { floors: [], racks: ['A-02'] },
    });
    expect(await t.store.sessions.snapshotRow(session.id, 'ITM-A')).toMatchObject({ book_qty: 6 });
    expect(await t.store.sessions.snapshotRacks(session.id, ['ITM-A', 'ITM-M'])).toEqual(
      new Map([['ITM-A', [{ rack: 'A-02', qty: 6 }]]]),
    );
    const record = await count(session, 'A-02', 'ITM-A', 6);
    expect((await line(session, record.op_id)).tolerance?.within).toBe(true);
  });

  it("the tolerance preview judges each bin on its rack's book", async () => {
    const session = await createSession(t, supervisor.token);
    await count(session, 'A-01', 'ITM-A', 10);
    await count(session, 'A-02', 'ITM-A', 6);
    const res = await t.request('POST', '/api/tolerance-rules/preview', {
      token: supervisor.token,
      body: { session_id: session.id, rules: [{ ...TIGHT_RULE, version: 1 }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const preview = tolerancePreviewSchema.parse(res.body.data);
    expect(preview.lines).toBe(2);
    expect(preview.accept).toBe(2);
    expect(preview.recount).toBe(0);
  });
});
