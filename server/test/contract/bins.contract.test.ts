/**
 * Bins and recount tasks store contract (issue #16, docs/design.md §12): `settle` applies the
 * settle callback's outcome — line statuses (the read model stays a sum of the lines that count),
 * the bin row, tasks opened and closed — in one transaction; decisions are stored once; tasks are
 * listed for the queue and for an eligible counter; `needsSettling` answers the sync path's
 * question. Runs on SQLite always and on MongoDB when MONGODB_URI points at a server.
 */
import {
  symmetricThresholds,
  toleranceRuleSchema,
  type BinDecision,
  type LineStatus,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSettle, type SettleDeps } from '../../src/modules/recounts/settle';
import type { BinKey } from '../../src/ports/bins';
import type { CountLineRecord } from '../../src/ports/counting';
import type { Store } from '../../src/ports/store';
import { at, makeLine, makeSession, makeSnapshotRow } from '../support/counting-records';
import { expectReadModelExact } from '../support/read-model-oracle';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';

const adapters = storeAdapters('bins');

// Book 100, unit cost 1, ± 5 units, blind recount, 2 phases (design §12's consensus examples).
const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 3,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});
const BIN: BinKey = { rack: 'A-01', item_code: 'ITM-A' };

let tasks = 0;
function settler(over: Partial<SettleDeps> = {}) {
  return makeSettle({
    ruleFor: () => ({ rule: RULE, book: 100, unit_cost: 1 }),
    now: () => at(100),
    newTaskId: () => `task-${++tasks}`,
    chooseAssignee: () => null,
    ...over,
  });
}

/** A count of `counted` units of the bin by `by`, received at minute `minute`. */
function count(
  op: string,
  by: string,
  counted: number,
  minute: number,
  over: Partial<CountLineRecord> = {},
): CountLineRecord {
  const variance = counted - 100;
  return makeLine(op, {
    session_id: 'S1',
    rack: BIN.rack,
    item_code: BIN.item_code,
    counted_qty: counted,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    book_qty: 100,
    variance,
    value_at_cost: variance,
    value_at_price: variance,
    counted_by: by,
    counted_by_name: by,
    received_at: at(minute),
    counted_at: at(minute),
    status: Math.abs(variance) > 5 ? 'NEEDS_REVIEW' : 'PENDING',
    ...over,
  });
}

describe.each(adapters)('bins store contract: $name', (adapter) => {
  let f: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    f = await adapter.open();
    store = f.store;
    await store.sessions.create(makeSession('S1', { racks: ['A-01', 'A-02'] }), [
      makeSnapshotRow('S1', 'ITM-A', { book_qty: 100, cost: 1, price: 1 }),
    ]);
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function put(...lines: CountLineRecord[]): Promise<void> {
    const outcomes = await store.lines.insertMany(lines);
    expect(outcomes.map((o) => o.ok)).toEqual(lines.map(() => true));
  }

  async function statusOf(op: string): Promise<LineStatus | undefined> {
    return (await store.lines.getByOpId(op))?.status;
  }

  /** The session read model against the lines' own aggregation. */
  async function expectModelExact(): Promise<void> {
    const items = await store.readModel.items('S1');
    const variances = await store.lines.variances('S1');
    expect(items.map((i) => [i.item_code, i.counted_qty, i.lines])).toEqual(
      variances.map((v) => [v.item_code, v.counted_qty, v.lines]),
    );
    expect((await store.readModel.session('S1')).lines).toBe(
      variances.reduce((n, v) => n + v.lines, 0),
    );
  }

  it('one counter within tolerance needs no row: get and all compute it from the lines', async () => {
    await put(count('a1', 'u-alice', 98, 1));
    expect(await store.bins.settle('S1', [BIN], settler())).toEqual([null]);
    expect(await store.bins.list('S1', { page: 1, page_size: 10 })).toEqual({
      items: [],
      total: 0,
    });
    const computed = await store.bins.get('S1', BIN);
    expect(computed).toMatchObject({
      state: 'settled',
      reason: 'within_tolerance',
      quantity: 98,
      counters: ['u-alice'],
      first_count_qty: 98,
      first_counted_by: 'u-alice',
      first_count_confirmed: true,
      settled_at: at(1),
      recounts: 0,
      open_task_id: null,
    });
    expect(await store.bins.all('S1')).toEqual([computed]);
    expect(await store.bins.get('S1', { rack: 'A-02', item_code: 'ITM-A' })).toBeNull();
  });

  it('a count outside tolerance opens a task; an agreeing recount settles and closes it', async () => {
    await put(count('a1', 'u-alice', 90, 1));
    const [opened] = await store.bins.settle('S1', [BIN], settler());
    expect(opened).toMatchObject({ state: 'open', phase: 1, reason: 'exceeds_tolerance' });
    const taskId = opened!.open_task_id!;
    expect(await store.recountTasks.get(taskId)).toMatchObject({
      id: taskId,
      session_id: 'S1',
      rack: 'A-01',
      item_code: 'ITM-A',
      phase: 1,
      state: 'open',
      assigned_to: null,
      excluded_counters: ['u-alice'],
      reason: 'exceeds_tolerance',
      created_by: 'system',
    });
    expect(await store.bins.get('S1', BIN)).toEqual(opened);
    // Offered to everyone but the counter who counted the bin.
    const eligible = (user: string) =>
      store.recountTasks.list('S1', { eligible_user: user, page: 1, page_size: 10 });
    expect((await eligible('u-bob')).items.map((t) => t.id)).toEqual([taskId]);
    expect((await eligible('u-alice')).total).toBe(0);
    expect(await store.bins.blocking('S1', 10)).toEqual({
      total: 1,
      items: [{ rack: 'A-01', item_code: 'ITM-A', state: 'open', task_id: taskId, late_counts: 0 }],
    });

    // Bob's blind recount (91) agrees: settled at 90 (the lower median), his line a candidate.
    await put(count('b1', 'u-bob', 91, 5, { phase: 1, recount_task_id: taskId }));
    const [settled] = await store.bins.settle('S1', [BIN], settler());
    expect(settled).toMatchObject({
      state: 'settled',
      reason: 'consensus',
      quantity: 90,
      counters: ['u-alice', 'u-bob'],
      first_count_confirmed: true,
      recounts: 1,
      overturned: false,
      open_task_id: null,
      settled_at: at(100),
    });
    expect(await statusOf('a1')).toBe('APPROVED');
    expect(await statusOf('b1')).toBe('CANDIDATE');
    expect(await store.recountTasks.get(taskId)).toMatchObject({
      state: 'done',
      answered_by_op_id: 'b1',
      closed_at: at(100),
    });
    expect(await store.bins.blocking('S1', 10)).toEqual({ total: 0, items: [] });
    // Only the taken count counts: 90, one line.
    expect((await store.lines.variances('S1')).map((v) => [v.counted_qty, v.lines])).toEqual([
      [90, 1],
    ]);
    await expectModelExact();
    // Settling again changes nothing, and keeps the first settled_at.
    const [again] = await store.bins.settle('S1', [BIN], settler({ now: () => at(200) }));
    expect(again).toMatchObject({ settled_at: at(100), updated_at: at(200) });
  });

  it('a disagreeing recount moves the candidate, phase by phase, and the model follows', async () => {
    await put(count('a1', 'u-alice', 90, 1));
    await store.bins.settle('S1', [BIN], settler());
    await put(count('b1', 'u-bob', 80, 5, { phase: 1 }));
    const [second] = await store.bins.settle('S1', [BIN], settler());
    expect(second).toMatchObject({ state: 'open', phase: 2, reason: 'disagreement' });
    expect([await statusOf('a1'), await statusOf('b1')]).toEqual(['NEEDS_REVIEW', 'CANDIDATE']);
    const open = await store.recountTasks.list('S1', { state: 'open', page: 1, page_size: 10 });
    expect(open.items.map((t) => [t.phase, t.excluded_counters])).toEqual([
      [2, ['u-alice', 'u-bob']],
    ]);
    await expectModelExact();
    await put(count('c2', 'u-carol', 81, 9, { phase: 2 }));
    const [third] = await store.bins.settle('S1', [BIN], settler());
    expect(third).toMatchObject({ state: 'settled', quantity: 80, overturned: true });
    expect([await statusOf('a1'), await statusOf('b1'), await statusOf('c2')]).toEqual([
      'CANDIDATE',
      'APPROVED',
      'CANDIDATE',
    ]);
    expect((await store.lines.variances('S1')).map((v) => v.counted_qty)).toEqual([80]);
    await expectModelExact();
    const all = await store.recountTasks.list('S1', { page: 1, page_size: 10 });
    expect(all.items.map((t) => [t.phase, t.state])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
  });

  it('stores each decision once; a set decision stands against a count received after it', async () => {
    await put(count('a1', 'u-alice', 90, 1), count('b1', 'u-bob', 70, 2, { phase: 1 }));
    const set: BinDecision = {
      kind: 'set',
      decision_id: 'd1',
      quantity: 70,
      decided_by: 'u-sup',
      decided_at: at(10),
      reason: 'checked the shelf',
      count_id: 'b1',
    };
    const recount: BinDecision = {
      kind: 'recount',
      decision_id: 'r1',
      phase: 2,
      decided_by: 'u-sup',
      decided_at: at(5),
      reason: null,
    };
    expect(await store.bins.addDecision('S1', BIN, set)).toBe(true);
    expect(await store.bins.addDecision('S1', BIN, set)).toBe(false);
    expect(await store.bins.addDecision('S1', BIN, recount)).toBe(true);
    expect(await store.bins.decisions('S1', BIN)).toEqual([recount, set]);
    await put(count('c2', 'u-carol', 90, 20, { phase: 2 }));
    const [decided] = await store.bins.settle('S1', [BIN], settler());
    expect(decided).toMatchObject({ state: 'decided', quantity: 70, reason: 'supervisor_decided' });
    expect([await statusOf('a1'), await statusOf('b1'), await statusOf('c2')]).toEqual([
      'CANDIDATE',
      'APPROVED',
      'CANDIDATE',
    ]);
    expect((await store.lines.getByOpId('b1'))?.reviewed_by).toBe('u-sup');
    expect((await store.lines.variances('S1')).map((v) => v.counted_qty)).toEqual([70]);
    await expectModelExact();
  });

  it('keeps late counts on the row until acknowledged; lists and blocks by them', async () => {
    await put(count('a1', 'u-alice', 90, 1));
    const set: BinDecision = {
      kind: 'set',
      decision_id: 'd1',
      quantity: 90,
      decided_by: 'u-sup',
      decided_at: at(10),
      reason: 'checked the shelf',
      count_id: 'a1',
    };
    await store.bins.addDecision('S1', BIN, set);
    await store.bins.settle('S1', [BIN], settler());
    expect(
      await store.bins.acknowledgeLate('S1', { rack: 'A-02', item_code: 'ITM-A' }, null, at(30)),
    ).toBeNull();
    // Two counts after the decision.
    await put(
      count('b1', 'u-bob', 80, 20, { phase: 1 }),
      count('c1', 'u-carol', 85, 21, { phase: 1 }),
    );
    const [late] = await store.bins.settle('S1', [BIN], settler());
    expect(late).toMatchObject({
      state: 'decided',
      quantity: 90,
      late_count_ids: ['b1', 'c1'],
      late_acknowledged_ids: [],
      late_unacknowledged: 2,
    });
    const listed = await store.bins.list('S1', { attention: 'late', page: 1, page_size: 10 });
    expect(listed.total).toBe(1);
    expect(await store.bins.blocking('S1', 10)).toEqual({
      total: 1,
      items: [{ ...BIN, state: 'decided', task_id: null, late_counts: 2 }],
    });

    // One acknowledged (a stray id is ignored by the store), then settled again: kept.
    const one = await store.bins.acknowledgeLate('S1', BIN, ['b1', 'nope'], at(30));
    expect(one?.before.late_unacknowledged).toBe(2);
    expect(one?.after).toMatchObject({
      late_acknowledged_ids: ['b1'],
      late_unacknowledged: 1,
      updated_at: at(30),
    });
    const [again] = await store.bins.settle('S1', [BIN], settler());
    expect(again).toMatchObject({ late_acknowledged_ids: ['b1'], late_unacknowledged: 1 });
    // The rest (null: every late count).
    const all = await store.bins.acknowledgeLate('S1', BIN, null, at(31));
    expect(all?.after).toMatchObject({
      late_acknowledged_ids: ['b1', 'c1'],
      late_unacknowledged: 0,
    });
    expect(await store.bins.get('S1', BIN)).toMatchObject({ late_unacknowledged: 0 });
    expect((await store.bins.list('S1', { attention: 'late', page: 1, page_size: 10 })).total).toBe(
      0,
    );
    expect(await store.bins.blocking('S1', 10)).toEqual({ total: 0, items: [] });
  });

  it('never changes a rejected line, and lists every line of the bin', async () => {
    await put(count('a1', 'u-alice', 90, 1), count('b1', 'u-bob', 60, 2, { phase: 1 }));
    await store.lines.review('line-b1', {
      status: 'REJECTED',
      reviewed_by: 'u-sup',
      reviewed_at: at(3),
      review_note: null,
    });
    await put(count('a2', 'u-alice', 92, 4, { supersedes: 'a1' }));
    const [bin] = await store.bins.settle('S1', [BIN], settler());
    // Rejected lines take no part: one counter, outside tolerance → phase 1 again.
    expect(bin).toMatchObject({ state: 'open', phase: 1, counters: ['u-alice'] });
    expect(await statusOf('b1')).toBe('REJECTED');
    expect((await store.bins.lines('S1', BIN)).map((l) => l.op_id)).toEqual(['a1', 'b1', 'a2']);
  });

  it('a recount of serialized goods may name the serials the bin already holds', async () => {
    const serials = (...list: string[]) => ({ serials: list });
    await put(count('a1', 'u-alice', 2, 1, serials('S1', 'S2')));
    // Bob's blind recount of the same bin finds the same two units.
    expect(
      await store.lines.insertMany([
        count('b1', 'u-bob', 2, 2, { phase: 1, recount_task_id: 't1', ...serials('S1', 'S2') }),
      ]),
    ).toMatchObject([{ ok: true }]);
    // Alice corrects her first count after the recount: still hers to correct.
    await put(count('a2', 'u-alice', 1, 3, { supersedes: 'a1', ...serials('S1') }));
    // Elsewhere the serials are still taken: another rack, or a second first count of the bin.
    expect(
      await store.lines.insertMany([
        count('x1', 'u-carol', 1, 4, { rack: 'A-02', ...serials('S1') }),
        count('x2', 'u-carol', 1, 5, serials('S1')),
        count('x3', 'u-dave', 1, 6, { phase: 2, rack: 'A-02', ...serials('S1') }),
      ]),
    ).toMatchObject([
      { ok: false, reason: 'DUPLICATE_SERIAL', serial: 'S1' },
      { ok: false, reason: 'DUPLICATE_SERIAL', serial: 'S1' },
      { ok: false, reason: 'DUPLICATE_SERIAL', serial: 'S1' },
    ]);
  });

  it('settles several bins in one call, and the read model moves once for all of them', async () => {
    const other = { rack: 'A-02', item_code: 'ITM-A' };
    await put(
      count('a1', 'u-alice', 90, 1),
      count('b1', 'u-bob', 80, 2, { phase: 1 }),
      count('c1', 'u-carol', 96, 3, { rack: 'A-02' }),
      count('d1', 'u-alice', 70, 4, { rack: 'A-02', phase: 1 }),
    );
    const records = await store.bins.settle('S1', [BIN, other, BIN], settler());
    expect(records.map((r) => r && [r.rack, r.state, r.phase])).toEqual([
      ['A-01', 'open', 2],
      ['A-02', 'open', 2],
      ['A-01', 'open', 2],
    ]);
    expect(await Promise.all(['a1', 'b1', 'c1', 'd1'].map((op) => statusOf(op)))).toEqual([
      'NEEDS_REVIEW',
      'CANDIDATE',
      'PENDING',
      'CANDIDATE',
    ]);
    await expectReadModelExact(store, 'S1');
  });

  it('needsSettling: a bin with a row, or with a line by another counter', async () => {
    const other = { rack: 'A-02', item_code: 'ITM-A' };
    const third = { rack: 'A-01', item_code: 'ITM-B' };
    await put(
      count('a1', 'u-alice', 90, 1),
      count('x1', 'u-alice', 100, 1, { rack: 'A-02' }),
      count('x2', 'u-bob', 100, 2, { rack: 'A-02' }),
      count('y1', 'u-alice', 100, 1, { item_code: 'ITM-B' }),
    );
    await store.bins.settle('S1', [BIN], settler());
    expect(
      await store.bins.needsSettling('S1', [
        { key: third, counter: 'u-alice' },
        { key: other, counter: 'u-alice' },
        { key: BIN, counter: 'u-alice' },
      ]),
    ).toEqual([other, BIN]);
    expect(await store.bins.needsSettling('S1', [])).toEqual([]);
  });

  it('assigns open tasks, counts them per assignee, and keeps a split flag on the row', async () => {
    await put(count('a1', 'u-alice', 90, 1));
    const [bin] = await store.bins.settle(
      'S1',
      [{ ...BIN, split: false }],
      settler({
        chooseAssignee: () => 'u-bob',
      }),
    );
    const id = bin!.open_task_id!;
    expect(await store.recountTasks.get(id)).toMatchObject({
      assigned_to: 'u-bob',
      assigned_at: at(100),
    });
    expect(await store.recountTasks.openCountsByAssignee('S1')).toEqual(new Map([['u-bob', 1]]));
    expect(await store.recountTasks.assign(id, 'u-carol', at(101))).toMatchObject({
      assigned_to: 'u-carol',
      assigned_at: at(101),
    });
    expect(
      (await store.recountTasks.list('S1', { assigned_to: 'u-carol', page: 1, page_size: 5 }))
        .total,
    ).toBe(1);
    // Offered to everyone again: Bob may take it, Alice (who counted) may not.
    expect(await store.recountTasks.assign(id, null, at(102))).toMatchObject({
      assigned_to: null,
      assigned_at: null,
    });
    expect(await store.recountTasks.openCountsByAssignee('S1')).toEqual(new Map());
    expect(await store.recountTasks.assign('nope', 'u-bob', at(103))).toBeNull();

    // The rack claimed split: the row keeps it when a later call does not say.
    await put(count('b1', 'u-bob', 10, 5));
    const [split] = await store.bins.settle('S1', [{ ...BIN, split: true }], settler());
    expect(split).toMatchObject({ split: true, state: 'settled', quantity: 100 });
    const [kept] = await store.bins.settle('S1', [BIN], settler());
    expect(kept).toMatchObject({ split: true, quantity: 100 });
    expect(await store.recountTasks.get(id)).toMatchObject({ state: 'cancelled' });
    expect((await store.bins.list('S1', { state: 'settled', page: 1, page_size: 5 })).total).toBe(
      1,
    );
    expect((await store.bins.list('S1', { state: 'open', page: 1, page_size: 5 })).total).toBe(0);
    await expectModelExact();
  });
});
