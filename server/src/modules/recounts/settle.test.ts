/**
 * The settle callback (docs/design.md §12 "Bins in the store"): worked examples of which lines
 * count, the bin row and the recount tasks. Book 100, unit cost 1, ± 5 units, blind recount, 2
 * recount phases (the consensus examples' rule).
 */
import {
  symmetricThresholds,
  toleranceRuleSchema,
  type BinDecision,
  type BinRecord,
} from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { makeLine } from '../../../test/support/counting-records';
import type { BinSettleInput, RecountTaskRecord } from '../../ports/bins';
import type { CountLineRecord } from '../../ports/counting';
import { makeSettle, type SettleDeps } from './settle';

const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 3,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});
const APPROVE = toleranceRuleSchema.parse({ ...RULE, id: 'approve', on_exceed: 'approve' });
const NOW = '2026-12-06T12:00:00.000Z';
const time = (m: number) => new Date(Date.UTC(2026, 11, 6, 8, m)).toISOString();

let tasks = 0;
function deps(over: Partial<SettleDeps> = {}): SettleDeps {
  return {
    ruleFor: () => ({ rule: RULE, book: 100, unit_cost: 1 }),
    now: () => NOW,
    newTaskId: () => `task-${++tasks}`,
    chooseAssignee: (_input, excluded) => (excluded.includes('u-carol') ? null : 'u-carol'),
    ...over,
  };
}

/** A count line of the bin A-01 / ITM-A: `counted` units by `by`, received at minute `at`. */
function line(
  op: string,
  by: string,
  counted: number,
  at: number,
  over: Partial<CountLineRecord> = {},
): CountLineRecord {
  return makeLine(op, {
    rack: 'A-01',
    item_code: 'ITM-A',
    counted_qty: counted,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    counted_by: by,
    counted_by_name: by,
    received_at: time(at),
    counted_at: time(at),
    status: Math.abs(counted - 100) > 5 ? 'NEEDS_REVIEW' : 'PENDING',
    ...over,
  });
}

function input(lines: CountLineRecord[], over: Partial<BinSettleInput> = {}): BinSettleInput {
  return {
    session_id: 'S1',
    key: { rack: 'A-01', item_code: 'ITM-A' },
    lines,
    decisions: [],
    split: false,
    open_tasks: [],
    previous: null,
    ...over,
  };
}

function task(id: string, phase: number, excluded: string[]): RecountTaskRecord {
  return {
    id,
    session_id: 'S1',
    rack: 'A-01',
    item_code: 'ITM-A',
    phase,
    state: 'open',
    assigned_to: null,
    assigned_at: null,
    excluded_counters: excluded,
    reason: 'exceeds_tolerance',
    note: null,
    created_at: time(0),
    created_by: 'system',
    closed_at: null,
    answered_by_op_id: null,
  };
}

/** Statuses after applying the outcome's updates. */
function statuses(lines: CountLineRecord[], updates: { id: string; status: string }[]) {
  const next = new Map(updates.map((u) => [u.id, u.status]));
  return Object.fromEntries(lines.map((l) => [l.op_id, next.get(l.id) ?? l.status]));
}

describe('makeSettle: worked examples (design §12)', () => {
  it('1. one counter within tolerance (98): settled as it stands, no row, nothing changes', () => {
    const out = makeSettle(deps())(input([line('a1', 'u-alice', 98, 1)]));
    expect(out.settlement).toMatchObject({ state: 'settled', reason: 'within_tolerance' });
    expect(out.record).toBeNull();
    expect(out.taken_line_ids).toEqual(['line-a1']);
    expect(out.line_updates).toEqual([]);
    expect(out.open_task).toBeUndefined();
  });

  it('2. a first count outside tolerance (90) opens phase 1 for somebody else; it stands meanwhile', () => {
    const a1 = line('a1', 'u-alice', 90, 1);
    const out = makeSettle(deps())(input([a1]));
    expect(out.settlement).toMatchObject({ state: 'open', phase: 1, reason: 'exceeds_tolerance' });
    expect(out.taken_line_ids).toEqual(['line-a1']);
    expect(out.line_updates).toEqual([]);
    expect(out.open_task).toMatchObject({
      phase: 1,
      state: 'open',
      assigned_to: 'u-carol',
      assigned_at: NOW,
      excluded_counters: ['u-alice'],
      reason: 'exceeds_tolerance',
      created_by: 'system',
    });
    expect(out.record).toMatchObject<Partial<BinRecord>>({
      state: 'open',
      reason: 'exceeds_tolerance',
      quantity: null,
      proposed_quantity: 90,
      phase: 1,
      book_qty: 100,
      rule_id: 'pm5',
      rule_version: 3,
      counters: ['u-alice'],
      first_count_qty: 90,
      first_received_at: time(1),
      first_counted_by: 'u-alice',
      first_count_confirmed: false,
      settled_at: null,
      recounts: 0,
      overturned: false,
      open_task_id: out.open_task!.id,
      updated_at: NOW,
    });
  });

  it('3. a blind recount that agrees (91 vs 90) settles on the lower median: the first count is taken', () => {
    const a1 = line('a1', 'u-alice', 90, 1);
    const b1 = line('b1', 'u-bob', 91, 5, { phase: 1, recount_task_id: 't1', status: 'CANDIDATE' });
    const out = makeSettle(deps())(input([a1, b1], { open_tasks: [task('t1', 1, ['u-alice'])] }));
    expect(out.settlement).toMatchObject({ state: 'settled', quantity: 90, reason: 'consensus' });
    expect(out.taken_line_ids).toEqual(['line-a1']);
    // The flagged first count is approved by consensus; the recount stays a candidate.
    expect(out.line_updates).toEqual([
      {
        id: 'line-a1',
        status: 'APPROVED',
        reviewed_by: null,
        reviewed_at: NOW,
        review_note: 'consensus',
      },
    ]);
    expect(out.close_tasks).toEqual([{ id: 't1', state: 'done', answered_by_op_id: 'b1' }]);
    expect(out.open_task).toBeUndefined();
    expect(out.record).toMatchObject({
      state: 'settled',
      quantity: 90,
      counters: ['u-alice', 'u-bob'],
      first_count_confirmed: true,
      settled_at: NOW,
      recounts: 1,
      overturned: false,
      open_task_id: null,
    });
  });

  it('4. a recount that disagrees (80 vs 90) opens phase 2 for a third counter; the first count stands', () => {
    const a1 = line('a1', 'u-alice', 90, 1);
    const b1 = line('b1', 'u-bob', 80, 5, { phase: 1, recount_task_id: 't1' });
    const out = makeSettle(deps({ chooseAssignee: () => null }))(
      input([a1, b1], { open_tasks: [task('t1', 1, ['u-alice'])] }),
    );
    expect(out.settlement).toMatchObject({ state: 'open', phase: 2, reason: 'disagreement' });
    expect(statuses([a1, b1], out.line_updates)).toEqual({ a1: 'NEEDS_REVIEW', b1: 'CANDIDATE' });
    expect(out.close_tasks).toEqual([{ id: 't1', state: 'done', answered_by_op_id: 'b1' }]);
    expect(out.open_task).toMatchObject({
      phase: 2,
      assigned_to: null,
      assigned_at: null,
      excluded_counters: ['u-alice', 'u-bob'],
      reason: 'disagreement',
    });
    expect(out.record).toMatchObject({ phase: 2, recounts: 1, open_task_id: out.open_task!.id });
  });

  it('5. the third counter agrees with the recount (81): settled at 80, the first count overturned', () => {
    const a1 = line('a1', 'u-alice', 90, 1);
    const b1 = line('b1', 'u-bob', 80, 5, { phase: 1, status: 'CANDIDATE' });
    const c2 = line('c2', 'u-carol', 81, 9, {
      phase: 2,
      recount_task_id: 't2',
      status: 'CANDIDATE',
    });
    const out = makeSettle(deps())(
      input([a1, b1, c2], { open_tasks: [task('t2', 2, ['u-alice', 'u-bob'])] }),
    );
    expect(out.settlement).toMatchObject({ state: 'settled', quantity: 80, reason: 'consensus' });
    expect(out.taken_line_ids).toEqual(['line-b1']);
    expect(statuses([a1, b1, c2], out.line_updates)).toEqual({
      a1: 'CANDIDATE',
      b1: 'APPROVED',
      c2: 'CANDIDATE',
    });
    expect(out.record).toMatchObject({
      quantity: 80,
      first_count_qty: 90,
      first_count_confirmed: false,
      overturned: true,
      recounts: 2,
    });
    expect(out.close_tasks).toEqual([{ id: 't2', state: 'done', answered_by_op_id: 'c2' }]);
  });

  it('6. no agreement after the last phase: a supervisor decides; the first count waits for them', () => {
    const a1 = line('a1', 'u-alice', 90, 1, { status: 'PENDING' });
    const b1 = line('b1', 'u-bob', 80, 5, { phase: 1, status: 'CANDIDATE' });
    const c2 = line('c2', 'u-carol', 70, 9, { phase: 2, status: 'CANDIDATE' });
    const out = makeSettle(deps())(
      input([a1, b1, c2], { open_tasks: [task('t2', 2, ['u-alice', 'u-bob'])] }),
    );
    expect(out.settlement).toMatchObject({
      state: 'needs_supervisor',
      reason: 'phase_limit_reached',
    });
    expect(statuses([a1, b1, c2], out.line_updates)).toEqual({
      a1: 'NEEDS_REVIEW',
      b1: 'CANDIDATE',
      c2: 'CANDIDATE',
    });
    // Answered by a count of its phase, though the line did not name the task.
    expect(out.close_tasks).toEqual([{ id: 't2', state: 'done', answered_by_op_id: 'c2' }]);
    expect(out.record).toMatchObject({ state: 'needs_supervisor', open_task_id: null });
  });

  it("7. a supervisor takes the recount's figure; a count received afterwards is a conflict and changes nothing", () => {
    const a1 = line('a1', 'u-alice', 90, 1, { status: 'NEEDS_REVIEW' });
    const b1 = line('b1', 'u-bob', 80, 5, { phase: 1, status: 'CANDIDATE' });
    const c2 = line('c2', 'u-carol', 90, 30, { phase: 2, status: 'PENDING' });
    const decision: BinDecision = {
      kind: 'set',
      decision_id: 'd1',
      quantity: 80,
      decided_by: 'u-sup',
      decided_at: time(20),
      reason: 'checked the shelf',
      count_id: 'b1',
    };
    const previous = { settled_at: time(20), state: 'decided' } as Omit<BinRecord, 'item_name'>;
    const out = makeSettle(deps())(
      input([a1, b1, c2], { decisions: [decision], previous, open_tasks: [task('t2', 2, [])] }),
    );
    expect(out.settlement).toMatchObject({ state: 'decided', quantity: 80 });
    expect(out.settlement.conflicts).toEqual([{ id: 'c2', code: 'late_after_decision' }]);
    expect(out.taken_line_ids).toEqual(['line-b1']);
    expect(out.line_updates).toEqual([
      {
        id: 'line-a1',
        status: 'CANDIDATE',
        reviewed_by: null,
        reviewed_at: null,
        review_note: null,
      },
      {
        id: 'line-b1',
        status: 'APPROVED',
        reviewed_by: 'u-sup',
        reviewed_at: time(20),
        review_note: 'checked the shelf',
      },
      {
        id: 'line-c2',
        status: 'CANDIDATE',
        reviewed_by: null,
        reviewed_at: null,
        review_note: null,
      },
    ]);
    // The late count answered nothing: the task is cancelled, and the first settled_at stays.
    expect(out.close_tasks).toEqual([{ id: 't2', state: 'cancelled', answered_by_op_id: null }]);
    expect(out.record).toMatchObject({ settled_at: time(20), recounts: 1, overturned: true });
  });

  it("8. a supervisor's recount opens the asked phase, with their name and note", () => {
    const a1 = line('a1', 'u-alice', 98, 1);
    const decision: BinDecision = {
      kind: 'recount',
      decision_id: 'r1',
      phase: 1,
      decided_by: 'u-sup',
      decided_at: time(3),
      reason: 'looks light',
    };
    const out = makeSettle(deps({ note: 'top shelf too' }))(input([a1], { decisions: [decision] }));
    expect(out.settlement).toMatchObject({ state: 'open', phase: 1, reason: 'awaiting_recount' });
    expect(out.open_task).toMatchObject({
      phase: 1,
      reason: 'supervisor',
      created_by: 'u-sup',
      note: 'top shelf too',
      excluded_counters: ['u-alice'],
    });
    expect(out.record).not.toBeNull();
  });

  it('9. a split bin adds up every live line; corrections and rejected corrections replace', () => {
    const a1 = line('a1', 'u-alice', 40, 1, { superseded_by: 'a2' });
    const a2 = line('a2', 'u-alice', 45, 2, { supersedes: 'a1' });
    // b1 was corrected by a line a supervisor then rejected (not in the input): still replaced.
    const b1 = line('b1', 'u-bob', 30, 3, { superseded_by: 'b2' });
    const b3 = line('b3', 'u-bob', 55, 4);
    const out = makeSettle(deps())(input([a1, a2, b1, b3], { split: true }));
    expect(out.settlement).toMatchObject({
      state: 'settled',
      quantity: 100,
      reason: 'split_additive',
    });
    expect(out.taken_line_ids).toEqual(['line-a2', 'line-b3']);
    // a2 (45 against a book of 100) was flagged on its own; the bin's sum is within.
    expect(out.line_updates).toEqual([
      {
        id: 'line-a2',
        status: 'APPROVED',
        reviewed_by: null,
        reviewed_at: NOW,
        review_note: 'split_additive',
      },
      {
        id: 'line-b3',
        status: 'APPROVED',
        reviewed_by: null,
        reviewed_at: NOW,
        review_note: 'split_additive',
      },
    ]);
    expect(out.record).toMatchObject({ split: true, quantity: 100 });
  });

  it('10. the outcome is the same whatever order the lines come in', () => {
    const lines = [
      line('a1', 'u-alice', 90, 1),
      line('b1', 'u-bob', 80, 5, { phase: 1 }),
      line('c2', 'u-carol', 81, 9, { phase: 2 }),
      line('a0', 'u-alice', 3, 2),
    ];
    const settle = makeSettle(deps({ newTaskId: () => 'fixed' }));
    const one = settle(input(lines));
    for (const order of [
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ]) {
      const other = settle(input(order.map((i) => lines[i]!)));
      expect(other.settlement).toEqual(one.settlement);
      expect(other.taken_line_ids).toEqual(one.taken_line_ids);
      expect(new Set(other.line_updates.map((u) => JSON.stringify(u)))).toEqual(
        new Set(one.line_updates.map((u) => JSON.stringify(u))),
      );
      expect(other.record).toEqual(one.record);
    }
    // Alice's two first-phase lines add up (93): she found the item in two places.
    expect(one.record).toMatchObject({ first_count_qty: 93 });
  });

  it('10b. a bin with nothing counted (or only rejected lines) gets no row, and no task', () => {
    const out = makeSettle(deps())(input([]));
    expect(out.settlement).toMatchObject({ state: 'open', reason: 'no_counts', phase: 0 });
    expect(out.record).toBeNull();
    expect(out.open_task).toBeUndefined();
    // A bin that had a row keeps one, and its open task closes.
    const previous = { state: 'open', settled_at: null } as Omit<BinRecord, 'item_name'>;
    const kept = makeSettle(deps())(input([], { previous, open_tasks: [task('t1', 1, [])] }));
    expect(kept.record).toMatchObject({ state: 'open', reason: 'no_counts', open_task_id: null });
    expect(kept.close_tasks).toEqual([{ id: 't1', state: 'cancelled', answered_by_op_id: null }]);
  });

  it('11. never offers a task to a counter who already counted the bin', () => {
    const out = makeSettle(deps({ chooseAssignee: () => 'u-alice' }))(
      input([line('a1', 'u-alice', 90, 1)]),
    );
    expect(out.open_task).toMatchObject({ assigned_to: null, excluded_counters: ['u-alice'] });
  });

  it('12. under `approve`, an outside first count goes to the supervisor with no task', () => {
    const out = makeSettle(deps({ ruleFor: () => ({ rule: APPROVE, book: 100, unit_cost: 1 }) }))(
      input([line('a1', 'u-alice', 90, 1, { status: 'PENDING' })]),
    );
    expect(out.settlement).toMatchObject({
      state: 'needs_supervisor',
      reason: 'approval_required',
    });
    expect(out.open_task).toBeUndefined();
    expect(out.line_updates).toMatchObject([{ id: 'line-a1', status: 'NEEDS_REVIEW' }]);
    expect(out.record).toMatchObject({ proposed_quantity: 90, rule_id: 'approve' });
  });
});
