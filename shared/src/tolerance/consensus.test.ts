import { describe, expect, it } from 'vitest';
import { settleBin, type BinCount, type BinDecision, type BinHistory } from './consensus';
import { ToleranceInputError } from './evaluate';
import { symmetricThresholds, toleranceRuleSchema, type ToleranceRuleInput } from './rules';

// design §12, "Worked examples — consensus": book 100, unit cost 1, ± 5 units, recount, 2 phases.
const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 3,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});
const APPROVE = toleranceRuleSchema.parse({ ...RULE, id: 'approve', on_exceed: 'approve' });
const rule = (over: Partial<ToleranceRuleInput>) => toleranceRuleSchema.parse({ ...RULE, ...over });

let minute = 0;
const time = (m: number) => new Date(Date.UTC(2026, 11, 6, 8, m)).toISOString();
function count(
  id: string,
  counter: string,
  phase: number,
  quantity: number,
  at?: number,
): BinCount {
  return { count_id: id, counter_id: counter, phase, quantity, received_at: time(at ?? ++minute) };
}
function bin(counts: BinCount[], more: Partial<BinHistory> = {}): BinHistory {
  return { book: 100, unit_cost: 1, counts, ...more };
}
const set = (id: string, quantity: number, at: number, count_id?: string): BinDecision => ({
  kind: 'set',
  decision_id: id,
  quantity,
  decided_by: 'u-sup',
  decided_at: time(at),
  reason: 'counted it myself',
  count_id: count_id ?? null,
});
const recount = (id: string, phase: number, at: number): BinDecision => ({
  kind: 'recount',
  decision_id: id,
  phase,
  decided_by: 'u-sup',
  decided_at: time(at),
});

describe('settleBin: worked examples (design §12)', () => {
  it('1. nothing counted yet: open at phase 0', () => {
    expect(settleBin(bin([]), RULE)).toMatchObject({
      state: 'open',
      phase: 0,
      reason: 'no_counts',
      agreeing: [],
    });
  });

  it('2. one first count within tolerance (98) settles at once', () => {
    const s = settleBin(bin([count('a1', 'A', 0, 98)]), RULE);
    expect(s).toMatchObject({
      state: 'settled',
      quantity: 98,
      phase: 0,
      agreeing: ['a1'],
      reason: 'within_tolerance',
      rule: { id: 'pm5', version: 3 },
    });
    expect(s.evaluation).toMatchObject({ within: true, variance: -2 });
  });

  it('3. a first count outside tolerance (80) opens recount phase 1', () => {
    const s = settleBin(bin([count('a1', 'A', 0, 80)]), RULE);
    expect(s).toMatchObject({
      state: 'open',
      phase: 1,
      reason: 'exceeds_tolerance',
      proposed_quantity: 80,
      agreeing: ['a1'],
    });
    expect(s.quantity).toBeUndefined();
    expect(s.evaluation?.exceededBy).toEqual(['units']);
  });

  it("4. B's blind recount 82 agrees with A's 80: settled at the lower of the two, 80", () => {
    const s = settleBin(bin([count('a1', 'A', 0, 80), count('b1', 'B', 1, 82)]), RULE);
    expect(s).toMatchObject({
      state: 'settled',
      quantity: 80,
      phase: 1,
      agreeing: ['a1', 'b1'],
      reason: 'consensus',
      agreement_allowance: 5,
    });
    // A confirmed variance: settled although outside tolerance of the book.
    expect(s.evaluation).toMatchObject({ within: false, variance: -20 });
  });

  it('5. B says 90 (10 away from 80): phase 2 opens; C says 89 and agrees with B → 89', () => {
    const ab = [count('a1', 'A', 0, 80), count('b1', 'B', 1, 90)];
    expect(settleBin(bin(ab), RULE)).toMatchObject({
      state: 'open',
      phase: 2,
      reason: 'disagreement',
    });
    const abc = settleBin(bin([...ab, count('c1', 'C', 2, 89)]), RULE);
    expect(abc).toMatchObject({
      state: 'settled',
      quantity: 89,
      agreeing: ['b1', 'c1'],
      phase: 2,
    });
  });

  it('6. 80, 90, 70: no two agree after the last phase → the supervisor decides', () => {
    const counts = [count('a1', 'A', 0, 80), count('b1', 'B', 1, 90), count('c1', 'C', 2, 70)];
    const s = settleBin(bin(counts), RULE);
    expect(s).toMatchObject({ state: 'needs_supervisor', phase: 2, reason: 'phase_limit_reached' });
    expect(s.voices.map((v) => [v.counter_id, v.quantity])).toEqual([
      ['A', 80],
      ['B', 90],
      ['C', 70],
    ]);
  });

  it('7. the supervisor decides 85; a count received afterwards is a conflict, not a change', () => {
    const counts = [
      count('a1', 'A', 0, 80, 1),
      count('b1', 'B', 1, 90, 2),
      count('c1', 'C', 2, 70, 3),
    ];
    const decided = settleBin(bin(counts, { decisions: [set('d1', 85, 10)] }), RULE);
    expect(decided).toMatchObject({
      state: 'decided',
      quantity: 85,
      reason: 'supervisor_decided',
      conflicts: [],
      decision: { decision_id: 'd1', decided_by: 'u-sup', overrides: [] },
    });
    const late = settleBin(
      bin([...counts, count('d1c', 'D', 2, 90, 11), count('e1', 'E', 2, 90, 12)], {
        decisions: [set('d1', 85, 10)],
      }),
      RULE,
    );
    expect(late).toMatchObject({ state: 'decided', quantity: 85 });
    expect(late.conflicts).toEqual([
      { id: 'd1c', code: 'late_after_decision' },
      { id: 'e1', code: 'late_after_decision' },
    ]);
    expect(late.voices.map((v) => v.counter_id)).toEqual(['A', 'B', 'C']);
    expect(late.counters).toEqual(['A', 'B', 'C']);
  });

  it('8. three that agree settle at the median: 80, 83, 81 → 81', () => {
    const counts = [count('a1', 'A', 0, 80), count('b1', 'B', 1, 83), count('c1', 'C', 2, 81)];
    expect(settleBin(bin(counts), RULE)).toMatchObject({
      state: 'settled',
      quantity: 81,
      agreeing: ['a1', 'b1', 'c1'],
    });
  });

  it('9. two equal pairs (80–85 and 85–90): the lower pair wins, 80', () => {
    const counts = [count('a1', 'A', 0, 85), count('b1', 'B', 1, 80), count('c1', 'C', 2, 90)];
    expect(settleBin(bin(counts), RULE)).toMatchObject({ quantity: 80, agreeing: ['a1', 'b1'] });
  });

  it('10. a pair with the smaller spread wins over a lower pair: 70, 75 | 88, 90 → 88', () => {
    const counts = [
      count('a1', 'A', 0, 70),
      count('b1', 'B', 1, 75),
      count('c1', 'C', 1, 88),
      count('d1', 'D', 2, 90),
    ];
    expect(settleBin(bin(counts), RULE)).toMatchObject({ quantity: 88, agreeing: ['c1', 'd1'] });
  });

  it('11. one counter never agrees with themself: A 80 then A 81 at phase 1 → phase 2', () => {
    const s = settleBin(bin([count('a1', 'A', 0, 80), count('a2', 'A', 1, 81)]), RULE);
    expect(s).toMatchObject({ state: 'open', phase: 2, reason: 'disagreement' });
    expect(s.voices).toEqual([
      { counter_id: 'A', phase: 1, quantity: 81, count_ids: ['a2'], replaced_count_ids: ['a1'] },
    ]);
    expect(s.counters).toEqual(['A']);
  });

  it("12. a counter's lines of one phase add up (two spots of the rack): 50 + 48 = 98", () => {
    const s = settleBin(bin([count('a1', 'A', 0, 50), count('a2', 'A', 0, 48)]), RULE);
    expect(s).toMatchObject({ state: 'settled', quantity: 98, agreeing: ['a1', 'a2'] });
  });

  it('13. a correction replaces the count it names: 80 corrected to 99 → settled 99', () => {
    const s = settleBin(
      bin([count('a1', 'A', 0, 80), { ...count('a2', 'A', 0, 99), supersedes: 'a1' }]),
      RULE,
    );
    expect(s).toMatchObject({ state: 'settled', quantity: 99, superseded: ['a1'] });
    // The recount task of a bin goes to somebody other than everyone who counted it.
    const ab = settleBin(bin([count('a1', 'A', 0, 80), count('b1', 'B', 1, 95)]), RULE);
    expect(ab).toMatchObject({ state: 'open', phase: 2, counters: ['A', 'B'] });
  });

  it('14. a split bin adds up: 30 + 25 against 60 → 55 settled; 30 + 20 → the supervisor', () => {
    const split = { split: true, book: 60 };
    const s = settleBin(bin([count('a1', 'A', 0, 30), count('b1', 'B', 0, 25)], split), RULE);
    expect(s).toMatchObject({
      state: 'settled',
      quantity: 55,
      reason: 'split_additive',
      agreeing: ['a1', 'b1'],
    });
    const low = settleBin(bin([count('a1', 'A', 0, 30), count('b1', 'B', 0, 20)], split), RULE);
    expect(low).toMatchObject({
      state: 'needs_supervisor',
      proposed_quantity: 50,
      reason: 'split_exceeds_tolerance',
    });
  });

  it('15. rule action approve: 80 goes to the supervisor, no recount', () => {
    expect(settleBin(bin([count('a1', 'A', 0, 80)]), APPROVE)).toMatchObject({
      state: 'needs_supervisor',
      proposed_quantity: 80,
      reason: 'approval_required',
      phase: 0,
    });
  });

  it('16. a supervisor recount of a count within tolerance: open until another counter agrees', () => {
    const decisions = [recount('r1', 1, 5)];
    const a = count('a1', 'A', 0, 98, 1);
    expect(settleBin(bin([a], { decisions }), RULE)).toMatchObject({
      state: 'open',
      phase: 1,
      reason: 'awaiting_recount',
    });
    expect(settleBin(bin([a, count('b1', 'B', 1, 99, 6)], { decisions }), RULE)).toMatchObject({
      state: 'settled',
      quantity: 98,
      agreeing: ['a1', 'b1'],
    });
  });

  it('17. a supervisor recount at phase 3 asks for a count of phase 3: an old pair does not settle', () => {
    const counts = [count('a1', 'A', 0, 80), count('b1', 'B', 1, 80)];
    const decisions = [recount('r1', 3, 50)];
    expect(settleBin(bin(counts, { decisions }), RULE)).toMatchObject({
      state: 'open',
      phase: 3,
      reason: 'awaiting_recount',
    });
    const confirmed = settleBin(bin([...counts, count('c1', 'C', 3, 84)], { decisions }), RULE);
    expect(confirmed).toMatchObject({ state: 'settled', quantity: 80, phase: 3 });
  });

  it('18. with no recount phases a count over tolerance goes straight to the supervisor', () => {
    expect(settleBin(bin([count('a1', 'A', 0, 80)]), rule({ recount_phases: 0 }))).toMatchObject({
      state: 'needs_supervisor',
      reason: 'phase_limit_reached',
    });
    // The phase limit passed in wins over the rule's.
    expect(settleBin(bin([count('a1', 'A', 0, 80)]), RULE, 0).reason).toBe('phase_limit_reached');
  });

  it('19. an override: the latest decision stands and names the one it overrode', () => {
    const s = settleBin(
      bin([count('a1', 'A', 0, 80, 1)], { decisions: [set('d2', 90, 20), set('d1', 85, 10)] }),
      RULE,
    );
    expect(s).toMatchObject({ quantity: 90, decision: { decision_id: 'd2', overrides: ['d1'] } });
  });

  it('20. a recount asked after the decision is a conflict and reopens nothing', () => {
    const s = settleBin(
      bin([count('a1', 'A', 0, 80, 1)], { decisions: [set('d1', 85, 10), recount('r1', 1, 11)] }),
      RULE,
    );
    expect(s).toMatchObject({ state: 'decided', quantity: 85 });
    expect(s.conflicts).toEqual([{ id: 'r1', code: 'recount_after_decision' }]);
  });

  it('21. order and duplicates do not matter', () => {
    const counts = [count('a1', 'A', 0, 80), count('b1', 'B', 1, 90), count('c1', 'C', 2, 89)];
    const once = settleBin(bin(counts), RULE);
    const shuffled = settleBin(bin([counts[2]!, counts[0]!, counts[2]!, counts[1]!]), RULE);
    expect(shuffled).toEqual(once);
  });

  it('quantities in thousandths: 2.5 kg and 2.501 kg agree within 0.001, settle at 2.5', () => {
    const kg = rule({ thresholds: symmetricThresholds({ units: 0.001 }) });
    const s = settleBin(
      { book: 3, unit_cost: 4.2, counts: [count('a1', 'A', 0, 2.5), count('b1', 'B', 1, 2.501)] },
      kg,
    );
    expect(s).toMatchObject({ state: 'settled', quantity: 2.5, agreement_allowance: 0.001 });
  });
});

describe('settleBin: bad input gets a clear error and the field at fault', () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof ToleranceInputError) return [e.code, e.path];
      throw e;
    }
    throw new Error('no error');
  };
  it('one count id with two contents', () => {
    expect(
      err(() => settleBin(bin([count('a1', 'A', 0, 80, 1), count('a1', 'A', 0, 81, 1)]), RULE)),
    ).toEqual(['TOLERANCE_ID_REUSED', 'counts.1']);
  });
  it('a negative quantity, a fractional phase, a bad time, a decision without reason', () => {
    expect(err(() => settleBin(bin([count('a1', 'A', 0, -1)]), RULE))).toEqual([
      'TOLERANCE_BAD_INPUT',
      'counts.0.quantity',
    ]);
    expect(err(() => settleBin(bin([count('a1', 'A', 0.5, 1)]), RULE))).toEqual([
      'TOLERANCE_BAD_INPUT',
      'counts.0.phase',
    ]);
    expect(
      err(() => settleBin(bin([{ ...count('a1', 'A', 0, 1), received_at: 'yesterday' }]), RULE)),
    ).toEqual(['TOLERANCE_BAD_INPUT', 'counts.0.received_at']);
    expect(
      err(() => settleBin(bin([], { decisions: [{ ...set('d1', 1, 1), reason: ' ' }] }), RULE)),
    ).toEqual(['TOLERANCE_BAD_INPUT', 'decisions.0.reason']);
    expect(err(() => settleBin({ ...bin([]), unit_cost: -1 }, RULE))).toEqual([
      'TOLERANCE_BAD_INPUT',
      'unit_cost',
    ]);
    expect(err(() => settleBin(bin([]), RULE, -1))).toEqual(['TOLERANCE_BAD_INPUT', 'phaseLimit']);
  });
});
