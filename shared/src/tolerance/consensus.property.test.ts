/**
 * Consensus property (issue #16): random histories of counts, recounts and corrections from
 * several counters and phases plus supervisor decisions, delivered shuffled and duplicated, settle
 * exactly as the same events in time order; every count id is accounted for once; a decision,
 * once made, stands whatever arrives after it; and a consensus is the best agreeing group a brute
 * force over every subset of counters finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  settleBin,
  type BinCount,
  type BinDecision,
  type BinHistory,
  type Settlement,
} from './consensus';
import { agreementAllowanceMilli, toMilli, unitCostMicro } from './evaluate';
import { toleranceRuleSchema, type ToleranceRule } from './rules';

// shared is compiled without Node's types: reach the environment and console through globalThis.
const host = globalThis as unknown as {
  process?: { env?: Record<string, string | undefined> };
  console: { info: (...args: unknown[]) => void };
};
const NUM_RUNS = Number(host.process?.env?.TOLERANCE_PROPERTY_RUNS ?? 1000);
const COUNTERS = ['u-ann', 'u-bob', 'u-cat', 'u-dan', 'u-eve'] as const;
const T0 = Date.parse('2026-12-06T08:00:00.000Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

const optionalInt = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined });
const limitsArb = fc.record({
  units: optionalInt(20),
  percent: optionalInt(50),
  value: optionalInt(60),
});
const ruleArb = fc
  .record({
    shortage: limitsArb,
    overage: limitsArb,
    on_exceed: fc.constantFrom('recount' as const, 'recount' as const, 'approve' as const),
    recount_phases: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ shortage, overage, on_exceed, recount_phases }) =>
    toleranceRuleSchema.parse({
      id: 'prop',
      version: 1,
      scope: { kind: 'everything' },
      thresholds: { shortage: strip(shortage), overage: strip(overage) },
      on_exceed,
      recount_phases,
    }),
  );
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A count as an offset from the book (most land near it, so counts agree and disagree). */
const qtyArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -8, max: 8 }) },
  { weight: 2, arbitrary: fc.integer({ min: -60, max: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: -8000, max: 8000 }).map((m) => m / 1000) },
);
const eventArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      counter: fc.integer({ min: 0, max: COUNTERS.length - 1 }),
      phase: fc.integer({ min: 0, max: 3 }),
      qty: qtyArb,
      minute: fc.integer({ min: 0, max: 120 }),
      /** A correction of one of the counter's earlier counts, when they have one. */
      corrects: fc.option(fc.nat(), { nil: null, freq: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      qty: qtyArb,
      minute: fc.integer({ min: 0, max: 120 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('recount' as const),
      phase: fc.integer({ min: 1, max: 4 }),
      minute: fc.integer({ min: 0, max: 120 }),
    }),
  },
);
const historyArb = fc.record({
  book: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(2.5)),
  cost: fc.constantFrom(0, 0.0035, 1, 2.35),
  split: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
  rule: ruleArb,
  phaseLimit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  /** Short histories too, so a lone first count (accepted or sent to recount) is common. */
  events: fc.oneof(
    fc.array(eventArb, { minLength: 1, maxLength: 2 }),
    fc.array(eventArb, { minLength: 0, maxLength: 10 }),
  ),
  /** Most histories have no supervisor decision, so the counts' own settling is exercised. */
  decides: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, fc.constant(true)),
  /** Delivery: a sort key per record and the records sent twice. */
  keys: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
  dupes: fc.array(fc.nat(), { maxLength: 6 }),
});

type Event = { minute: number; id: string } & (
  { kind: 'count'; count: BinCount } | { kind: 'decision'; decision: BinDecision }
);

/** Turns generated steps into events with ids, in time order (the "in order" delivery). */
type Generated = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

function eventsOf(h: Generated): Event[] {
  const events: Event[] = [];
  const qty = (offset: number) => Math.max(0, Math.round((h.book + offset) * 1000) / 1000);
  const steps = h.events.filter((s) => h.decides || s.kind === 'count');
  const byCounter = new Map<string, BinCount[]>();
  steps.forEach((s, i) => {
    if (s.kind === 'count') {
      const counter = COUNTERS[s.counter]!;
      const mine = byCounter.get(counter) ?? [];
      const target =
        s.corrects === null || mine.length === 0 ? null : mine[s.corrects % mine.length]!;
      const count: BinCount = {
        count_id: `c${i}`,
        counter_id: counter,
        phase: target ? target.phase : s.phase,
        quantity: qty(s.qty),
        received_at: at(s.minute),
        supersedes: target ? target.count_id : null,
      };
      byCounter.set(counter, [...mine, count]);
      events.push({ kind: 'count', count, minute: s.minute, id: count.count_id });
    } else if (s.kind === 'set') {
      const decision: BinDecision = {
        kind: 'set',
        decision_id: `d${i}`,
        quantity: qty(s.qty),
        decided_by: 'u-sup',
        decided_at: at(s.minute),
        reason: 'decided from the counts side by side',
      };
      events.push({ kind: 'decision', decision, minute: s.minute, id: decision.decision_id });
    } else {
      const decision: BinDecision = {
        kind: 'recount',
        decision_id: `d${i}`,
        phase: s.phase,
        decided_by: 'u-sup',
        decided_at: at(s.minute),
      };
      events.push({ kind: 'decision', decision, minute: s.minute, id: decision.decision_id });
    }
  });
  return events.sort((a, b) => a.minute - b.minute || (a.id < b.id ? -1 : 1));
}

function historyOf(
  h: { book: number; cost: number; split: boolean },
  events: readonly Event[],
): BinHistory {
  return {
    book: h.book,
    unit_cost: h.cost,
    split: h.split,
    counts: events.flatMap((e) => (e.kind === 'count' ? [e.count] : [])),
    decisions: events.flatMap((e) => (e.kind === 'decision' ? [e.decision] : [])),
  };
}

/** The same records, shuffled by the generated keys, some sent twice. */
function delivered<T>(items: readonly T[], keys: readonly number[], dupes: readonly number[]): T[] {
  const withDupes = [...items, ...(items.length ? dupes.map((d) => items[d % items.length]!) : [])];
  return withDupes
    .map((item, i) => ({ item, key: keys[i % keys.length]! * 64 + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

/** Independent reference: the best agreeing set of counters by trying every subset. */
function bruteForceGroup(
  voices: readonly { counter_id: string; phase: number; m: number }[],
  allowance: number,
  minPhase: number,
): { size: number; spread: number; low: number } | null {
  let best: { size: number; spread: number; low: number } | null = null;
  for (let mask = 1; mask < 1 << voices.length; mask++) {
    const group = voices.filter((_, i) => mask & (1 << i));
    if (group.length < 2 || !group.some((v) => v.phase >= minPhase)) continue;
    const ms = group.map((v) => v.m);
    const low = Math.min(...ms);
    const spread = Math.max(...ms) - low;
    if (spread > allowance) continue;
    const better =
      best === null ||
      group.length > best.size ||
      (group.length === best.size &&
        (spread < best.spread || (spread === best.spread && low < best.low)));
    if (better) best = { size: group.length, spread, low };
  }
  return best;
}

function idsIn(s: Settlement): string[] {
  return [
    ...s.voices.flatMap((v) => [...v.count_ids, ...v.replaced_count_ids]),
    ...s.superseded,
    ...s.conflicts.filter((c) => c.code === 'late_after_decision').map((c) => c.id),
  ];
}

describe('consensus property: order, duplicates, decisions', () => {
  it(`settles ${NUM_RUNS} random histories as they settle in order`, () => {
    let histories = 0;
    const reached = new Map<string, number>();
    const seen = (what: string) => reached.set(what, (reached.get(what) ?? 0) + 1);
    fc.assert(
      fc.property(historyArb, (h) => {
        histories++;
        const rule: ToleranceRule = h.rule;
        const events = eventsOf(h);
        const inOrder = historyOf(h, events);
        const expected = settleBin(inOrder, rule, h.phaseLimit);
        seen(expected.reason);
        if (expected.conflicts.length) seen('conflict');
        if (expected.superseded.length) seen('correction');
        if (expected.voices.some((v) => v.replaced_count_ids.length))
          seen('replaced_by_later_phase');
        if (expected.decision?.overrides.length) seen('override');

        // 1. Shuffled and duplicated delivery settles the same.
        const shuffled: BinHistory = {
          ...inOrder,
          counts: delivered(inOrder.counts, h.keys, h.dupes),
          decisions: delivered(inOrder.decisions ?? [], [...h.keys].reverse(), h.dupes),
        };
        expect(settleBin(shuffled, rule, h.phaseLimit)).toEqual(expected);

        // 2. Every count id is accounted for exactly once.
        const ids = idsIn(expected);
        expect([...ids].sort()).toEqual(inOrder.counts.map((c) => c.count_id).sort());

        // 3. Growing the history in time order: once decided, always decided, at the quantity of
        //    the latest decision; every count received after the first decision is a conflict.
        let firstSetAt: number | null = null;
        let standing: number | null = null;
        for (let k = 1; k <= events.length; k++) {
          const e = events[k - 1]!;
          if (e.kind === 'decision' && e.decision.kind === 'set') {
            firstSetAt ??= e.minute;
            standing = e.decision.quantity;
          }
          const s = settleBin(historyOf(h, events.slice(0, k)), rule, h.phaseLimit);
          if (standing === null) {
            expect(s.state).not.toBe('decided');
            continue;
          }
          expect(s).toMatchObject({ state: 'decided', quantity: standing });
          for (const c of events.slice(0, k)) {
            if (c.kind !== 'count') continue;
            const late = s.conflicts.some(
              (x) => x.id === c.count.count_id && x.code === 'late_after_decision',
            );
            expect(late).toBe(c.minute > firstSetAt!);
          }
        }

        // 4. A settled quantity is one somebody counted (or the split sum), and a consensus is the
        //    best group of counters whose counts all agree.
        if (expected.state !== 'settled') return;
        const voices = expected.voices.map((v) => ({ ...v, m: toMilli(v.quantity) }));
        if (h.split) {
          expect(toMilli(expected.quantity!)).toBe(voices.reduce((s, v) => s + v.m, 0));
          return;
        }
        expect(voices.map((v) => v.quantity)).toContain(expected.quantity);
        if (expected.reason !== 'consensus') return;
        const allowance = agreementAllowanceMilli(rule, toMilli(h.book), unitCostMicro(h.cost));
        const minPhase = Math.max(
          0,
          ...(inOrder.decisions ?? []).map((d) => (d.kind === 'recount' ? d.phase : 0)),
        );
        const best = bruteForceGroup(voices, allowance, minPhase)!;
        const group = voices.filter((v) =>
          v.count_ids.every((id) => expected.agreeing.includes(id)),
        );
        const ms = group.map((v) => v.m).sort((a, b) => a - b);
        expect(new Set(group.map((v) => v.counter_id)).size).toBe(group.length);
        expect({ size: ms.length, spread: ms.at(-1)! - ms[0]!, low: ms[0]! }).toEqual(best);
        expect(toMilli(expected.quantity!)).toBe(ms[Math.floor((ms.length - 1) / 2)]);
      }),
      { numRuns: NUM_RUNS },
    );
    host.console.info('consensus property: what the histories reached', {
      histories,
      ...Object.fromEntries(reached),
    });
    expect(histories).toBeGreaterThanOrEqual(NUM_RUNS);
    if (NUM_RUNS >= 1000) {
      for (const what of [
        'no_counts',
        'within_tolerance',
        'consensus',
        'exceeds_tolerance',
        'disagreement',
        'awaiting_recount',
        'approval_required',
        'phase_limit_reached',
        'split_additive',
        'supervisor_decided',
        'conflict',
        'correction',
        'replaced_by_later_phase',
        'override',
      ]) {
        expect(reached.get(what) ?? 0, what).toBeGreaterThan(0);
      }
    }
  }, 120_000);
});
